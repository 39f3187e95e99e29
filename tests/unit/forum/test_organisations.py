"""forum.organisations: each use case and its outcomes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from forum import organisations
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, NotLoggedIn, StaleEdit
from forum.models import AuditEvent, Organisation, OrganisationKind, Role, Side
from forum.policy import ANONYMOUS
from tests import factories


def admin(session: Session):
    return factories.actor(session, factories.person(session, is_admin=True))


def with_role(session: Session, role: Role):
    body = factories.body(session)
    return factories.actor(session, factories.member(session, body, role))


def test_thai_substring_search_finds_the_provincial_office(session):
    page = organisations.list_organisations(
        session, admin(session), q="พลังงาน", province_id=factories.province(session).id
    )
    assert [row.organisation.name for row in page.items] == ["สำนักงานพลังงานจังหวัดเชียงใหม่"]
    assert page.items[0].province_name == "เชียงใหม่"


def test_search_escapes_like_wildcards(session):
    factories.organisation(session, name="กลุ่ม 100% โซลาร์")
    assert organisations.list_organisations(session, admin(session), q="%").total == 1
    assert organisations.list_organisations(session, admin(session), q="_").total == 0


def test_filters_combine_and_unknown_values_are_ignored(session):
    actor = admin(session)
    org = factories.organisation(session, province_id=factories.province(session).id)
    assert organisations.list_organisations(session, actor, side="network").total == 1
    assert (
        organisations.list_organisations(
            session, actor, kind="community_enterprise", province_id=org.province_id
        )
        .items[0]
        .organisation.id
        == org.id
    )
    assert organisations.list_organisations(session, actor, kind="nonsense").total == 77


def test_people_are_counted_and_archived_ones_left_out(session):
    org = factories.organisation(session)
    factories.person(session, organisation_id=org.id)
    gone = factories.person(session, organisation_id=org.id)
    gone.archived_at = utcnow()
    session.commit()
    row = organisations.list_organisations(session, admin(session), q=org.name).items[0]
    assert row.people == 1


def test_anonymous_cannot_list(session):
    with pytest.raises(NotLoggedIn):
        organisations.list_organisations(session, ANONYMOUS)


def test_secretary_creates_and_the_side_follows_the_kind(session):
    actor = with_role(session, Role.secretary)
    org = organisations.create_organisation(
        session, actor, name="  เครือข่าย อส.พน. ลำปาง  ", kind="energy_volunteers", province_id=""
    )
    assert org.name == "เครือข่าย อส.พน. ลำปาง"
    assert org.side == Side.network
    office = organisations.create_organisation(
        session, actor, name="กรมพัฒนาพลังงานทดแทน", kind="government_agency"
    )
    assert office.side == Side.office
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "forum.organisation.create")
    ).all()


def test_member_cannot_create(session):
    with pytest.raises(Forbidden):
        organisations.create_organisation(
            session, with_role(session, Role.member), name="x", kind="other"
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "kind": "other"}, "name"),
        ({"name": "ก" * 201, "kind": "other"}, "name"),
        ({"name": "x", "kind": "club"}, "kind"),
        ({"name": "x", "kind": "other", "province_id": "abc"}, "province_id"),
        ({"name": "x", "kind": "other", "province_id": 999999}, "province_id"),
    ],
)
def test_invalid_input_names_the_field_and_adds_nothing(session, data, field):
    before = len(session.exec(select(Organisation)).all())
    with pytest.raises(InvalidInput) as error:
        organisations.create_organisation(session, admin(session), **data)
    assert field in error.value.fields
    assert len(session.exec(select(Organisation)).all()) == before


def test_duplicate_name_in_the_same_province_is_refused_but_allowed_elsewhere(session):
    actor = admin(session)
    chiang_mai = factories.province(session).id
    organisations.create_organisation(
        session, actor, name="กลุ่มเตาประหยัดพลังงาน", kind="occupational_group", province_id=chiang_mai
    )
    with pytest.raises(InvalidInput) as error:
        organisations.create_organisation(
            session, actor, name="กลุ่มเตาประหยัดพลังงาน", kind="other", province_id=chiang_mai
        )
    assert (
        error.value.fields["name"].msgid
        == "An organisation with this name already exists in this province."
    )
    organisations.create_organisation(
        session,
        actor,
        name="กลุ่มเตาประหยัดพลังงาน",
        kind="other",
        province_id=factories.province(session, "ลำพูน").id,
    )


def test_update_bumps_the_version_and_a_stale_version_is_refused(session):
    actor = admin(session)
    org = factories.organisation(session)
    organisations.update_organisation(
        session, actor, organisation_id=org.id, version=1, name="ชื่อใหม่", kind="other"
    )
    assert (org.name, org.version, org.side) == ("ชื่อใหม่", 2, Side.network)
    with pytest.raises(StaleEdit):
        organisations.update_organisation(
            session, actor, organisation_id=org.id, version=1, name="ทับ", kind="other"
        )
    session.refresh(org)
    assert org.name == "ชื่อใหม่"


def test_update_keeps_its_own_name_without_a_duplicate_error(session):
    org = factories.organisation(session, province_id=factories.province(session).id)
    organisations.update_organisation(
        session,
        admin(session),
        organisation_id=org.id,
        version=1,
        name=org.name,
        kind="community_enterprise",
        province_id=org.province_id,
        description="ใหม่",
    )
    assert org.description == "ใหม่"


def test_update_of_a_missing_organisation_is_not_found(session):
    with pytest.raises(NotFound):
        organisations.update_organisation(
            session, admin(session), organisation_id=999999, version=1, name="x", kind="other"
        )


def test_archive_hides_from_lists_and_choices_and_cannot_repeat(session):
    actor = admin(session)
    org = factories.organisation(session, kind=OrganisationKind.academic_network)
    organisations.set_organisation_archived(session, actor, organisation_id=org.id, archived=True)
    assert org.id not in {
        row.organisation.id
        for row in organisations.list_organisations(session, actor, per_page=100).items
    }
    assert org.id not in dict(organisations.organisation_choices(session))
    assert (
        organisations.list_organisations(session, actor, archived=True).items[0].organisation.id
        == org.id
    )
    with pytest.raises(Conflict):
        organisations.set_organisation_archived(
            session, actor, organisation_id=org.id, archived=True
        )
    organisations.set_organisation_archived(session, actor, organisation_id=org.id, archived=False)
    assert org.archived_at is None


def test_only_an_admin_archives(session):
    org = factories.organisation(session)
    with pytest.raises(Forbidden):
        organisations.set_organisation_archived(
            session, with_role(session, Role.chair), organisation_id=org.id, archived=True
        )


def test_an_edit_that_lost_the_race_is_stale_and_changes_nothing(session, engine):
    """Both read version 1; the other saves first; ours must not overwrite it."""
    actor = admin(session)
    org = factories.organisation(session)
    assert organisations.get_organisation(session, actor, organisation_id=org.id).version == 1
    with Session(engine, expire_on_commit=False) as other:
        organisations.update_organisation(
            other, actor, organisation_id=org.id, version=1, name="ฉบับที่บันทึกก่อน", kind="other"
        )
    with pytest.raises(StaleEdit):
        organisations.update_organisation(
            session, actor, organisation_id=org.id, version=1, name="ฉบับที่มาทีหลัง", kind="other"
        )
    session.expire_all()
    saved = session.get(Organisation, org.id)
    assert (saved.name, saved.version) == ("ฉบับที่บันทึกก่อน", 2)
