"""The audit log: snapshots without secrets, before/after diffs, filtering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from forum import audit
from forum.db import utcnow
from forum.errors import Forbidden, InvalidInput
from forum.models import AuditEvent, Person
from forum.policy import Actor
from tests import factories


def _admin(session) -> Actor:
    return factories.actor(session, factories.person(session, name="ผู้ดูแล ระบบ", is_admin=True))


def test_a_snapshot_leaves_secrets_out_and_is_json_safe(session):
    person = factories.person(session)
    values = audit.snapshot(person)
    assert "password_hash" not in values
    assert isinstance(values["created_at"], str)
    assert values["email"] == person.email
    assert audit.snapshot(None) is None


def test_recording_a_change_keeps_only_the_fields_that_changed(session):
    admin = _admin(session)
    person = factories.person(session, name="ชื่อเดิม")
    before = audit.snapshot(person)
    person.display_name = "ชื่อใหม่"
    person.version += 1
    event = audit.record(session, admin, "forum.person.edit", person, before=before)
    session.commit()
    assert event.before == {"display_name": "ชื่อเดิม", "version": 1}
    assert event.after == {"display_name": "ชื่อใหม่", "version": 2}
    assert (event.target_type, event.target_id, event.actor_id) == (
        "person",
        person.id,
        admin.person_id,
    )


def test_the_compact_diff_shows_changes_and_shortens_long_values(session):
    event = AuditEvent(
        action="x.y",
        target_type="t",
        before={"name": "ก", "version": 1, "same": 1},
        after={"name": "ข" * 200, "version": 2, "same": 1},
    )
    changes = audit.changes(event)
    assert [change.field for change in changes] == [
        "name"
    ]  # version is bookkeeping; same is unchanged
    assert changes[0].before == "ก"
    assert len(changes[0].after) == 80 and changes[0].after.endswith("…")
    created = AuditEvent(
        action="x.create",
        target_type="t",
        after={"id": 5, "title": "ใหม่", "empty": None, "blank": "", "flag": False},
    )
    assert [(c.field, c.before, c.after) for c in audit.changes(created)] == [("title", "", "ใหม่")]


def _events(session, admin: Actor) -> None:
    other = factories.actor(session, factories.person(session))
    audit.record(
        session,
        admin,
        "forum.invitation.create",
        target_type="invitation",
        target_id=1,
        after={"a": 1},
    )
    audit.record(
        session,
        admin,
        "forum.province.edit",
        target_type="province",
        target_id=2,
        after={"is_pilot": True},
    )
    audit.record(
        session,
        other,
        "forum.consent.give",
        target_type="consent",
        target_id=3,
        after={"purpose": "account"},
    )
    old = audit.record(
        session, admin, "forum.body.create", target_type="body", target_id=4, after={"name": "เก่า"}
    )
    old.at = utcnow() - timedelta(days=40)
    session.commit()


def test_the_log_filters_by_action_prefix_type_actor_and_dates(session):
    admin = _admin(session)
    _events(session, admin)

    def actions(**filters) -> list[str]:
        return [row.event.action for row in audit.list_events(session, admin, **filters).items]

    assert actions() == [
        "forum.body.create",
        "forum.consent.give",
        "forum.province.edit",
        "forum.invitation.create",
    ]
    assert actions(action="forum.province") == ["forum.province.edit"]
    assert actions(action="forum.%") == []  # the prefix is literal, not a LIKE pattern
    assert actions(target_type="consent") == ["forum.consent.give"]
    assert set(actions(actor_id=admin.person_id)) == {
        "forum.body.create",
        "forum.province.edit",
        "forum.invitation.create",
    }
    today = utcnow().date()
    assert "forum.body.create" not in actions(since=today.isoformat())
    assert actions(until=(today - timedelta(days=30)).isoformat()) == ["forum.body.create"]
    row = audit.list_events(session, admin, action="forum.province").items[0]
    assert row.actor_name == "ผู้ดูแล ระบบ"
    assert [(c.field, c.after) for c in row.changes] == [("is_pilot", "True")]


def test_the_log_is_paginated_newest_first(session):
    admin = _admin(session)
    for n in range(7):
        audit.record(session, admin, "forum.test.event", target_type="test", target_id=n)
    session.commit()
    page = audit.list_events(session, admin, per_page=5, page=2)
    assert page.total == 7 and page.pages == 2 and page.has_previous and not page.has_next
    assert [row.event.target_id for row in page.items] == [1, 0]


def test_target_types_lists_what_the_log_holds(session):
    admin = _admin(session)
    _events(session, admin)
    assert audit.target_types(session) == ["body", "consent", "invitation", "province"]


@pytest.mark.parametrize(
    "filters",
    [
        {"since": "not a date"},
        {"until": "2569-02-30"},
        {"actor_id": "someone"},
        {"page": "0"},
        {"action": "x" * 81},
    ],
)
def test_bad_filters_are_invalid_input(session, filters):
    with pytest.raises(InvalidInput):
        audit.list_events(session, _admin(session), **filters)


def test_only_admins_read_the_log(session):
    member = factories.actor(session, factories.person(session))
    with pytest.raises(Forbidden):
        audit.list_events(session, member)


def test_the_log_survives_an_actor_without_a_person(session):
    admin = _admin(session)
    audit.record(
        session,
        Actor(display_name="system", is_admin=True),
        "forum.account.create_admin",
        target_type="person",
        target_id=1,
    )
    session.commit()
    row = audit.list_events(session, admin).items[0]
    assert row.actor_name == "" and row.event.actor_id is None
    assert session.exec(select(Person)).first() is not None
