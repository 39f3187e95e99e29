"""forum.people: each use case and its outcomes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from forum import accounts, people, privacy
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleEdit
from forum.models import LoginSession, Person, Role
from tests import factories


def admin(session: Session):
    return factories.actor(session, factories.person(session, is_admin=True))


def test_search_by_name_position_or_organisation(session):
    org = factories.organisation(session, name="วิสาหกิจชุมชนไบโอแก๊สบ้านหนองบัว")
    person = factories.person(session, name="นายประหยัด พลังงาน", organisation_id=org.id)
    person.position = "ประธานวิสาหกิจ"
    session.commit()
    actor = admin(session)
    for q in ("ประหยัด", "ประธานวิสาหกิจ", "ไบโอแก๊ส"):
        assert [row.person.id for row in people.list_people(session, actor, q=q).items] == [
            person.id
        ]
    assert people.list_people(session, actor, q="ไบโอแก๊ส").items[0].organisation_name == org.name


def test_filter_by_organisation_and_archived(session):
    org = factories.organisation(session)
    inside = factories.person(session, organisation_id=org.id)
    gone = factories.person(session, organisation_id=org.id)
    gone.archived_at = utcnow()
    session.commit()
    actor = admin(session)
    assert [
        row.person.id for row in people.list_people(session, actor, organisation_id=org.id).items
    ] == [inside.id]
    assert [
        row.person.id
        for row in people.list_people(session, actor, organisation_id=org.id, archived=True).items
    ] == [gone.id]


def test_profile_lists_memberships_and_hides_contact_unless_shared(session):
    person = factories.person(session)
    body = factories.body(session)
    factories.member(session, body, Role.secretary, person_row=person)
    viewer = factories.actor(session, factories.person(session))
    profile = people.get_person(session, viewer, person_id=person.id)
    assert [(b.id, role) for b, role in profile.memberships] == [(body.id, Role.secretary)]
    assert profile.show_contact is False
    assert (
        people.get_person(
            session, factories.actor(session, person), person_id=person.id
        ).show_contact
        is True
    )
    privacy.record_consent(session, person.id, purpose=privacy.PURPOSE_CONTACT)
    session.commit()
    assert people.get_person(session, viewer, person_id=person.id).show_contact is True


def test_erased_person_is_not_found(session):
    person = factories.person(session)
    person.erased_at = utcnow()
    session.commit()
    with pytest.raises(NotFound):
        people.get_person(session, admin(session), person_id=person.id)
    assert person.id not in dict(people.person_choices(session))


def test_one_edits_one_own_profile_only(session):
    me = factories.person(session)
    other = factories.person(session)
    actor = factories.actor(session, me)
    people.update_person(
        session,
        actor,
        person_id=me.id,
        version=1,
        display_name="นางใหม่ ใจงาม",
        phone="+66 81-234-5678",
    )
    assert (me.display_name, me.phone, me.version) == ("นางใหม่ ใจงาม", "+66 81-234-5678", 2)
    with pytest.raises(Forbidden):
        people.update_person(session, actor, person_id=other.id, version=1, display_name="x")


def test_stale_version_is_refused(session):
    me = factories.person(session)
    actor = factories.actor(session, me)
    people.update_person(session, actor, person_id=me.id, version=1, display_name="ครั้งแรก")
    with pytest.raises(StaleEdit):
        people.update_person(session, actor, person_id=me.id, version=1, display_name="ครั้งที่สอง")
    session.refresh(me)
    assert me.display_name == "ครั้งแรก"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "ก" * 121}, "display_name"),
        ({"display_name": "x", "phone": "call me"}, "phone"),
        ({"display_name": "x", "organisation_id": "abc"}, "organisation_id"),
        ({"display_name": "x", "organisation_id": 999999}, "organisation_id"),
    ],
)
def test_invalid_profile_input_changes_nothing(session, data, field):
    me = factories.person(session, name="นายเดิม ชื่อเดิม")
    with pytest.raises(InvalidInput) as error:
        people.update_person(
            session, factories.actor(session, me), person_id=me.id, version=1, **data
        )
    assert field in error.value.fields
    session.refresh(me)
    assert (me.display_name, me.version) == ("นายเดิม ชื่อเดิม", 1)


def test_archiving_logs_the_person_out_and_cannot_be_done_to_oneself(session):
    actor = admin(session)
    person = factories.person(session)
    accounts.start_session(session, person)
    people.set_person_archived(session, actor, person_id=person.id, archived=True)
    assert person.archived_at is not None
    assert (
        session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).first()
        is None
    )
    assert person.id not in dict(people.person_choices(session))
    with pytest.raises(Conflict):
        people.set_person_archived(session, actor, person_id=person.id, archived=True)
    with pytest.raises(Conflict):
        people.set_person_archived(session, actor, person_id=actor.person_id, archived=True)
    people.set_person_archived(session, actor, person_id=person.id, archived=False)
    assert person.archived_at is None


def test_only_an_admin_archives_people(session):
    body = factories.body(session)
    chair = factories.actor(session, factories.member(session, body, Role.chair))
    with pytest.raises(Forbidden):
        people.set_person_archived(
            session, chair, person_id=factories.person(session).id, archived=True
        )


def test_an_edit_that_lost_the_race_is_stale_and_changes_nothing(session, engine):
    me = factories.person(session, name="ชื่อเดิม")
    actor = factories.actor(session, me)
    with Session(engine, expire_on_commit=False) as other:
        people.update_person(other, actor, person_id=me.id, version=1, display_name="บันทึกก่อน")
    with pytest.raises(StaleEdit):
        people.update_person(session, actor, person_id=me.id, version=1, display_name="มาทีหลัง")
    session.expire_all()
    assert (session.get(Person, me.id).display_name, session.get(Person, me.id).version) == (
        "บันทึกก่อน",
        2,
    )
