"""Demo ballots for the North working group (forum.demo.DEMO_HOOKS, from the manifest): at
its last meeting, a secret approval ballot over pilot projects, closed with its bulletin,
and a named motion carried on the record; between meetings, a ranked ballot still open, in
which the demo member and secretary can vote."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from forum import accounts, demo
from forum.config import get_settings
from forum.db import utcnow
from forum.models import Meeting, MeetingStatus, Membership, Person, Role
from voting import ballots
from voting.ballots import OptionSpec
from voting.models import Ballot, BallotMethod, Secrecy

RECENT = timedelta(days=60)  # the programme's last meeting is about a month ago

PILOTS = [
    OptionSpec("โซลาร์เซลล์บนหลังคาโรงเรียนบ้านแม่กำปอง จ.เชียงใหม่"),
    OptionSpec("เตาชีวมวลประสิทธิภาพสูงสำหรับกลุ่มแปรรูปชา จ.เชียงราย"),
    OptionSpec("ไบโอแก๊สจากมูลสุกร วิสาหกิจชุมชน จ.ลำพูน"),
    OptionSpec("ศูนย์เรียนรู้พลังงานชุมชนต้นแบบ จ.น่าน"),
]
TOPICS = [
    OptionSpec("การติดตั้งและดูแลระบบโซลาร์เซลล์"),
    OptionSpec("การประเมินการใช้พลังงานในครัวเรือน"),
    OptionSpec("การเขียนโครงการขอทุน"),
    OptionSpec("การจัดการไบโอแก๊สในฟาร์ม"),
]


def seed_voting(session: Session, meeting: Meeting) -> None:
    """Once the North working group's last meeting goes live: its two ballots, and the open
    ranked ballot between meetings. Any other meeting, or a second call, adds nothing."""
    now = utcnow()
    if meeting.status != MeetingStatus.live or not now - RECENT < meeting.starts_at < now:
        return
    secretary = session.exec(select(Person).where(Person.email == demo.SECRETARY_EMAIL)).first()
    if secretary is None:
        return
    chair = accounts.actor_for(session, secretary)
    if chair.role_in(meeting.body_id) != Role.secretary:
        return  # not the North working group
    if session.exec(select(Ballot.id).where(Ballot.body_id == meeting.body_id)).first() is not None:
        return
    key = get_settings().secret_key
    voters = [
        accounts.actor_for(session, person)
        for person in session.exec(
            select(Person)
            .join(Membership, col(Membership.person_id) == Person.id)
            .where(
                Membership.body_id == meeting.body_id,
                col(Membership.role).in_(ballots.VOTING_ROLES),
            )
            .order_by(col(Person.id))
        ).all()
    ]

    pilots = ballots.create_ballot(
        session, chair, body_id=meeting.body_id, meeting_id=meeting.id, method=BallotMethod.approval, most=2,
        title="เลือกโครงการนำร่องของภาคเหนือ ปี 2570 (เลือกได้ไม่เกิน 2 โครงการ)",
        question="โครงการที่ได้คะแนนสูงสุด 2 โครงการจะเสนอต่อคณะกรรมการเพื่อจัดทำแผนงานร่วม",
        options=PILOTS,
    )  # fmt: skip
    ballots.open_ballot(session, chair, ballot_id=pilots.id)  # type: ignore[arg-type]
    ids = [option.id for option in ballots.options_of(session, pilots.id)]  # type: ignore[arg-type]
    for number, voter in enumerate(voters):
        choice = [ids[number % 4], ids[(number * 3 + 1) % 4]] if number % 3 else [ids[0]]
        ballots.cast_vote(
            session, voter, ballot_id=pilots.id, choice=choice, key=f"demo-{number}", secret_key=key
        )  # type: ignore[arg-type]
    ballots.close_ballot(session, chair, ballot_id=pilots.id, secret_key=key)  # type: ignore[arg-type]

    motion = ballots.create_ballot(
        session, chair, body_id=meeting.body_id, meeting_id=meeting.id, method=BallotMethod.motion,
        title="ญัตติ: รับรองแนวทางแผนงานร่วมระหว่างสำนักงานพลังงานจังหวัดกับเครือข่าย",
        secrecy_=Secrecy.named, quorum=(len(voters) + 1) // 2,
    )  # fmt: skip
    ballots.open_ballot(session, chair, ballot_id=motion.id)  # type: ignore[arg-type]
    for number, voter in enumerate(voters):
        choice = "abstain" if number % 5 == 4 else "no" if number % 7 == 6 else "yes"
        ballots.cast_vote(
            session,
            voter,
            ballot_id=motion.id,
            choice=choice,
            key=f"demo-m{number}",
            secret_key=key,
        )  # type: ignore[arg-type]
    ballots.close_ballot(session, chair, ballot_id=motion.id, secret_key=key)  # type: ignore[arg-type]

    topics = ballots.create_ballot(
        session, chair, body_id=meeting.body_id, method=BallotMethod.ranked,
        title="จัดลำดับหัวข้ออบรมวิทยากรพลังงานชุมชน (ระหว่างการประชุม)",
        question="เรียงลำดับหัวข้อที่ท่านเห็นว่าควรจัดอบรมก่อน ผลจะใช้วางแผนการอบรมไตรมาสหน้า",
        options=TOPICS,
    )  # fmt: skip
    ballots.open_ballot(session, chair, ballot_id=topics.id)  # type: ignore[arg-type]
    ids = [option.id for option in ballots.options_of(session, topics.id)]  # type: ignore[arg-type]
    own = set(
        session.exec(
            select(Person.id).where(
                col(Person.email).in_([demo.SECRETARY_EMAIL, demo.MEMBER_EMAIL])
            )
        ).all()
    )
    for number, voter in enumerate(voters[: len(voters) // 2]):
        if voter.person_id in own:
            continue  # the demo's own accounts vote themselves
        order = ids[number % 4 :] + ids[: number % 4]
        ballots.cast_vote(
            session, voter, ballot_id=topics.id, choice=order, key=f"demo-t{number}", secret_key=key
        )  # type: ignore[arg-type]
