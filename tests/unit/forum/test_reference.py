"""Reference data: the 4 regions, the 77 provinces and their Provincial Energy Offices."""

from __future__ import annotations

import csv

import pytest
from sqlmodel import func, select

from forum import reference
from forum.errors import Forbidden, InvalidInput, NotFound
from forum.models import AuditEvent, Organisation, OrganisationKind, Province, Region
from tests import factories


def _admin(session):
    return factories.actor(session, factories.person(session, is_admin=True))


def test_there_are_4_regions_and_77_provinces(session):
    assert [region.code for region in reference.list_regions(session)] == [
        "north",
        "northeast",
        "central",
        "south",
    ]
    assert session.exec(select(func.count()).select_from(Province)).one() == 77
    assert len(reference.list_provinces(session)) == 77


def test_76_provinces_have_an_energy_office_and_bangkok_has_none(session):
    offices = session.exec(
        select(Organisation).where(Organisation.kind == OrganisationKind.provincial_energy_office)
    ).all()
    assert len(offices) == 76
    bangkok = factories.province(session, "กรุงเทพมหานคร")
    assert not bangkok.has_energy_office
    assert all(office.province_id != bangkok.id for office in offices)
    chiang_mai = factories.province(session, "เชียงใหม่")
    assert any(
        office.name == "สำนักงานพลังงานจังหวัดเชียงใหม่" and office.province_id == chiang_mai.id
        for office in offices
    )


def test_names_codes_and_regions_match_the_cross_check_file(session):
    with reference.DATA.open(encoding="utf-8") as handle:
        expected = {int(row["code"]): row for row in csv.DictReader(handle)}
    regions = {region.id: region.code for region in session.exec(select(Region))}
    provinces = session.exec(select(Province)).all()
    assert {province.code for province in provinces} == set(expected)
    for province in provinces:
        row = expected[province.code]
        assert province.name_th == row["name_th"]
        assert regions[province.region_id] == row["region4"]
        assert province.has_energy_office == (row["has_provincial_energy_office"] == "True")


def test_loading_again_adds_nothing_and_keeps_an_admins_edits(session):
    province = factories.province(session, "ตาก")
    reference.update_province(
        session,
        _admin(session),
        province_id=province.id,
        region_id=factories.region(session, "central").id,
        is_pilot=True,
    )
    assert reference.load_reference_data(session) == 0
    session.expire_all()
    assert session.get(Province, province.id).region_id == factories.region(session, "central").id
    assert session.exec(select(func.count()).select_from(Organisation)).one() == 76


def test_a_region_change_is_audited(session):
    admin = _admin(session)
    province = factories.province(session, "ตาก")
    north, central = factories.region(session, "north"), factories.region(session, "central")
    reference.update_province(
        session, admin, province_id=province.id, region_id=central.id, is_pilot=False
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "forum.province.edit")).one()
    assert event.actor_id == admin.person_id
    assert (event.target_type, event.target_id) == ("province", province.id)
    assert event.before == {"region_id": north.id}
    assert event.after == {"region_id": central.id}


def test_the_overview_groups_by_region_and_counts_pilots(session):
    admin = _admin(session)
    for name in ("น่าน", "ยะลา"):
        province = factories.province(session, name)
        reference.update_province(
            session, admin, province_id=province.id, region_id=province.region_id, is_pilot=True
        )
    overview = reference.province_overview(session, admin)
    assert [group.region.code for group in overview.groups] == [
        "north",
        "northeast",
        "central",
        "south",
    ]
    assert sum(len(group.provinces) for group in overview.groups) == overview.province_count == 77
    assert overview.pilot_count == 2
    north = overview.groups[0]
    assert all(province.region_id == north.region.id for province in north.provinces)


@pytest.mark.parametrize("region_id", [None, "", "abc", 999999])
def test_a_bad_region_changes_nothing(session, region_id):
    province = factories.province(session, "ตาก")
    with pytest.raises(InvalidInput) as error:
        reference.update_province(
            session, _admin(session), province_id=province.id, region_id=region_id, is_pilot=True
        )
    assert "region_id" in error.value.fields
    session.expire_all()
    assert not session.get(Province, province.id).is_pilot
    assert session.exec(select(AuditEvent)).first() is None


def test_only_admins_edit_provinces(session):
    province = factories.province(session, "ตาก")
    member = factories.actor(session, factories.person(session))
    with pytest.raises(Forbidden):
        reference.update_province(
            session, member, province_id=province.id, region_id=province.region_id, is_pilot=True
        )
    with pytest.raises(Forbidden):
        reference.province_overview(session, member)
    with pytest.raises(NotFound):
        reference.update_province(
            session, _admin(session), province_id=999999, region_id=province.region_id
        )
