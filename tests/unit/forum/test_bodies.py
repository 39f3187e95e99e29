"""forum.bodies: each use case and its outcomes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from forum import bodies
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleEdit
from forum.models import AuditEvent, Body, BodyKind, Membership, Role
from tests import factories


def admin(session: Session):
    return factories.actor(session, factories.person(session, is_admin=True))


def membership_of(session: Session, person_id: int) -> Membership:
    return session.exec(select(Membership).where(Membership.person_id == person_id)).one()


def test_list_counts_members_and_puts_working_groups_before_the_committee(session):
    committee = factories.body(session, kind=BodyKind.committee)
    north = factories.body(session, region_code="north")
    factories.member(session, north)
    factories.member(session, north)
    rows = bodies.list_bodies(session, admin(session))
    assert [row.body.id for row in rows] == [north.id, committee.id]
    assert [row.members for row in rows] == [2, 0]
    assert rows[0].region_name == "ภาคเหนือ"


def test_members_come_in_role_order_then_by_name(session):
    body = factories.body(session)
    factories.member(session, body, Role.observer, person_row=factories.person(session, name="ก"))
    factories.member(session, body, Role.member, person_row=factories.person(session, name="ข"))
    factories.member(session, body, Role.member, person_row=factories.person(session, name="ก"))
    factories.member(session, body, Role.chair, person_row=factories.person(session, name="ฮ"))
    rows = bodies.list_members(session, admin(session), body_id=body.id)
    assert [(row.membership.role, row.person.display_name) for row in rows] == [
        (Role.chair, "ฮ"),
        (Role.member, "ก"),
        (Role.member, "ข"),
        (Role.observer, "ก"),
    ]


def test_create_needs_a_region_for_a_working_group(session):
    actor = admin(session)
    with pytest.raises(InvalidInput) as error:
        bodies.create_body(session, actor, kind="working_group", name="คณะทำงานภาคกลาง")
    assert error.value.fields["region_id"].msgid == "A regional working group needs its region."
    body = bodies.create_body(session, actor, kind="committee", name="คณะกรรมการ")
    assert body.region_id is None
    assert session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "forum.body.create", AuditEvent.target_id == body.id
        )
    ).one()


def test_only_an_admin_creates_bodies(session):
    body = factories.body(session)
    chair = factories.actor(session, factories.member(session, body, Role.chair))
    with pytest.raises(Forbidden):
        bodies.create_body(session, chair, kind="committee", name="x")


def test_officers_edit_with_a_version_check(session):
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    bodies.update_body(
        session,
        secretary,
        body_id=body.id,
        version=1,
        kind="working_group",
        name="คณะทำงานภาคเหนือ",
        region_id=body.region_id,
        description="ใหม่",
    )
    assert (body.name, body.version) == ("คณะทำงานภาคเหนือ", 2)
    with pytest.raises(StaleEdit):
        bodies.update_body(
            session,
            secretary,
            body_id=body.id,
            version=1,
            kind="working_group",
            name="ทับ",
            region_id=body.region_id,
        )
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        bodies.update_body(
            session,
            member,
            body_id=body.id,
            version=2,
            kind="working_group",
            name="x",
            region_id=body.region_id,
        )


def test_archive_and_restore(session):
    actor = admin(session)
    body = factories.body(session)
    bodies.set_body_archived(session, actor, body_id=body.id, archived=True)
    assert body.id not in {row.body.id for row in bodies.list_bodies(session, actor)}
    assert body.id not in dict(bodies.body_choices(session))
    with pytest.raises(Conflict):
        bodies.set_body_archived(session, actor, body_id=body.id, archived=True)
    bodies.set_body_archived(session, actor, body_id=body.id, archived=False)
    assert body.archived_at is None


def test_secretary_adds_changes_and_removes_a_member(session):
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    person = factories.person(session)
    assert person.id in dict(bodies.candidate_choices(session, body_id=body.id))
    membership = bodies.add_member(
        session, secretary, body_id=body.id, person_id=str(person.id), role="member"
    )
    assert person.id not in dict(bodies.candidate_choices(session, body_id=body.id))
    bodies.change_role(session, secretary, membership_id=membership.id, role="facilitator")
    assert (
        bodies.get_member(session, secretary, membership_id=membership.id).membership.role
        == Role.facilitator
    )
    removed = bodies.remove_member(session, secretary, membership_id=membership.id)
    assert removed.body_id == body.id
    assert session.get(Membership, membership.id) is None
    actions = [
        event.action
        for event in session.exec(
            select(AuditEvent).where(AuditEvent.action.startswith("forum.membership"))
        )
    ]
    assert actions == [
        "forum.membership.add",
        "forum.membership.change_role",
        "forum.membership.remove",
    ]


def test_adding_an_existing_member_is_a_conflict(session):
    body = factories.body(session)
    person = factories.member(session, body)
    with pytest.raises(Conflict) as error:
        bodies.add_member(
            session, admin(session), body_id=body.id, person_id=person.id, role="chair"
        )
    assert error.value.params == {"name": person.display_name}
    assert membership_of(session, person.id).role == Role.member


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "member"}, "person_id"),
        ({"person_id": "abc", "role": "member"}, "person_id"),
        ({"person_id": 999999, "role": "member"}, "person_id"),
        ({"person_id": "PERSON", "role": "king"}, "role"),
    ],
)
def test_invalid_member_input_adds_nothing(session, data, field):
    body = factories.body(session)
    person = factories.person(session)
    data = {key: person.id if value == "PERSON" else value for key, value in data.items()}
    with pytest.raises(InvalidInput) as error:
        bodies.add_member(session, admin(session), body_id=body.id, **data)
    assert field in error.value.fields
    assert session.exec(select(Membership).where(Membership.body_id == body.id)).first() is None


def test_archived_person_cannot_be_added(session):
    body = factories.body(session)
    person = factories.person(session)
    person.archived_at = utcnow()
    session.commit()
    with pytest.raises(InvalidInput):
        bodies.add_member(
            session, admin(session), body_id=body.id, person_id=person.id, role="member"
        )


def test_invalid_role_change_keeps_the_role(session):
    body = factories.body(session)
    person = factories.member(session, body)
    membership = membership_of(session, person.id)
    with pytest.raises(InvalidInput):
        bodies.change_role(session, admin(session), membership_id=membership.id, role="king")
    session.refresh(membership)
    assert membership.role == Role.member


@pytest.mark.parametrize("role", [Role.member, Role.vice_chair, Role.facilitator, Role.observer])
def test_only_chair_secretary_or_admin_manage_members(session, role):
    body = factories.body(session)
    actor = factories.actor(session, factories.member(session, body, role))
    other = factories.member(session, body)
    membership = membership_of(session, other.id)
    with pytest.raises(Forbidden):
        bodies.add_member(
            session, actor, body_id=body.id, person_id=factories.person(session).id, role="member"
        )
    with pytest.raises(Forbidden):
        bodies.change_role(session, actor, membership_id=membership.id, role="chair")
    with pytest.raises(Forbidden):
        bodies.remove_member(session, actor, membership_id=membership.id)


def test_a_secretary_cannot_manage_another_body(session):
    mine = factories.body(session)
    theirs = factories.body(session, region_code="south")
    secretary = factories.actor(session, factories.member(session, mine, Role.secretary))
    with pytest.raises(Forbidden):
        bodies.add_member(
            session,
            secretary,
            body_id=theirs.id,
            person_id=factories.person(session).id,
            role="member",
        )


def test_missing_membership_is_not_found(session):
    actor = admin(session)
    with pytest.raises(NotFound):
        bodies.change_role(session, actor, membership_id=999999, role="chair")
    with pytest.raises(NotFound):
        bodies.remove_member(session, actor, membership_id=999999)
    with pytest.raises(NotFound):
        bodies.get_member(session, actor, membership_id=999999)


def test_an_edit_that_lost_the_race_is_stale_and_changes_nothing(session, engine):
    actor = admin(session)
    body = factories.body(session)
    with Session(engine, expire_on_commit=False) as other:
        bodies.update_body(
            other, actor, body_id=body.id, version=1, kind="committee", name="บันทึกก่อน"
        )
    with pytest.raises(StaleEdit):
        bodies.update_body(
            session, actor, body_id=body.id, version=1, kind="committee", name="มาทีหลัง"
        )
    session.expire_all()
    saved = session.get(Body, body.id)
    assert (saved.name, saved.version) == ("บันทึกก่อน", 2)
