"""Reference data: the programme's 4 regions and Thailand's 77 provinces, each with its
Provincial Energy Office (every province but Bangkok).

Province names (Thai, English, abbreviations) come from PyThaiNLP's maintained corpus.
The official DOPA codes and the default 4-region grouping come from
`data/provinces_th.csv` (the NESDB/NSO scheme; see shared/data/README.md); region
membership is data an administrator edits afterwards, never code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from pythainlp.corpus import provinces as pythainlp_provinces
from sqlmodel import Session, col, select

from forum import audit, policy
from forum.errors import NotAChoice, NotFound
from forum.forms import validate
from forum.models import Organisation, OrganisationKind, Province, Region, Side
from forum.policy import Actor

DATA = Path(__file__).parent / "data" / "provinces_th.csv"

REGIONS = (
    ("north", "ภาคเหนือ", "North"),
    ("northeast", "ภาคตะวันออกเฉียงเหนือ", "Northeast"),
    ("central", "ภาคกลาง", "Central"),
    ("south", "ภาคใต้", "South"),
)


@dataclass(frozen=True)
class ProvinceSource:
    code: int
    name_th: str
    name_en: str
    abbr_en: str
    region: str
    has_energy_office: bool


def province_sources() -> list[ProvinceSource]:
    """The 77 provinces: names from PyThaiNLP, code and region from the cross-check file."""
    names = {row["name_th"]: row for row in pythainlp_provinces(details=True)}
    result = []
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = names.get(row["name_th"])
            if name is None:  # the package renamed a province: fall back to the file
                name = {
                    "name_th": row["name_th"],
                    "name_en": row["name_en"],
                    "abbr_en": row["abbr_en"],
                }
            result.append(
                ProvinceSource(
                    code=int(row["code"]),
                    name_th=name["name_th"],
                    name_en=name["name_en"],
                    abbr_en=name.get("abbr_en", ""),
                    region=row["region4"],
                    has_energy_office=row["has_provincial_energy_office"] == "True",
                )
            )
    return result


def energy_office_name(province: Province) -> tuple[str, str]:
    return (f"สำนักงานพลังงานจังหวัด{province.name_th}", f"{province.name_en} Provincial Energy Office")


def load_reference_data(session: Session) -> int:
    """Insert regions, provinces and their energy offices if missing; returns how many
    provinces were added. Existing rows (an admin's edits) are left as they are."""
    regions = {region.code: region for region in session.exec(select(Region))}
    for position, (code, name_th, name_en) in enumerate(REGIONS):
        if code not in regions:
            regions[code] = Region(code=code, name_th=name_th, name_en=name_en, position=position)
            session.add(regions[code])
    session.flush()
    known = set(session.exec(select(Province.code)))
    added = 0
    for source in province_sources():
        if source.code in known:
            continue
        province = Province(
            code=source.code,
            name_th=source.name_th,
            name_en=source.name_en,
            abbr_en=source.abbr_en,
            region_id=regions[source.region].id,
            has_energy_office=source.has_energy_office,
        )
        session.add(province)
        session.flush()
        if province.has_energy_office:
            name_th, name_en = energy_office_name(province)
            session.add(
                Organisation(
                    name=name_th,
                    name_en=name_en,
                    kind=OrganisationKind.provincial_energy_office,
                    side=Side.office,
                    province_id=province.id,
                )
            )
        added += 1
    session.commit()
    return added


def list_regions(session: Session) -> list[Region]:
    return list(session.exec(select(Region).order_by(col(Region.position))))


def list_provinces(
    session: Session, *, region_id: int | None = None
) -> list[tuple[Province, Region]]:
    query = select(Province, Region).join(Region, Region.id == Province.region_id)
    if region_id:
        query = query.where(Province.region_id == region_id)
    return list(session.exec(query.order_by(col(Region.position), col(Province.name_th))))


@dataclass(frozen=True)
class RegionGroup:
    region: Region
    provinces: list[Province]


@dataclass(frozen=True)
class ProvinceOverview:
    groups: list[RegionGroup]
    regions: list[Region]
    pilot_count: int
    province_count: int


def provinces_by_region(session: Session) -> list[tuple[Region, list[Province]]]:
    """Provinces grouped by region, for a select box with <optgroup>s."""
    groups: dict[int, tuple[Region, list[Province]]] = {}
    for province, region in list_provinces(session):
        groups.setdefault(region.id or 0, (region, []))[1].append(province)
    return list(groups.values())


def province_overview(session: Session, actor: Actor) -> ProvinceOverview:
    """The provinces grouped by region, for the administrators' page. Raises Forbidden."""
    policy.require(actor, "forum.province.edit")
    regions = list_regions(session)
    by_region: dict[int | None, list[Province]] = {region.id: [] for region in regions}
    for province, region in list_provinces(session):
        by_region[region.id].append(province)
    provinces = [province for group in by_region.values() for province in group]
    return ProvinceOverview(
        groups=[RegionGroup(region, by_region[region.id]) for region in regions],
        regions=regions,
        pilot_count=sum(1 for province in provinces if province.is_pilot),
        province_count=len(provinces),
    )


class ProvinceUpdate(BaseModel):
    region_id: int
    is_pilot: bool = False


def update_province(
    session: Session, actor: Actor, *, province_id: int, **data: object
) -> Province:
    """Move a province to another region, or set its pilot flag. Raises Forbidden,
    NotFound, InvalidInput."""
    policy.require(actor, "forum.province.edit")
    province = session.get(Province, province_id)
    if province is None:
        raise NotFound()
    values = validate(ProvinceUpdate, data)
    if session.get(Region, values.region_id) is None:
        raise NotAChoice({"region_id": "Please choose one of the options."})
    before = audit.snapshot(province)
    province.region_id = values.region_id
    province.is_pilot = values.is_pilot
    audit.record(session, actor, "forum.province.edit", province, before=before)
    session.commit()
    return province
