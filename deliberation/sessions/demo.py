"""Live sessions in the demo programme (called from deliberation.demo's seeding), all
through the services, with a hall of guests by their Thai nicknames (devices' tokens made
by join_session) and the demo member joining as themselves:

- The North working group's latest past meeting, while it is in session (a closed meeting
  refuses a new session): a brainstorm on next year's community-energy projects — ideas
  with votes, a duplicate merged, an off-topic idea hidden, themes accepted from Wethi's
  suggestions, a closed quick poll with its results, a theme kept as a proposal draft —
  then closed.
- Its next meeting, once open for suggestions: the past session's solar theme taken
  forward into an agenda item (its page shows "From the live session"), and an open
  session on the community's energy problems with ideas, votes and an open poll being
  answered (no timer: a countdown would have run out by the time the demo is opened).

Each is seeded once: a meeting that already has the session (or the promotion) is left as
it is, as the rest of the demo's seeding is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from deliberation.sessions import clusters, followup, ideas, polls, sessions
from deliberation.sessions.models import (
    IdeaStatus,
    LiveCluster,
    LiveIdea,
    LiveParticipant,
    LivePromotion,
    LiveSession,
    PromotionTarget,
)
from forum import accounts, demo
from forum.db import utcnow
from forum.models import Meeting, MeetingStatus, Person, Role
from forum.policy import ANONYMOUS, Actor

if TYPE_CHECKING:
    from deliberation.demo import Cast

CLOSED_PROMPT = "ชุมชนของท่านอยากเห็นโครงการพลังงานแบบใดในปีหน้า"
OPEN_PROMPT = "ปัญหาพลังงานที่ชุมชนของท่านพบบ่อยที่สุดคืออะไร"
MEMBER = "ตัวแทนบ้านแม่กำปอง"  # the demo member's nickname when joining as themselves
VOLUNTEER = (
    "อส.พน."  # the working group's energy volunteer joins as themselves: อส.พน. <first name>
)
TITLES = ("ผศ.ดร.", "รศ.ดร.", "ดร.", "อาจารย์", "นางสาว", "นาง", "นาย")


@dataclass(frozen=True)
class DemoIdea:
    author: str  # a participant's nickname
    text: str
    votes: int
    theme: str = ""  # a key of THEMES, or none (left ungrouped)


# -- the past meeting's brainstorm ------------------------------------------------------------

GUESTS = (
    "ป้าแดง",
    "ลุงมี",
    "ครูสมศรี",
    "ผู้ใหญ่บ้านทองดี",
    "อส.พน. วิชัย",
    "หมอนิด อสม.",
    "ลุงจันทร์ ฟาร์มหมู",
    "น้องมิว",
    "พี่บอย สหกรณ์",
    "แม่หลวงคำ",
    "ส.อบต. ประเสริฐ",
    "ยายบัว",
    "จ่าเปี๊ยก",
    "พี่นก ไวยาวัจกร",
    "ลุงเสาร์ สวนลำไย",
)

THEMES = {
    "solar": "พลังงานแสงอาทิตย์สำหรับโรงเรียน วัด และพื้นที่สาธารณะ",
    "biogas": "ก๊าซชีวภาพและชีวมวลจากของเหลือในชุมชน",
    "farm": "พลังงานแสงอาทิตย์เพื่อการเกษตรและประปาหมู่บ้าน",
    "community": "ชุมชนจัดการพลังงานเอง: กองทุน ไมโครกริด และช่างชุมชน",
}
PROMOTED_THEME = "solar"  # to the next meeting's agenda
DRAFT_THEME = "biogas"  # kept as a project-proposal draft

SOLAR_SCHOOL = (
    "ติดโซลาร์รูฟท็อปบนหลังคาโรงเรียน ลดค่าไฟฟ้าของโรงเรียนที่ตกเดือนละหลายพันบาท "
    "และให้นักเรียนได้เรียนรู้เรื่องพลังงานแสงอาทิตย์จากของจริง"
)
DUPLICATE = "อยากให้โรงเรียนในตำบลติดโซล่าเซลล์บนหลังคา ประหยัดค่าไฟ เอาเงินไปซื้ออุปกรณ์การเรียน"
OFF_TOPIC = "ถนนเข้าหมู่บ้านเป็นหลุมเป็นบ่อ ฝากผู้ใหญ่บ้านช่วยแจ้ง อบต. ให้ซ่อมด่วนครับ"

CLOSED_IDEAS = (
    DemoIdea("ครูสมศรี", SOLAR_SCHOOL, 12, "solar"),
    DemoIdea(
        "ลุงมี", "ระบบสูบน้ำพลังงานแสงอาทิตย์สำหรับแปลงนาและสวน แทนเครื่องสูบน้ำดีเซลที่ค่าน้ำมันแพงขึ้นทุกปี", 11, "farm"
    ),
    DemoIdea(
        "ลุงจันทร์ ฟาร์มหมู",
        "ทำบ่อหมักก๊าซชีวภาพจากมูลสุกรในฟาร์มหมู ต่อท่อก๊าซไปให้บ้านรอบฟาร์มใช้หุงต้มแทนแก๊สถัง",
        10,
        "biogas",
    ),
    DemoIdea(
        "พี่นก ไวยาวัจกร",
        "ติดแผงโซลาร์เซลล์บนหลังคาศาลาการเปรียญของวัด ช่วงงานบุญใช้ไฟทั้งวัน ค่าไฟเดือนละเกือบ 3,000 บาท",
        9,
        "solar",
    ),
    DemoIdea(
        "พี่บอย สหกรณ์",
        "ตั้งกองทุนพลังงานชุมชนให้ครัวเรือนกู้ไปติดโซลาร์เซลล์ แล้วผ่อนคืนจากค่าไฟที่ประหยัดได้ในแต่ละเดือน",
        10,
        "community",
    ),
    DemoIdea(
        "ป้าแดง",
        "ฟาร์มหมูท้ายหมู่บ้านส่งกลิ่นเหม็นมาก ถ้าเอาขี้หมูไปทำไบโอแก๊สได้ ทั้งลดกลิ่นและได้แก๊สหุงข้าว",
        7,
        "biogas",
    ),
    DemoIdea(
        "ผู้ใหญ่บ้านทองดี",
        "เปลี่ยนไฟส่องสว่างถนนในหมู่บ้านเป็นโคมไฟ LED พลังงานแสงอาทิตย์ กลางคืนสว่างและปลอดภัยขึ้น",
        9,
        "solar",
    ),
    DemoIdea(
        "หมอนิด อสม.",
        "รพ.สต. ควรติดโซลาร์เซลล์พร้อมแบตเตอรี่สำรอง ตู้เย็นเก็บวัคซีนจะได้ไม่เสียตอนไฟดับ",
        8,
        "solar",
    ),
    DemoIdea(
        MEMBER,
        "ไมโครกริดชุมชน ต่อยอดไฟฟ้าพลังน้ำขนาดเล็กที่หมู่บ้านมีอยู่ ร่วมกับโซลาร์เซลล์และแบตเตอรี่ ให้มีไฟใช้ตอนสายส่งขัดข้อง",
        7,
        "community",
    ),
    DemoIdea("น้องมิว", DUPLICATE, 4, "solar"),
    DemoIdea(
        "ผู้ใหญ่บ้านทองดี",
        "ระบบประปาหมู่บ้านใช้ปั๊มน้ำไฟฟ้า ค่าไฟเดือนละหมื่นกว่าบาท ควรเปลี่ยนเป็นปั๊มพลังงานแสงอาทิตย์",
        8,
        "farm",
    ),
    DemoIdea(
        "อส.พน. วิชัย",
        "อบรมการประหยัดพลังงานในครัวเรือนทุกหมู่บ้าน สอนอ่านบิลค่าไฟ เลือกฉลากเบอร์ 5 และถอดปลั๊กเมื่อไม่ใช้",
        6,
    ),
    DemoIdea(
        "ลุงเสาร์ สวนลำไย",
        "เอากิ่งลำไยที่ตัดแต่งทุกปีมาอัดเป็นแท่งเชื้อเพลิงชีวมวล ดีกว่าเผาทิ้งจนเกิดหมอกควัน",
        6,
        "biogas",
    ),
    DemoIdea("ลุงมี", OFF_TOPIC, 0),
    DemoIdea(
        "ลุงเสาร์ สวนลำไย", "สูบน้ำด้วยโซลาร์เซลล์ขึ้นถังพักบนเนิน แล้วปล่อยน้ำหยดในสวนลำไยช่วงหน้าแล้ง", 5, "farm"
    ),
    DemoIdea(
        "จ่าเปี๊ยก",
        "อบรมช่างชุมชนให้ล้างแผงและซ่อมบำรุงโซลาร์เซลล์กับอินเวอร์เตอร์ได้เอง ไม่ต้องรอช่างจากในเมือง",
        5,
        "community",
    ),
    DemoIdea(
        "ส.อบต. ประเสริฐ",
        "ให้วิสาหกิจชุมชนเป็นเจ้าของโซลาร์ฟาร์มขนาดเล็ก ขายไฟคืนการไฟฟ้า แล้วนำรายได้เข้ากองทุนหมู่บ้าน",
        5,
        "community",
    ),
    DemoIdea("ยายบัว", "ส่งเสริมบ่อก๊าซชีวภาพแบบถุงพลาสติกสำหรับบ้านที่เลี้ยงวัวสองสามตัว ลงทุนไม่แพง", 4, "biogas"),
    DemoIdea(
        "จ่าเปี๊ยก", "หมู่บ้านบนดอยที่สายส่งไฟฟ้าไปไม่ถึง ควรมีระบบไฟฟ้าชุมชนขนาดเล็กของตัวเอง", 4, "community"
    ),
    DemoIdea(
        "ส.อบต. ประเสริฐ",
        "ติดโซลาร์เซลล์บนหลังคาที่ทำการ อบต. และศูนย์พัฒนาเด็กเล็ก ให้เป็นตัวอย่างแก่ชาวบ้าน",
        3,
        "solar",
    ),
    DemoIdea("แม่หลวงคำ", "ให้กลุ่มผู้ใช้น้ำมีเครื่องสูบน้ำโซลาร์เซลล์แบบเคลื่อนที่ ใช้หมุนเวียนกันหลายแปลง", 3, "farm"),
    DemoIdea(
        "ครูสมศรี", "เศษอาหารจากโรงอาหารโรงเรียนเอาไปหมักทำก๊าซชีวภาพ ใช้ในโรงครัวของโรงเรียน", 3, "biogas"
    ),
    DemoIdea("หมอนิด อสม.", "จัดประกวดหมู่บ้านประหยัดไฟ ให้รางวัลหมู่บ้านที่ลดค่าไฟได้มากที่สุดในอำเภอ", 3),
    DemoIdea(
        "ป้าแดง", "อยากให้ศูนย์เรียนรู้ชุมชนติดโซลาร์รูฟท็อป ชาวบ้านจะได้มาดูของจริงก่อนตัดสินใจติดที่บ้าน", 2, "solar"
    ),
    DemoIdea("น้องมิว", "ให้นักเรียนเป็นนักสืบพลังงาน สำรวจการใช้ไฟในบ้านตัวเองแล้วมานำเสนอที่โรงเรียน", 2),
)

CLOSED_POLL = "โครงการใดควรทำก่อน"
CLOSED_POLL_OPTIONS = (
    "โซลาร์รูฟท็อปบนโรงเรียน วัด และ รพ.สต.",
    "ก๊าซชีวภาพจากฟาร์มสุกร",
    "ระบบสูบน้ำพลังงานแสงอาทิตย์เพื่อการเกษตร",
    "กองทุนพลังงานชุมชน",
)
# Each participant's answer (an option's index), in the order they joined; the last abstains.
CLOSED_POLL_ANSWERS = (0, 2, 0, 2, 3, 0, 1, 0, 3, 2, 0, 1, 0, 0, 2)

PROMOTED_TITLE = "โครงการพลังงานแสงอาทิตย์สำหรับโรงเรียน วัด และ รพ.สต. (ข้อเสนอจากเวทีระดมความคิดเห็น)"
PROMOTED_BODY = (  # the item's page lists the theme's ideas with their votes itself
    "ข้อเสนอจากเวทีระดมความคิดเห็น “{prompt}” ในการประชุมครั้งที่แล้ว "
    "ประเด็นนี้ได้รับคะแนนโหวตสูงสุด และผู้เข้าร่วมเลือกให้ทำก่อนในโพลด่วน "
    "ขอให้ที่ประชุมพิจารณามอบหมายสำนักงานพลังงานจังหวัดร่วมกับเครือข่ายจัดทำร่างโครงการ"
)
DRAFT_TITLE = "ร่างโครงการก๊าซชีวภาพจากฟาร์มสุกรเพื่อครัวเรือนรอบฟาร์ม"


# -- the next meeting's open session -------------------------------------------------------

OPEN_GUESTS = (
    "ป้าจันทร์",
    "ลุงคำ",
    "พี่ต้อม",
    "ครูวัฒน์",
    "น้องเบียร์",
    "แม่อุ๊ยแก้ว",
    "ผู้ช่วยฯ สมบัติ",
    "พี่แอน รพ.สต.",
    "ป้าแดง",
)
OPEN_IDEAS = (
    DemoIdea("ป้าจันทร์", "ค่าไฟฟ้าแพงขึ้นทุกเดือน โดยเฉพาะหน้าร้อนที่ต้องเปิดพัดลมทั้งวันทั้งคืน", 7),
    DemoIdea("ลุงคำ", "ไฟดับบ่อยช่วงหน้าฝน ต้นไม้ล้มทับสายไฟ บางครั้งดับครึ่งวัน", 6),
    DemoIdea("พี่ต้อม", "ไฟตกช่วงหัวค่ำ หลอดไฟกะพริบ ตู้เย็นกับปั๊มน้ำเสียง่าย", 4),
    DemoIdea("แม่อุ๊ยแก้ว", "ฟืนหายากขึ้น ต้องเข้าป่าไกลกว่าเดิม และควันไฟในครัวทำให้แสบตา", 3),
    DemoIdea("ป้าแดง", "ราคาแก๊สหุงต้มแพง ถังละเกือบ 400 บาท", 5),
    DemoIdea("ผู้ช่วยฯ สมบัติ", "ค่าน้ำมันดีเซลสำหรับสูบน้ำเข้านาแพงมาก หน้าแล้งต้องสูบทุกวัน", 5),
    DemoIdea("ครูวัฒน์", "ชาวบ้านไม่รู้ว่าติดโซลาร์เซลล์แล้วคุ้มหรือไม่ ไม่รู้จะไปปรึกษาใคร", 4),
    DemoIdea(VOLUNTEER, "แผงโซลาร์ที่ติดไว้ที่ศาลาหมู่บ้านเสีย ไม่มีช่างมาซ่อม ทิ้งไว้สองปีแล้ว", 3),
    DemoIdea("น้องเบียร์", "ไฟทางในหมู่บ้านดับหลายจุด กลางคืนมืด เด็กกลับจากโรงเรียนไม่ปลอดภัย", 2),
    DemoIdea("พี่แอน รพ.สต.", "หมอกควันจากการเผาตอซังข้าวโพดช่วงเดือนมีนาคม ชาวบ้านป่วยทางเดินหายใจ", 1),
    DemoIdea(MEMBER, "ศูนย์เรียนรู้ใช้ไฟกลางวันมาก ค่าไฟตกเดือนละประมาณ 4,000 บาท", 0),
)
OPEN_POLL = "ครัวเรือนของท่านจ่ายค่าไฟฟ้าเดือนละประมาณเท่าใด"
OPEN_POLL_OPTIONS = ("ไม่เกิน 500 บาท", "501–1,000 บาท", "1,001–2,000 บาท", "มากกว่า 2,000 บาท")
OPEN_POLL_ANSWERS = (1, 2, 1, 0, 1, 0, 2, 3)  # the first eight to join; the rest not yet


# -- seeding -----------------------------------------------------------------------------------


def seed_sessions(cast: Cast) -> None:
    """deliberation.demo's seeding, at each stage of the North working group's meetings:
    the past meeting's brainstorm while it is in session, the next meeting's promotion
    and open session once it takes suggestions; nothing for any other meeting."""
    from deliberation.demo import RECENT  # (deliberation.demo imports this module)

    meeting, now = cast.meeting, utcnow()
    if meeting.status == MeetingStatus.live and now - RECENT < meeting.starts_at < now:
        _closed_session(cast)
    elif meeting.status == MeetingStatus.agenda_open and meeting.starts_at > now:
        _promote_theme(cast)
        _open_session(cast)


def _existing(session: Session, meeting_id: int | None, prompt: str) -> LiveSession | None:
    return session.exec(
        select(LiveSession).where(
            LiveSession.meeting_id == meeting_id, LiveSession.prompt == prompt
        )
    ).first()


class Hall:
    """A session's participants by nickname: guests with their devices, members as
    themselves."""

    def __init__(self, cast: Cast, live: LiveSession) -> None:
        self.cast, self.live = cast, live
        self.people: dict[str, LiveParticipant] = {}

    def join(self, nickname: str, actor: Actor = ANONYMOUS, *, key: str = "") -> None:
        participant, _token = sessions.join_session(
            self.cast.session, actor, code=self.live.code, nickname=nickname, consent=True
        )
        self.people[key or nickname] = participant

    def join_member(self, key: str, email: str | None, nickname: str = "") -> None:
        person = self.cast.session.exec(select(Person).where(Person.email == email)).first()
        if person is not None:
            actor = accounts.actor_for(self.cast.session, person)
            self.join(nickname or key, actor, key=key)

    def send(self, rows: tuple[DemoIdea, ...]) -> list[LiveIdea]:
        """Each idea from its author (a missing member's by the first guest), then its
        votes from the others, in a rotating order so that no one votes for everything."""
        sent = []
        names = list(self.people)
        for number, row in enumerate(rows):
            author = self.people.get(row.author) or self.people[names[0]]
            idea, _created = ideas.submit_idea(
                self.cast.session, author, text=row.text, key=f"demo-{self.live.id}-{number:03d}"
            )
            sent.append(idea)
        for number, (row, idea) in enumerate(zip(rows, sent, strict=True)):
            start = (number * 7) % len(names)
            voters = [
                self.people[name]
                for name in names[start:] + names[:start]
                if self.people[name].id != idea.participant_id
            ]
            for voter in voters[: row.votes]:
                ideas.vote_idea(self.cast.session, voter, idea_id=idea.id)  # type: ignore[arg-type]
        return sent

    def answer(self, poll_id: int, choices: tuple[int, ...]) -> None:
        options = self.cast.session.exec(
            select(polls.LivePollOption.id)
            .where(polls.LivePollOption.poll_id == poll_id)
            .order_by(col(polls.LivePollOption.position))
        ).all()
        for participant, choice in zip(self.people.values(), choices, strict=False):
            polls.answer_poll(
                self.cast.session, participant, poll_id=poll_id, option_ids=options[choice]
            )


def _closed_session(cast: Cast) -> None:
    session, secretary = cast.session, cast.secretary
    if _existing(session, cast.meeting.id, CLOSED_PROMPT) is not None:
        return
    live = sessions.open_session(
        session,
        secretary,
        meeting_id=cast.meeting.id,
        prompt=CLOSED_PROMPT,  # type: ignore[arg-type]
    )
    hall = Hall(cast, live)
    for nickname in GUESTS:
        hall.join(nickname)
    hall.join_member(MEMBER, demo.MEMBER_EMAIL)
    sent = hall.send(CLOSED_IDEAS)
    by_text = {row.text: idea for row, idea in zip(CLOSED_IDEAS, sent, strict=True)}
    ideas.merge_ideas(
        session,
        secretary,
        idea_id=by_text[DUPLICATE].id,
        into_id=by_text[SOLAR_SCHOOL].id,  # type: ignore[arg-type]
    )
    ideas.moderate_idea(session, secretary, idea_id=by_text[OFF_TOPIC].id, action="hide")  # type: ignore[arg-type]
    themes = {idea.id: row.theme for row, idea in zip(CLOSED_IDEAS, sent, strict=True) if row.theme}
    _group(cast, live.id, themes)  # type: ignore[arg-type]
    poll = polls.create_poll(
        session,
        secretary,
        session_id=live.id,  # type: ignore[arg-type]
        question=CLOSED_POLL,
        options=list(CLOSED_POLL_OPTIONS),
    )
    polls.open_poll(session, secretary, session_id=live.id, poll_id=poll.id)  # type: ignore[arg-type]
    hall.answer(poll.id, CLOSED_POLL_ANSWERS)  # type: ignore[arg-type]
    polls.close_poll(session, secretary, session_id=live.id, poll_id=poll.id)  # type: ignore[arg-type]
    draft = _cluster(session, live.id, THEMES[DRAFT_THEME])  # type: ignore[arg-type]
    if draft is not None:
        followup.promote(
            session,
            secretary,
            session_id=live.id,  # type: ignore[arg-type]
            cluster_id=draft.id,
            title=DRAFT_TITLE,
            body=followup.promote_form(
                session,
                secretary,
                session_id=live.id,
                cluster_id=draft.id,  # type: ignore[arg-type]
            ).source.body,
            target=PromotionTarget.proposal_draft,
        )
    sessions.change_session_status(session, secretary, session_id=live.id, to="close")  # type: ignore[arg-type]


def _group(cast: Cast, session_id: int, themes: dict[int | None, str]) -> None:
    """Accept Wethi's suggestions that gather ideas of one theme (named as the facilitator
    would name it, with the ideas that belong there), then make the themes no suggestion
    found and put the remaining ideas in them by hand."""
    session, secretary = cast.session, cast.secretary
    made: dict[str, int] = {}
    for suggestion in clusters.suggest_clusters(session, secretary, session_id=session_id):
        keys = [themes.get(card.id, "") for card in suggestion.ideas]
        theme = max(set(keys), key=keys.count)
        members = [card.id for card in suggestion.ideas if themes.get(card.id) == theme]
        if not theme or theme in made or len(members) < 2:
            continue
        cluster = clusters.accept_suggestion(
            session,
            secretary,
            session_id=session_id,
            name=THEMES[theme],
            ideas="-".join(str(idea_id) for idea_id in members),
        )
        made[theme] = cluster.id  # type: ignore[assignment]
    for theme, name in THEMES.items():
        if theme not in made:
            made[theme] = clusters.create_cluster(
                session, secretary, session_id=session_id, name=name
            ).id  # type: ignore[assignment]
    grouped = dict(
        session.exec(
            select(LiveIdea.id, LiveIdea.cluster_id).where(LiveIdea.session_id == session_id)
        ).all()
    )
    for idea_id, theme in themes.items():
        if grouped.get(idea_id) is None and _shown(session, idea_id):
            clusters.assign_idea(
                session, secretary, session_id=session_id, idea_id=idea_id, cluster_id=made[theme]
            )


def _shown(session: Session, idea_id: int | None) -> bool:
    idea = session.get(LiveIdea, idea_id)
    return idea is not None and idea.status == IdeaStatus.shown


def _cluster(session: Session, session_id: int, name: str) -> LiveCluster | None:
    return session.exec(
        select(LiveCluster).where(LiveCluster.session_id == session_id, LiveCluster.name == name)
    ).first()


def _promote_theme(cast: Cast) -> None:
    """The past session's solar theme into an item of this meeting's agenda."""
    session = cast.session
    live = session.exec(
        select(LiveSession)
        .join(Meeting, col(Meeting.id) == LiveSession.meeting_id)
        .where(Meeting.body_id == cast.meeting.body_id, LiveSession.prompt == CLOSED_PROMPT)
    ).first()
    if live is None:
        return
    theme = _cluster(session, live.id, THEMES[PROMOTED_THEME])  # type: ignore[arg-type]
    taken = session.exec(
        select(LivePromotion.id).where(
            LivePromotion.session_id == live.id,
            LivePromotion.target == PromotionTarget.agenda_item,
        )
    ).first()
    if theme is None or taken is not None:
        return
    followup.promote(
        session,
        cast.secretary,
        session_id=live.id,  # type: ignore[arg-type]
        cluster_id=theme.id,
        title=PROMOTED_TITLE,
        body=PROMOTED_BODY.format(prompt=live.prompt),
        target=PromotionTarget.agenda_item,
        meeting_id=cast.meeting.id,
    )


def _open_session(cast: Cast) -> None:
    session, secretary = cast.session, cast.secretary
    if _existing(session, cast.meeting.id, OPEN_PROMPT) is not None:
        return
    live = sessions.open_session(
        session,
        secretary,
        meeting_id=cast.meeting.id,
        prompt=OPEN_PROMPT,  # type: ignore[arg-type]
    )
    hall = Hall(cast, live)
    for nickname in OPEN_GUESTS:
        hall.join(nickname)
    volunteer = cast.person(role=Role.facilitator)
    hall.join_member(VOLUNTEER, volunteer.email, f"อส.พน. {_first_name(volunteer.display_name)}")
    hall.join_member(MEMBER, demo.MEMBER_EMAIL)
    hall.send(OPEN_IDEAS)
    poll = polls.create_poll(
        session,
        secretary,
        session_id=live.id,  # type: ignore[arg-type]
        question=OPEN_POLL,
        options=list(OPEN_POLL_OPTIONS),
    )
    polls.open_poll(session, secretary, session_id=live.id, poll_id=poll.id)  # type: ignore[arg-type]
    hall.answer(poll.id, OPEN_POLL_ANSWERS)  # type: ignore[arg-type]


def _first_name(display_name: str) -> str:
    """นายวิชัย ใจคำ -> วิชัย (a volunteer goes by their first name in the hall)."""
    first = display_name.split()[0] if display_name.split() else display_name
    for title in TITLES:
        if first.startswith(title) and len(first) > len(title):
            return first[len(title) :]
    return first
