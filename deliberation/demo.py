"""Deliberation's part of the demo programme (forum.demo.DEMO_HOOKS): the North working
group's latest past meeting and its next one get agendas, members' suggestions and
discussions, all through the services (numbering, versions, search, notifications).

- The latest past meeting, at agenda_open: items in the customary parts with presenters
  and time boxes, a suggestion accepted (it becomes item 4.3) and one declined with a
  reason; the secretary publishes the agenda (version 1) and members discuss item 4.1
  (each stance, replies, an @mention) before the seeding holds and closes the meeting.
- The same meeting in session: the secretary takes up each item in turn and records its
  outcome (discussion summary and resolution); the stove project is assigned to be reported
  back, so the next meeting carries it into เรื่องสืบเนื่อง.
- The next meeting, open for suggestions: its new items (part 3 carries the past
  meeting's items over), a pending suggestion with supporters, and a discussion of 4.1.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from deliberation.agenda import agendas, conduct, publishing, suggestions
from deliberation.agenda.models import AgendaItem, AgendaItemKind, AgendaPart
from deliberation.discussion import threads
from deliberation.discussion.models import Post, PostStance
from deliberation.sessions import demo as demo_sessions
from forum import accounts, demo
from forum.db import utcnow
from forum.models import Meeting, MeetingStatus, Membership, Organisation, Person, Role
from forum.policy import Actor

RECENT = timedelta(days=60)  # the latest past meeting of the programme is about a month ago


def seed_deliberation(session: Session, meeting: Meeting) -> None:
    """forum.demo.DEMO_HOOKS: content for the North working group's latest past meeting and
    its next one, once each reaches agenda_open; every other meeting is left as it is."""
    if meeting.status not in (MeetingStatus.agenda_open, MeetingStatus.live):
        return
    secretary = session.exec(select(Person).where(Person.email == demo.SECRETARY_EMAIL)).first()
    if secretary is None:
        return
    cast = Cast(session, meeting, accounts.actor_for(session, secretary))
    if cast.secretary.role_in(meeting.body_id) != Role.secretary:
        return  # not the North working group
    now = utcnow()
    if meeting.status == MeetingStatus.live:
        if now - RECENT < meeting.starts_at < now:
            _past_meeting_outcomes(cast)
    elif now - RECENT < meeting.starts_at < now:
        _past_meeting(cast)
    elif meeting.starts_at > now:
        _next_meeting(cast)
    demo_sessions.seed_sessions(cast)  # live sessions: the past meeting's, the next one's


class Cast:
    """The meeting, its secretary, and the body's members to speak in it."""

    def __init__(self, session: Session, meeting: Meeting, secretary: Actor) -> None:
        self.session, self.meeting, self.secretary = session, meeting, secretary
        self.members = session.exec(
            select(Person, Membership.role, Organisation.name)
            .join(Membership, col(Membership.person_id) == Person.id)
            .join(Organisation, col(Organisation.id) == Person.organisation_id)
            .where(Membership.body_id == meeting.body_id)
            .order_by(col(Person.id))
        ).all()

    def person(self, *, role: Role | None = None, organisation: str = "") -> Person:
        """The member with this role, or from an organisation whose name holds the text."""
        for person, their_role, organisation_name in self.members:
            if (role is None or their_role == role) and organisation in organisation_name:
                return person
        return next(person for person, their_role, _name in self.members if their_role == role)

    def actor(self, person: Person) -> Actor:
        return accounts.actor_for(self.session, person)

    def part(self, kind: AgendaItemKind) -> int:
        agenda, _meeting = agendas.ensure_agenda(
            self.session, self.secretary, meeting_id=self.meeting.id
        )
        part_id = self.session.exec(
            select(AgendaPart.id)
            .where(AgendaPart.agenda_id == agenda.id, AgendaPart.kind == kind)
            .order_by(col(AgendaPart.position))
        ).first()
        assert part_id is not None
        return part_id

    def version(self) -> int:
        agenda, _meeting = agendas.ensure_agenda(
            self.session, self.secretary, meeting_id=self.meeting.id
        )
        return agenda.version

    def item(
        self, kind: AgendaItemKind, title: str, presenter: Person, minutes: int, text: str = ""
    ) -> int:
        item = agendas.add_item(
            self.session,
            self.secretary,
            meeting_id=self.meeting.id,
            version=self.version(),
            part_id=self.part(kind),
            title=title,
            description=text,
            presenter_id=presenter.id,
            time_box_minutes=minutes,
        )
        assert item.id is not None
        return item.id

    def post(
        self,
        person: Person,
        item_id: int,
        text: str,
        stance: PostStance | None = None,
        reply_to: Post | None = None,
    ) -> Post:
        return threads.create_post(
            self.session,
            self.actor(person),
            meeting_id=self.meeting.id,
            item_id=item_id,
            body=text,
            stance=stance,
            parent_id=reply_to.id if reply_to else None,
        )


def _past_meeting(cast: Cast) -> None:
    chair = cast.person(role=Role.chair)
    officer = cast.person(role=Role.vice_chair)  # พลังงานจังหวัดเชียงใหม่
    volunteers = cast.person(role=Role.facilitator)  # อส.พน.
    mae_kampong = cast.person(organisation="แม่กำปอง")
    nan = cast.person(organisation="เตาชีวมวล")
    lampang = cast.person(organisation="ทุ่งผึ้ง")
    chiang_rai = cast.person(organisation="แม่ยาว")
    K = AgendaItemKind
    cast.item(
        K.information,
        "แจ้งผลการคัดเลือกต้นแบบพลังงานชุมชนภาคเหนือ 10 ต้นแบบ",
        chair,
        10,
    )
    solar = cast.item(
        K.consideration,
        "ขออนุมัติโครงการโซลาร์รูฟท็อปศูนย์เรียนรู้ชุมชน",
        officer,
        45,
        "ติดตั้งระบบผลิตไฟฟ้าจากพลังงานแสงอาทิตย์บนหลังคา ขนาด 10 กิโลวัตต์ "
        "ที่ศูนย์เรียนรู้พลังงานชุมชนบ้านแม่กำปอง อำเภอแม่ออน จังหวัดเชียงใหม่\n\n"
        "- งบประมาณ 450,000 บาท (งบพัฒนาจังหวัดร่วมกับวิสาหกิจชุมชน)\n"
        "- ลดค่าไฟฟ้าของศูนย์ได้ประมาณร้อยละ 60\n"
        "- ใช้เป็นจุดสาธิตและหลักสูตรประจำศูนย์สำหรับชุมชนใกล้เคียง\n\n"
        "**ขอให้ที่ประชุมพิจารณาอนุมัติ** ให้บรรจุเข้าสู่แผนงานร่วมระหว่าง สพจ. และเครือข่าย",
    )
    cast.item(
        K.consideration,
        "แผนอบรม อส.พน. ด้านการประหยัดพลังงานในครัวเรือน รุ่นที่ 2",
        volunteers,
        30,
        "อบรมอาสาสมัครพลังงาน (อส.พน.) 40 คนจาก 5 จังหวัดนำร่อง หลักสูตร 2 วัน "
        "เพื่อเป็นนักส่งเสริมและสื่อสารพลังงานชุมชน ขยายผลสู่ครัวเรือนในพื้นที่",
    )
    accepted = suggestions.suggest_item(
        cast.session,
        cast.actor(nan),
        meeting_id=cast.meeting.id,
        title="ขยายผลเตาชีวมวลประหยัดพลังงานสู่ครัวเรือนในจังหวัดน่าน",
        rationale="บ้านน้ำเกี๋ยนผลิตเตาได้เดือนละ 80 ใบ ครัวเรือนที่ใช้แล้วลดการใช้ฟืนได้ครึ่งหนึ่ง "
        "ขอเสนอให้บรรจุเป็นร่างโครงการเพื่อขยายผล 300 ครัวเรือน",
    )
    suggestions.support_suggestion(
        cast.session, cast.actor(lampang), suggestion_id=accepted.id, meeting_id=cast.meeting.id
    )
    declined = suggestions.suggest_item(
        cast.session,
        cast.actor(chiang_rai),
        meeting_id=cast.meeting.id,
        title="ศึกษาดูงานโซลาร์ฟาร์มชุมชนที่ประเทศญี่ปุ่น",
        rationale="เพื่อนำแนวทางการบริหารโซลาร์ฟาร์มโดยชุมชนมาปรับใช้ในภาคเหนือ",
    )
    suggestions.answer_suggestion(
        cast.session,
        cast.secretary,
        suggestion_id=accepted.id,
        answer="accept",
        meeting_id=cast.meeting.id,
        version=cast.version(),
        part_id=cast.part(K.consideration),
    )
    suggestions.answer_suggestion(
        cast.session,
        cast.secretary,
        suggestion_id=declined.id,
        answer="decline",
        meeting_id=cast.meeting.id,
        reason="งบประมาณของโครงการปีนี้ไม่ครอบคลุมการศึกษาดูงานต่างประเทศ "
        "ขอให้เสนอเป็นการศึกษาดูงานศูนย์เรียนรู้ต้นแบบในภาคเหนือแทนในการประชุมครั้งถัดไป",
    )
    publishing.publish_agenda(
        cast.session, cast.secretary, meeting_id=cast.meeting.id, version=cast.version()
    )
    P = PostStance
    first = cast.post(
        mae_kampong,
        solar,
        "เห็นด้วยครับ ศูนย์เรียนรู้จ่ายค่าไฟเดือนละประมาณ 4,000 บาท ถ้าติดตั้งโซลาร์รูฟท็อป "
        "จะลดค่าไฟได้เกินครึ่ง และใช้เป็นจุดสาธิตให้ชาวบ้านกับนักท่องเที่ยวได้เรียนรู้ด้วย",
        P.in_favour,
    )
    cast.post(
        officer,
        solar,
        "ขอบคุณครับ ฝากเตรียมใบแจ้งค่าไฟฟ้าย้อนหลัง 12 เดือนมาประกอบการพิจารณาด้วยครับ",
        reply_to=first,
    )
    cast.post(
        lampang,
        solar,
        "ไม่ได้ค้านโครงการครับ แต่ยังไม่เห็นด้วยกับขนาด 10 กิโลวัตต์ ศูนย์ใช้ไฟกลางวันไม่มาก "
        "ควรเริ่มที่ 5 กิโลวัตต์ แล้วนำงบส่วนที่เหลือไปทำต้นแบบในจังหวัดอื่น",
        P.against,
    )
    question = cast.post(
        chiang_rai,
        solar,
        "หลังติดตั้งแล้วใครจะรับผิดชอบค่าบำรุงรักษาและการล้างแผงครับ "
        f"@[{volunteers.display_name}] ช่วยให้ข้อมูลว่า อส.พน. ดูแลได้หรือไม่",
        P.question,
    )
    cast.post(
        volunteers,
        solar,
        "อส.พน. เชียงใหม่พร้อมดูแลครับ จะอบรมการล้างแผงและตรวจระบบเบื้องต้นให้คนในหมู่บ้าน "
        "4 คน ตามแผนอบรมในวาระ 4.2",
        reply_to=question,
    )
    cast.post(
        chair,
        solar,
        "ข้อมูลจากศูนย์วิจัยพลังงานชุมชน มหาวิทยาลัยแม่โจ้: ความเข้มแสงอาทิตย์ที่อำเภอแม่ออนเฉลี่ย "
        "4.8 กิโลวัตต์ชั่วโมงต่อตารางเมตรต่อวัน ระบบ 10 กิโลวัตต์ผลิตไฟฟ้าได้ราว 1,200 หน่วยต่อเดือน "
        "คืนทุนประมาณ 6–7 ปี",
        P.information,
    )


# What the North working group's latest past meeting decided, item by item in agenda order
# (1.1, 2.1 when there was an earlier meeting, 4.1, 4.2, 4.3): the outcome, the minutes the
# item took, the discussion summary (สรุปการอภิปราย) and the resolution (มติที่ประชุม).
PAST_OUTCOMES: dict[str, tuple[str, int, str, str]] = {
    "แจ้งผลการคัดเลือกต้นแบบ": (
        "noted",
        8,
        "ประธานแจ้งผลการคัดเลือกต้นแบบพลังงานชุมชนภาคเหนือ 10 ต้นแบบ จาก 5 จังหวัดนำร่อง "
        "โดยบ้านแม่กำปองและบ้านน้ำเกี๋ยนได้รับคัดเลือกเป็นศูนย์เรียนรู้ต้นแบบ",
        "ที่ประชุมรับทราบ",
    ),
    "รับรองรายงานการประชุม": (
        "approved",
        3,
        "",
        "ที่ประชุมมีมติรับรองรายงานการประชุมโดยไม่มีการแก้ไข",
    ),
    "โซลาร์รูฟท็อป": (
        "approved",
        52,
        "ที่ประชุมอภิปรายเรื่องขนาดของระบบ ผู้แทนจังหวัดลำปางเสนอให้เริ่มที่ 5 กิโลวัตต์ "
        "ศูนย์วิจัยพลังงานชุมชน มหาวิทยาลัยแม่โจ้ ให้ข้อมูลว่าระบบ 10 กิโลวัตต์คืนทุนประมาณ 6–7 ปี "
        "และ อส.พน. เชียงใหม่รับจะอบรมคนในหมู่บ้านให้ดูแลระบบเบื้องต้น",
        "ที่ประชุมเห็นชอบโครงการโซลาร์รูฟท็อปศูนย์เรียนรู้ชุมชนบ้านแม่กำปอง ขนาด 10 กิโลวัตต์ "
        "งบประมาณ 450,000 บาท ให้บรรจุในแผนงานร่วมระหว่าง สพจ. และเครือข่าย และมอบหมาย"
        "สำนักงานพลังงานจังหวัดเชียงใหม่ร่วมกับวิสาหกิจชุมชนจัดทำแผนบำรุงรักษาระบบ",
    ),
    "แผนอบรม อส.พน.": (
        "approved",
        24,
        "ที่ประชุมเสนอให้เพิ่มเนื้อหาการดูแลระบบโซลาร์เซลล์และเตาชีวมวลในหลักสูตร",
        "ที่ประชุมเห็นชอบแผนอบรม อส.พน. รุ่นที่ 2 จำนวน 40 คน จาก 5 จังหวัดนำร่อง "
        "โดยเพิ่มหัวข้อการดูแลรักษาระบบพลังงานชุมชนในหลักสูตร",
    ),
    "เตาชีวมวล": (
        "assigned",
        15,
        "ที่ประชุมเห็นว่าผลการใช้เตาชีวมวลที่บ้านน้ำเกี๋ยนลดการใช้ฟืนได้จริง "
        "แต่ยังขาดข้อมูลต้นทุนต่อครัวเรือนและแหล่งงบประมาณสมทบ",
        "มอบหมายสำนักงานพลังงานจังหวัดน่านร่วมกับวิสาหกิจชุมชนบ้านน้ำเกี๋ยนจัดทำร่างโครงการ"
        "ขยายผลเตาชีวมวลประหยัดพลังงาน 300 ครัวเรือน แล้วรายงานผลในการประชุมครั้งต่อไป",
    ),
}


def _past_meeting_outcomes(cast: Cast) -> None:
    """The meeting in session: each item taken up in turn and its outcome recorded, through
    the services; then each item's time set to what it took that morning (the services
    count from now, the meeting was weeks ago)."""
    session, meeting_id = cast.session, cast.meeting.id
    agenda, _meeting = agendas.ensure_agenda(session, cast.secretary, meeting_id=meeting_id)
    started = cast.meeting.starts_at + timedelta(minutes=10)  # after the opening
    for item in agendas.items_of(session, agenda.id):  # type: ignore[arg-type]
        found = next((text for key, text in PAST_OUTCOMES.items() if key in item.title), None)
        if found is None:
            continue
        outcome, minutes, summary, resolution = found
        conduct.change_current_item(
            session, cast.secretary, meeting_id=meeting_id, to="item", item_id=item.id
        )
        conduct.record_outcome(
            session,
            cast.secretary,
            meeting_id=meeting_id,
            item_id=item.id,  # type: ignore[arg-type]
            version=item.outcome_version,
            outcome=outcome,
            discussion_summary=summary,
            resolution=resolution,
        )
        row = session.get(AgendaItem, item.id)
        assert row is not None
        row.started_at, row.time_spent_seconds = started, minutes * 60
        row.outcome_at = started + timedelta(minutes=minutes)
        started += timedelta(minutes=minutes + 2)
        session.add(row)
        session.commit()
    conduct.change_current_item(session, cast.secretary, meeting_id=meeting_id, to="stop")


def _next_meeting(cast: Cast) -> None:
    K = AgendaItemKind
    secretary = cast.session.get(Person, cast.secretary.person_id)
    assert secretary is not None
    mae_kampong = cast.person(organisation="แม่กำปอง")
    officer = cast.person(role=Role.vice_chair)
    observer = cast.person(role=Role.observer)
    cast.item(K.information, "สรุปผลการอบรม อส.พน. รุ่นที่ 2", cast.person(role=Role.facilitator), 15)
    plan = cast.item(
        K.consideration,
        "ร่างแผนงานร่วมระหว่าง สพจ. และเครือข่ายพลังงานภาคประชาชนภาคเหนือ ปีถัดไป",
        secretary,
        60,
        "ร่างแผนงานรวม 8 โครงการจาก 5 จังหวัดนำร่อง เป้าหมายขยายผล 2,000 ครัวเรือน "
        "ลดการใช้พลังงานลงร้อยละ 20",
    )
    cast.item(
        K.consideration,
        "การบูรณาการงานพลังงานกับธนาคารน้ำใต้ดินและนาแปลงใหญ่",
        cast.person(role=Role.chair),
        30,
    )
    pending = suggestions.suggest_item(
        cast.session,
        cast.actor(mae_kampong),
        meeting_id=cast.meeting.id,
        title="จัดตั้งกองทุนหมุนเวียนพลังงานชุมชนระดับภาค",
        rationale="ให้ครัวเรือนกู้ยืมติดตั้งโซลาร์เซลล์และเตาประหยัดพลังงาน แล้วผ่อนคืนจากค่าไฟที่ประหยัดได้",
    )
    for supporter in (officer, observer):
        suggestions.support_suggestion(
            cast.session,
            cast.actor(supporter),
            suggestion_id=pending.id,
            meeting_id=cast.meeting.id,
        )
    P = PostStance
    cast.post(
        officer,
        plan,
        "เห็นด้วยกับร่างแผนงานครับ ขอให้แต่ละจังหวัดส่งร่างโครงการอย่างน้อยจังหวัดละ 1 โครงการ "
        "ภายในสิ้นเดือนนี้ เพื่อเสนอขอรับงบประมาณได้ทันรอบถัดไป",
        P.in_favour,
    )
    question = cast.post(
        mae_kampong,
        plan,
        f"@[{secretary.display_name}] ร่างแผนงานนี้รวมการขยายผลเตาชีวมวลที่น่านตามมติครั้งที่แล้วไว้ด้วยหรือยังครับ",
        P.question,
    )
    cast.post(
        observer,
        plan,
        "รวมไว้แล้วในโครงการที่ 3 ครับ อบต. พร้อมสมทบงบประมาณส่วนหนึ่งสำหรับครัวเรือนกลุ่มเปราะบาง",
        reply_to=question,
    )

