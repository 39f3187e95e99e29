"""The demo programme (`wethi demo`, `wethi serve --demo`): the 20 pilot provinces, their
network organisations, about 80 people from both sides, the 4 regional working groups and
the committee, and a year of meetings with realistic attendance.

Everything goes through the real services except people and past attendance, which are
inserted directly: accounts only arrive by invitation, hashing 80 passwords with argon2
would take a minute, and check-in refuses a meeting that is already over.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, select

from forum import (
    bodies,
    meetings,
    organisations,
    privacy,
    reference,
)
from forum.accounts import SYSTEM
from forum.dates import BANGKOK
from forum.db import utcnow
from forum.models import (
    Attendance,
    AttendanceEvent,
    AttendanceEventKind,
    AttendanceStatus,
    Body,
    BodyKind,
    Meeting,
    MeetingStatus,
    Organisation,
    OrganisationKind,
    Person,
    Province,
    Region,
    Role,
)
from forum.registry import Registry
from forum.security import hash_password

DEMO_PASSWORD = "wethi-demo-2569"
ADMIN_EMAIL = "admin@wethi.example"
SECRETARY_EMAIL = "secretary@wethi.example"
MEMBER_EMAIL = "member@wethi.example"

Progress = Callable[[str], object]

# Demo content the packages to the right add from their manifests (deliberation: agendas,
# suggestions and discussions), as hook(session, meeting) each time the seeding has moved
# a meeting to a new stage (meeting.status tells which), so a hook can use its own
# services while the meeting is still at the stage they need (a closed meeting refuses
# every change). A hook may move the meeting on itself (publishing its agenda, say): the
# seeding then skips the stages already reached. Hooks commit their own work.
DEMO_HOOKS: Registry[Callable[[Session, Meeting], None]] = Registry("demo content")

# -- the programme --------------------------------------------------------------------

# The 20 pilot provinces (5 per region, in order) and their network organisations, each with
# the position of the person who represents it. The first province of a region hosts the
# working group's secretariat; the second has a deputy who stands in for its energy officer.
PROGRAMME = Path(__file__).parent / "data" / "demo_organisations.csv"


@dataclass(frozen=True)
class NetworkOrganisation:
    kind: OrganisationKind
    name: str
    representative_position: str


def pilots() -> dict[str, dict[str, list[NetworkOrganisation]]]:
    """region code -> province name -> its network organisations."""
    result: dict[str, dict[str, list[NetworkOrganisation]]] = {}
    with PROGRAMME.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            organisation = NetworkOrganisation(
                OrganisationKind(row["kind"]), row["name"], row["representative_position"]
            )
            result.setdefault(row["region"], {}).setdefault(row["province"], []).append(
                organisation
            )
    return result


MINISTRY = "สำนักส่งเสริมการมีส่วนร่วมของประชาชน (สสช.) สำนักงานปลัดกระทรวงพลังงาน"
COMMITTEE = (
    "คณะกรรมการพัฒนาพลังงานและสิ่งแวดล้อมชุมชน",
    "Community Energy and Environment Development Committee",
)
WORKING_GROUP = "คณะทำงานพลังงานและสิ่งแวดล้อมชุมชน {region}"

MALE = "สมชาย ประเสริฐ วิชัย สุริยา อนุชา ธนากร กิตติพงษ์ บุญมี สมบัติ ประยูร ชาตรี ณรงค์ เกรียงไกร ไพโรจน์ ศักดิ์ชัย ทองใบ อำนาจ สุทธิพงษ์ วีระพงษ์ ปรีชา เอกชัย จักรพันธ์ บุญเลิศ สมศักดิ์ ธีรวัฒน์ พงศกร อดิศักดิ์ มานพ สุวิทย์ ชัยวัฒน์ วรวุฒิ นพดล ธนพล ภานุวัฒน์ อภิชาติ สมพงษ์ บุญส่ง ประสิทธิ์ สุเมธ วิโรจน์ คำรณ เฉลิมชัย"
FEMALE = "สมศรี วิไลวรรณ สุนันทา กาญจนา พรทิพย์ นงลักษณ์ อรุณี จันทร์เพ็ญ ศิริพร มาลัย ปราณี รัตนา ธิดารัตน์ สุภาพร วราภรณ์ ณัฐธิดา ปิยะนุช บุษบา ลำดวน คำแก้ว อัมพร เพ็ญศรี สายสุนีย์ ชุติมา นภัสสร กมลชนก อรอุมา เบญจวรรณ พัชรินทร์ ดวงใจ สุดารัตน์ วันเพ็ญ ละเอียด จิราพร ศศิธร นิตยา รุ่งนภา ทัศนีย์ ยุพิน อุไรวรรณ"
SURNAMES = {
    "north": "ใจคำ อินทวงศ์ ปัญญาวงศ์ ศรีวิชัย คำมูล ธรรมวงศ์ สุริยะ แก้วมณี ชัยมงคล อุ่นเรือน ปัญญาดี ยาวิชัย จันทร์แก้ว สุยะ อินต๊ะ ธิมา กันทะ ปันแก้ว วงค์ชัย ไชยวงศ์ ศรีบุญเรือง คำปัน",
    "northeast": "ศรีสุข บุญมา พลชัย แสนสุข ภูมิสุข นามวงศ์ พรมมา สีหาราช คำภูษา ศรีหาวงศ์ บุตรดี จันทะคุณ ไชยสิทธิ์ ทองมา วงศ์ประเสริฐ ผาลา ศรีประเสริฐ สิงห์คำ ภูผาใจ อุดมสุข แก้วคำ คำมุงคุณ",
    "central": "ทองดี สุขเจริญ รุ่งเรือง แสงทอง วงศ์สวัสดิ์ ประเสริฐสุข มั่นคง เพชรรัตน์ อยู่เย็น บุญประเสริฐ ศรีสวัสดิ์ จันทร์หอม พึ่งบุญ ทองประเสริฐ นิ่มนวล เกิดผล พูลสวัสดิ์ สมบูรณ์ชัย อ่อนละมัย ปานทอง บุญยืน ศรีเมือง",
    "south": "หมัดหลี แก้วประดิษฐ์ ทองแก้ว ชูช่วย ศรีสุวรรณ สุวรรณรัตน์ บัวแก้ว ขาวสุข เพชรสุวรรณ รักษ์ทอง หนูแก้ว ทองขาว ชูแก้ว ด้วงทอง จันทร์ขาว บุญช่วย อินทร์แก้ว สงวนศักดิ์ ศรีทอง หมื่นหนู ทองสม แก้วมณี",
}

ABSENCE_REASONS = [
    "ติดราชการ",
    "ติดราชการ",
    "ติดภารกิจในพื้นที่",
    "ลาป่วย",
    "ติดประชุมหน่วยงานต้นสังกัด",
    "ติดภารกิจส่วนตัว",
]
GUEST_ORGANISATIONS = [
    "สำนักงานเกษตรจังหวัด{province}",
    "สำนักงานพัฒนาชุมชนจังหวัด{province}",
    "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด{province}",
    "การไฟฟ้าส่วนภูมิภาคจังหวัด{province}",
    "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{province}",
]
PAST_TITLES = [
    "ประชุมจัดตั้งคณะทำงานและกำหนดแนวทางการทำงานร่วมกัน",
    "เวทีหารือและระดมความคิดเห็นการพัฒนาแนวทางการทำงานร่วมกันระหว่าง สพจ. และเครือข่าย",
    "เวทีสัมมนานำเสนอร่างโครงการพลังงานชุมชน",
    "ประชุมติดตามความก้าวหน้าศูนย์เรียนรู้และต้นแบบพลังงานชุมชน",
    "ประชุมพิจารณาคัดเลือกร่างโครงการเข้าสู่แผนงานร่วม",
]
UPCOMING_TITLES = [
    "ประชุมสรุปผลการดำเนินงานและจัดทำแผนงานร่วมปีถัดไป",
    "เวทีหารือการบูรณาการงานพลังงานกับธนาคารน้ำใต้ดินและนาแปลงใหญ่",
]
PAST_DAYS = (350, 270, 180, 95, 30)  # days before today: one in the previous Buddhist year
UPCOMING_DAYS = (12, 60)
# Working-group roles given to network people, with the kinds of organisation preferred.
WORKING_GROUP_ROLES = {
    Role.chair: (OrganisationKind.academic_network, OrganisationKind.community_enterprise),
    Role.facilitator: (OrganisationKind.energy_volunteers,),
    Role.observer: (OrganisationKind.local_admin_org, OrganisationKind.community_leaders),
}
WORKING_GROUP_DESCRIPTION = (
    "คณะทำงานระดับภาคของโครงการเชื่อมร้อยเครือข่ายการพัฒนาพลังงานที่ยั่งยืนและเป็นมิตรต่อสิ่งแวดล้อม "
    "ประกอบด้วยสำนักงานพลังงานจังหวัดและเครือข่ายพลังงานภาคประชาชนในจังหวัดนำร่อง ได้แก่ {provinces}"
)
COMMITTEE_DESCRIPTION = (
    "คณะกรรมการระดับประเทศ ประกอบด้วยผู้แทนคณะทำงานพลังงานและสิ่งแวดล้อมชุมชนทั้ง 4 ภาค "
    "โดยมีสำนักส่งเสริมการมีส่วนร่วมของประชาชน กระทรวงพลังงาน เป็นฝ่ายเลขานุการ"
)


@dataclass
class Cast:
    """Who is who in one region (or, for the committee, the ministry), for the memberships."""

    region: Region | None
    provinces: list[Province] = field(default_factory=list)
    energy_officers: list[Person] = field(default_factory=list)  # พลังงานจังหวัด, one per province
    # นักวิเคราะห์นโยบายและแผน of the first two provinces; the second stands in as a deputy
    analysts: list[Person] = field(default_factory=list)
    network: list[tuple[OrganisationKind, Person]] = field(default_factory=list)

    def pick(self, *kinds: OrganisationKind, taken: set[int | None]) -> Person:
        """A network person without a role yet, from the first of these kinds that has one."""
        free = [(kind, person) for kind, person in self.network if person.id not in taken]
        for wanted in kinds:
            for kind, person in free:
                if kind == wanted:
                    return person
        return free[0][1]


@dataclass
class BodyPlan:
    """What the meetings of one body need to know."""

    body: Body
    secretary: Person
    provinces: list[Province]
    region_code: str
    substitutes: dict[int | None, Person]  # member's person id -> who comes in their place
    past_days: tuple[int, ...]
    upcoming_days: tuple[int, ...]
    venues: list[str]
    online_url: str


class NameSource:
    """Realistic Thai names with their titles, never the same name twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.pools: dict[str, list[str]] = {}

    def _draw(self, pool: str, words: str) -> str:
        """The next word of a shuffled pool, reshuffled when it runs out (few repeats)."""
        if not self.pools.get(pool):
            self.pools[pool] = self.rng.sample(words.split(), len(words.split()))
        return self.pools[pool].pop()

    def name(self, region: str, *, academic: bool = False, doctor_chance: float = 0.0) -> str:
        while True:
            female = self.rng.random() < 0.45
            first = self._draw("female", FEMALE) if female else self._draw("male", MALE)
            surname = self._draw(region, SURNAMES[region])
            if academic:
                title = self.rng.choice(["ผศ.ดร.", "ดร.", "รศ.ดร.", "อาจารย์ "])
            elif self.rng.random() < doctor_chance:
                title = "ดร."
            else:
                title = self.rng.choice(["นาง", "นางสาว"]) if female else "นาย"
            full = f"{title}{first} {surname}"
            if full not in self.used:
                self.used.add(full)
                return full


# -- seeding --------------------------------------------------------------------------


def seed(session: Session, progress: Progress = print) -> None:
    """Fill an empty database with the demo programme; a database with bodies is left alone."""
    if session.exec(select(Body.id)).first() is not None:
        progress(
            "The database already has working groups: the demo data was not loaded (nothing changed)."
        )
        return
    rng = random.Random(2562)
    names = NameSource(rng)
    reference.load_reference_data(session)

    progress("Marking the 20 pilot provinces …")
    casts = _pilot_provinces(session)
    progress("Registering the network organisations of each pilot province …")
    network = _organisations(session, casts)
    progress(f"  {sum(len(orgs) for orgs in network.values())} network organisations.")
    progress("Creating people from the energy offices and the networks …")
    ministry, people = _people(session, casts, network, names, rng)
    progress(f"  {people} people.")
    progress("Creating the 4 regional working groups and the committee with their members …")
    plans = _bodies(session, casts, ministry)
    progress("Creating meetings: past ones closed with their attendance, upcoming ones open …")
    count = sum(_meetings(session, plan, names, rng) for plan in plans)
    progress(f"  {count} meetings.")
    progress(f"Demo data ready. Log in with the password {DEMO_PASSWORD} as:")
    progress(f"  {ADMIN_EMAIL}  (site administrator)")
    progress(f"  {SECRETARY_EMAIL}  (secretary of the North working group)")
    progress(f"  {MEMBER_EMAIL}  (member of the North working group)")


def _pilot_provinces(session: Session) -> list[Cast]:
    casts = []
    for code, provinces in pilots().items():
        region = session.exec(select(Region).where(Region.code == code)).one()
        cast = Cast(region)
        for name in provinces:
            province = session.exec(select(Province).where(Province.name_th == name)).one()
            reference.update_province(
                session, SYSTEM, province_id=province.id, region_id=region.id, is_pilot=True
            )
            cast.provinces.append(province)
        casts.append(cast)
    return casts


def _organisations(
    session: Session, casts: list[Cast]
) -> dict[int | None, list[tuple[Organisation, str]]]:
    """Each pilot province's network organisations, with their representative's position."""
    programme = {
        province: orgs for provinces in pilots().values() for province, orgs in provinces.items()
    }
    result: dict[int | None, list[tuple[Organisation, str]]] = {}
    for province in (province for cast in casts for province in cast.provinces):
        result[province.id] = [
            (
                organisations.create_organisation(
                    session, SYSTEM, name=org.name, kind=org.kind, province_id=province.id
                ),
                org.representative_position,
            )
            for org in programme[province.name_th]
        ]
    return result


def _people(
    session: Session,
    casts: list[Cast],
    network: dict[int | None, list[tuple[Organisation, str]]],
    names: NameSource,
    rng: random.Random,
) -> tuple[Cast, int]:
    """Everyone, inserted in one go (accounts normally arrive by invitation), all with the
    demo password. Returns the ministry's cast (its director and analyst serve the
    committee) and how many people were made."""
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow by design
    made: list[Person] = []

    def person(
        name: str,
        position: str,
        organisation: Organisation,
        email: str | None = None,
        *,
        is_admin: bool = False,
    ) -> Person:
        made.append(
            Person(
                display_name=name,
                position=position,
                organisation_id=organisation.id,
                email=email or f"person{len(made) + 1:02d}@wethi.example",
                phone=f"08{rng.randint(1, 9)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                password_hash=password_hash,
                is_admin=is_admin,
            )
        )
        return made[-1]

    ministry_office = organisations.create_organisation(
        session, SYSTEM, name=MINISTRY, kind=OrganisationKind.government_agency
    )
    person(
        "นางสาวกมลชนก ศรีสวัสดิ์",
        "นักวิชาการคอมพิวเตอร์ชำนาญการ (ผู้ดูแลระบบเวที)",
        ministry_office,
        ADMIN_EMAIL,
        is_admin=True,
    )
    for cast in casts:
        assert cast.region is not None
        region = cast.region.code
        for index, province in enumerate(cast.provinces):
            office = session.exec(
                select(Organisation).where(
                    Organisation.province_id == province.id,
                    Organisation.kind == OrganisationKind.provincial_energy_office,
                )
            ).one()
            cast.energy_officers.append(
                person(
                    names.name(region, doctor_chance=0.25), f"พลังงานจังหวัด{province.name_th}", office
                )
            )
            if index < 2:
                email = SECRETARY_EMAIL if region == "north" and index == 0 else None
                cast.analysts.append(
                    person(names.name(region), "นักวิเคราะห์นโยบายและแผนชำนาญการ", office, email)
                )
            for organisation, position in network[province.id]:
                academic = (
                    organisation.kind == OrganisationKind.academic_network
                    and not position.startswith("นักวิจัย")
                )
                email = MEMBER_EMAIL if organisation.name.endswith("บ้านแม่กำปอง") else None
                cast.network.append(
                    (
                        organisation.kind,
                        person(
                            names.name(region, academic=academic), position, organisation, email
                        ),
                    )
                )
    ministry = Cast(None)
    ministry.energy_officers.append(
        person(
            names.name("central", doctor_chance=0.5),
            "ผู้อำนวยการสำนักส่งเสริมการมีส่วนร่วมของประชาชน",
            ministry_office,
        )
    )
    ministry.analysts.append(
        person(names.name("central"), "นักวิเคราะห์นโยบายและแผนชำนาญการพิเศษ", ministry_office)
    )
    session.add_all(made)
    session.flush()
    for row in made:
        privacy.record_consent(session, row.id, purpose=privacy.PURPOSE_ACCOUNT)
        if rng.random() < 0.6:
            privacy.record_consent(session, row.id, purpose=privacy.PURPOSE_CONTACT)
    session.commit()
    return ministry, len(made)


def _add(session: Session, body: Body, person: Person, role: Role) -> None:
    bodies.add_member(session, SYSTEM, body_id=body.id, person_id=person.id, role=role)


def _bodies(session: Session, casts: list[Cast], ministry: Cast) -> list[BodyPlan]:
    """Each working group: a network chair, the lead province's energy officer as vice-chair,
    its analyst as secretary, a volunteer facilitator, an observer, the rest as members
    (the deputy analyst is not a member: they come as a substitute). The committee draws
    its chair and members from the working groups; the ministry holds the secretariat."""
    plans = []
    officers: dict[Role, list[Person]] = {role: [] for role in Role}
    for cast in casts:
        assert cast.region is not None
        body = bodies.create_body(
            session,
            SYSTEM,
            kind=BodyKind.working_group,
            name=WORKING_GROUP.format(region=cast.region.name_th),
            name_en=f"Community Energy and Environment Working Group — {cast.region.name_en}",
            region_id=cast.region.id,
            description=WORKING_GROUP_DESCRIPTION.format(
                provinces=" ".join(p.name_th for p in cast.provinces)
            ),
        )
        taken: set[int | None] = set()
        roles = {Role.vice_chair: cast.energy_officers[0], Role.secretary: cast.analysts[0]}
        for role, kinds in WORKING_GROUP_ROLES.items():
            roles[role] = cast.pick(*kinds, taken=taken)
            taken.add(roles[role].id)
        for role, person in roles.items():
            _add(session, body, person, role)
            officers[role].append(person)
        for person in cast.energy_officers[1:] + [
            person for _kind, person in cast.network if person.id not in taken
        ]:
            _add(session, body, person, Role.member)
        plans.append(
            BodyPlan(
                body=body,
                secretary=cast.analysts[0],
                provinces=cast.provinces,
                region_code=cast.region.code,
                substitutes={cast.energy_officers[1].id: cast.analysts[1]},
                past_days=PAST_DAYS,
                upcoming_days=UPCOMING_DAYS,
                venues=[
                    f"ห้องประชุมสำนักงานพลังงานจังหวัด{province.name_th}" for province in cast.provinces
                ],
                online_url=f"https://meet.wethi.example/{cast.region.code}",
            )
        )
    committee = bodies.create_body(
        session,
        SYSTEM,
        kind=BodyKind.committee,
        name=COMMITTEE[0],
        name_en=COMMITTEE[1],
        description=COMMITTEE_DESCRIPTION,
    )
    _add(session, committee, officers[Role.chair][0], Role.chair)
    _add(session, committee, ministry.energy_officers[0], Role.vice_chair)
    _add(session, committee, ministry.analysts[0], Role.secretary)
    for person in officers[Role.chair][1:] + officers[Role.vice_chair] + officers[Role.secretary]:
        _add(session, committee, person, Role.member)
    _add(session, committee, officers[Role.facilitator][1], Role.facilitator)
    _add(session, committee, officers[Role.observer][3], Role.observer)
    plans.append(
        BodyPlan(
            body=committee,
            secretary=ministry.analysts[0],
            provinces=[province for cast in casts for province in cast.provinces],
            region_code="central",
            substitutes={},
            past_days=(320, 200, 75),
            upcoming_days=(20, 90),
            venues=["ห้องประชุมกระทรวงพลังงาน ชั้น 10 อาคารเอนเนอร์ยี่คอมเพล็กซ์ กรุงเทพมหานคร"],
            online_url="https://meet.wethi.example/committee",
        )
    )
    return plans


# -- meetings -------------------------------------------------------------------------


def _meeting_start(days: int) -> datetime:
    """09.30 Bangkok wall-clock time, `days` from today (negative: past), off the weekend."""
    day = utcnow().astimezone(BANGKOK).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1 if days > 0 else -1)
    return datetime.combine(day, time(9, 30))


def _advance(session: Session, meeting: Meeting, *statuses: MeetingStatus) -> None:
    stages = list(MeetingStatus)  # in lifecycle order
    for status in statuses:
        if stages.index(MeetingStatus(meeting.status)) >= stages.index(status):
            continue  # a demo hook already moved it on
        meetings.advance_status(
            session, SYSTEM, meeting_id=meeting.id, to=status, version=meeting.version
        )
        for hook in DEMO_HOOKS:
            hook(session, meeting)


def _meetings(session: Session, plan: BodyPlan, names: NameSource, rng: random.Random) -> int:
    """The body's past meetings, closed with their attendance, and its upcoming ones."""
    count = 0
    for index, days in enumerate(plan.past_days):
        starts = _meeting_start(-days - rng.randint(0, 6))
        title = PAST_TITLES[index % len(PAST_TITLES)]
        meeting = meetings.create_meeting(
            session,
            SYSTEM,
            body_id=plan.body.id,
            title=title,
            starts_at=starts,
            # a forum (เวที) takes the day; a meeting the morning
            ends_at=starts.replace(hour=16, minute=0)
            if title.startswith("เวที")
            else starts.replace(hour=12, minute=0),
            venue=plan.venues[index % len(plan.venues)],
            online_url=plan.online_url if index % 2 else "",
        )
        _advance(
            session,
            meeting,
            MeetingStatus.agenda_open,
            MeetingStatus.agenda_published,
            MeetingStatus.live,
        )
        _attendance(session, meeting, plan, names, rng)
        _advance(session, meeting, MeetingStatus.closed)
        count += 1
    for index, days in enumerate(plan.upcoming_days):
        starts = _meeting_start(days)
        meeting = meetings.create_meeting(
            session,
            SYSTEM,
            body_id=plan.body.id,
            title=UPCOMING_TITLES[index % len(UPCOMING_TITLES)],
            starts_at=starts,
            ends_at=starts.replace(hour=15, minute=30),
            venue=plan.venues[(len(plan.past_days) + index) % len(plan.venues)],
            online_url=plan.online_url,
        )
        if index == 0:  # the next meeting takes agenda suggestions; the one after is a draft
            _advance(session, meeting, MeetingStatus.agenda_open)
        count += 1
    return count


def _attendance(
    session: Session, meeting: Meeting, plan: BodyPlan, names: NameSource, rng: random.Random
) -> None:
    """Who came: most checked in with the code, a few signed the paper list and were marked
    by the secretary, some were absent with a reason (a deputy substitutes for one), and
    the secretary added a few guests. Inserted directly: check-in refuses a past meeting."""
    start = meeting.starts_at
    secretary = plan.secretary.id
    events: list[tuple[Attendance, AttendanceEventKind, datetime, int | None, str]] = []
    for line in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all():
        substitute = plan.substitutes.get(line.person_id)
        if line.person_id != secretary and rng.random() < (0.45 if substitute else 0.18):
            line.status = AttendanceStatus.absent
            line.absence_reason = "ติดราชการ" if substitute else rng.choice(ABSENCE_REASONS)
            line.updated_at = start - timedelta(hours=rng.randint(2, 48))
            events.append(
                (
                    line,
                    AttendanceEventKind.marked_absent,
                    line.updated_at,
                    secretary,
                    line.absence_reason,
                )
            )
            if substitute:
                checked_in = start - timedelta(minutes=rng.randint(5, 30))
                stand_in = Attendance(
                    meeting_id=meeting.id,
                    person_id=substitute.id,
                    status=AttendanceStatus.guest,
                    substitute_for_id=line.person_id,
                    checked_in_at=checked_in,
                    updated_at=checked_in,
                )
                session.add(stand_in)
                events.append(
                    (stand_in, AttendanceEventKind.check_in, checked_in, substitute.id, "code")
                )
        elif rng.random() < 0.85:
            line.status = AttendanceStatus.present
            line.checked_in_at = line.updated_at = start + timedelta(minutes=rng.randint(-45, 20))
            events.append(
                (line, AttendanceEventKind.check_in, line.checked_in_at, line.person_id, "code")
            )
        else:
            line.status = AttendanceStatus.present
            line.updated_at = start + timedelta(minutes=rng.randint(20, 60))
            events.append(
                (line, AttendanceEventKind.marked_present, line.updated_at, secretary, "")
            )
    province = rng.choice(plan.provinces).name_th
    for _ in range(rng.randint(1, 3)):
        guest = Attendance(
            meeting_id=meeting.id,
            guest_name=names.name(plan.region_code),
            guest_organisation=rng.choice(GUEST_ORGANISATIONS).format(province=province),
            status=AttendanceStatus.guest,
            updated_at=start + timedelta(minutes=rng.randint(0, 30)),
        )
        session.add(guest)
        events.append((guest, AttendanceEventKind.guest_added, guest.updated_at, secretary, ""))
    session.flush()
    session.add_all(
        AttendanceEvent(
            meeting_id=meeting.id,
            attendance_id=line.id,
            kind=kind,
            at=at,
            by_person_id=by,
            detail=detail,
        )
        for line, kind, at, by, detail in events
    )
    session.commit()
