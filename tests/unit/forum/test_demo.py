"""The demo programme: a realistic, idempotent seed that the demo logins can use."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from deliberation import demo as deliberation_demo  # noqa: F401  (registers its demo content)
from deliberation import search
from deliberation.agenda.models import (
    Agenda,
    AgendaItem,
    AgendaStatus,
    AgendaSuggestion,
    SuggestionStatus,
)
from deliberation.discussion.models import Post, PostMention, PostStance
from forum import accounts, demo
from forum.models import (
    Attendance,
    AttendanceEvent,
    AttendanceStatus,
    Body,
    BodyKind,
    Meeting,
    MeetingStatus,
    Membership,
    Organisation,
    Person,
    Province,
    Role,
    Side,
)


def _count(session: Session, model: type, *where: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _seeded(session: Session) -> list[str]:
    said: list[str] = []
    demo.seed(session, progress=said.append)
    return said


def test_seeding_an_empty_database_creates_the_programme(session: Session) -> None:
    said = _seeded(session)

    assert _count(session, Body, Body.kind == BodyKind.working_group) == 4
    assert _count(session, Body, Body.kind == BodyKind.committee) == 1
    assert _count(session, Province, col(Province.is_pilot)) == 20
    network = session.exec(
        select(Organisation.province_id, func.count())
        .where(Organisation.side == Side.network)
        .group_by(col(Organisation.province_id))
    ).all()
    assert len(network) == 20 and all(2 <= count <= 4 for _province, count in network)
    assert 40 <= sum(count for _province, count in network) <= 80
    assert 70 <= _count(session, Person) <= 100
    assert any(demo.ADMIN_EMAIL in line for line in said)


def test_every_body_has_its_officers_and_numbered_meetings_with_attendance(
    session: Session,
) -> None:
    _seeded(session)

    for body in session.exec(select(Body)).all():
        roles = session.exec(select(Membership.role).where(Membership.body_id == body.id)).all()
        for role in (Role.chair, Role.vice_chair, Role.secretary, Role.facilitator, Role.observer):
            assert roles.count(role) == 1, (body.name, role)
        assert roles.count(Role.member) >= 5
        rows = session.exec(
            select(Meeting).where(Meeting.body_id == body.id).order_by(col(Meeting.starts_at))
        ).all()
        statuses = {meeting.status for meeting in rows}
        assert {MeetingStatus.closed, MeetingStatus.agenda_open, MeetingStatus.draft} <= statuses
        for year in {meeting.year_be for meeting in rows}:
            numbers = [meeting.number for meeting in rows if meeting.year_be == year]
            assert numbers == list(
                range(1, len(numbers) + 1)
            )  # ครั้งที่ 1/2569, 2/2569 … in date order
    closed = session.exec(select(Meeting.id).where(Meeting.status == MeetingStatus.closed)).all()
    statuses = session.exec(
        select(Attendance.status).where(col(Attendance.meeting_id).in_(closed))
    ).all()
    assert {AttendanceStatus.present, AttendanceStatus.absent, AttendanceStatus.guest} <= set(
        statuses
    )
    assert AttendanceStatus.invited not in statuses
    assert _count(session, Attendance, col(Attendance.substitute_for_id).is_not(None)) >= 1
    assert (
        _count(
            session,
            Attendance,
            Attendance.status == AttendanceStatus.absent,
            Attendance.absence_reason == "",
        )
        == 0
    )
    assert _count(session, AttendanceEvent) >= len(statuses)


def test_a_second_seed_changes_nothing(session: Session) -> None:
    _seeded(session)
    before = [
        _count(session, model)
        for model in (Body, Organisation, Person, Membership, Meeting, Attendance)
    ]

    said = _seeded(session)

    assert [
        _count(session, model)
        for model in (Body, Organisation, Person, Membership, Meeting, Attendance)
    ] == before
    assert said and "nothing changed" in said[-1]


def test_the_demo_logins_work_with_their_roles(session: Session) -> None:
    _seeded(session)

    admin, _token = accounts.log_in(
        session, email=demo.ADMIN_EMAIL, password=demo.DEMO_PASSWORD, client_ip="127.0.0.1"
    )
    assert admin.is_admin
    secretary = session.exec(select(Person).where(Person.email == demo.SECRETARY_EMAIL)).one()
    member = session.exec(select(Person).where(Person.email == demo.MEMBER_EMAIL)).one()
    north = session.exec(select(Body).where(Body.name.endswith("ภาคเหนือ"))).one()
    assert accounts.actor_for(session, secretary).role_in(north.id) == Role.secretary
    assert accounts.actor_for(session, member).role_in(north.id) == Role.member


def test_the_north_working_group_has_agendas_suggestions_and_discussions(
    session: Session,
) -> None:
    _seeded(session)
    north = session.exec(select(Body).where(Body.name.endswith("ภาคเหนือ"))).one()
    past, upcoming = (
        session.exec(
            select(Meeting)
            .where(Meeting.body_id == north.id, Meeting.status == status)
            .order_by(col(Meeting.starts_at).desc())
        ).first()
        for status in (MeetingStatus.closed, MeetingStatus.agenda_open)
    )
    assert past is not None and upcoming is not None
    published = session.exec(select(Agenda).where(Agenda.meeting_id == past.id)).one()
    assert published.status == AgendaStatus.published and published.published_version == 1
    titles = session.exec(
        select(AgendaItem.title).where(AgendaItem.agenda_id == published.id)
    ).all()
    assert "ขออนุมัติโครงการโซลาร์รูฟท็อปศูนย์เรียนรู้ชุมชน" in titles
    assert _count(session, AgendaItem, col(AgendaItem.time_box_minutes).is_not(None)) >= 5
    suggested = dict(
        session.exec(
            select(AgendaSuggestion.status, AgendaSuggestion.answer_reason)
            .join(Agenda, col(Agenda.id) == AgendaSuggestion.agenda_id)
            .where(col(Agenda.meeting_id).in_([past.id, upcoming.id]))
        ).all()
    )
    assert set(suggested) == {
        SuggestionStatus.accepted,
        SuggestionStatus.declined,
        SuggestionStatus.pending,
    }
    assert suggested[SuggestionStatus.declined]
    stances = session.exec(select(Post.stance).where(Post.body_id == north.id)).all()
    assert set(PostStance) <= set(stances) and None in stances  # replies carry no stance
    assert _count(session, Post, col(Post.meeting_id).in_([past.id, upcoming.id])) == len(stances)
    assert _count(session, PostMention) >= 2
    member = session.exec(select(Person).where(Person.email == demo.MEMBER_EMAIL)).one()
    found = search.search(session, accounts.actor_for(session, member), query="บำรุงรักษา")
    assert any(hit.kind == "post" for hit in found.items)
