"""The demo's live sessions: the North working group's past meeting keeps a closed
brainstorm (ideas, votes, a merge, a hidden idea, themes, a closed poll, promotions) and its
next meeting has an open session with an open poll; seeding again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, func, select

from deliberation import demo as deliberation_demo
from deliberation.sessions import demo as demo_sessions
from deliberation.sessions import followup, polls, timer
from deliberation.sessions.models import (
    IdeaStatus,
    LiveCluster,
    LiveIdea,
    LiveIdeaVote,
    LiveParticipant,
    LivePoll,
    LivePollAnswer,
    LivePollStatus,
    LivePromotion,
    LiveSession,
    LiveSessionStatus,
    PromotionTarget,
)
from forum import accounts, db, demo
from forum.models import Body, Meeting, MeetingStatus, Person
from tests import factories, schema

LIVE_TABLES = (
    LiveSession,
    LiveParticipant,
    LiveIdea,
    LiveIdeaVote,
    LiveCluster,
    LivePoll,
    LivePollAnswer,
    LivePromotion,
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[Session]:
    """One demo programme for the module (seeding takes a few seconds); the tests read it."""
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}")
    schema.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        factories.load_reference(session)
        demo.seed(session, progress=lambda _text: None)
        yield session
    engine.dispose()


def _count(session: Session, model: type, *where: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _live(session: Session, prompt: str) -> tuple[LiveSession, Meeting]:
    live = session.exec(select(LiveSession).where(LiveSession.prompt == prompt)).one()
    meeting = session.get(Meeting, live.meeting_id)
    assert meeting is not None
    return live, meeting


def _north(session: Session) -> Body:
    return session.exec(select(Body).where(Body.name.endswith("ภาคเหนือ"))).one()


def test_the_past_meeting_keeps_a_closed_brainstorm(seeded: Session) -> None:
    live, meeting = _live(seeded, demo_sessions.CLOSED_PROMPT)
    assert live.status == LiveSessionStatus.closed and live.closed_at is not None
    assert meeting.status == MeetingStatus.closed and meeting.body_id == _north(seeded).id
    assert 15 <= _count(seeded, LiveParticipant, LiveParticipant.session_id == live.id) <= 20
    members = seeded.exec(
        select(Person.email)
        .join(LiveParticipant, col(LiveParticipant.person_id) == Person.id)
        .where(LiveParticipant.session_id == live.id)
    ).all()
    assert members == [demo.MEMBER_EMAIL]  # the guests have no account
    statuses = seeded.exec(select(LiveIdea.status).where(LiveIdea.session_id == live.id)).all()
    assert len(statuses) == 25
    assert statuses.count(IdeaStatus.merged) == 1 and statuses.count(IdeaStatus.hidden) == 1
    votes = sorted(
        seeded.exec(
            select(LiveIdea.votes).where(
                LiveIdea.session_id == live.id, LiveIdea.status == IdeaStatus.shown
            )
        ).all()
    )
    assert votes[-1] >= 10 and votes[0] <= 3  # some ideas many votes, some few
    counted = _count(
        seeded,
        LiveIdeaVote,
        col(LiveIdeaVote.idea_id).in_(select(LiveIdea.id).where(LiveIdea.session_id == live.id)),
    )
    assert counted == sum(votes)  # the merged duplicate's votes moved, none counted twice
    kept = seeded.exec(select(LiveIdea).where(LiveIdea.text == demo_sessions.SOLAR_SCHOOL)).one()
    duplicate = seeded.exec(select(LiveIdea).where(LiveIdea.text == demo_sessions.DUPLICATE)).one()
    assert duplicate.merged_into_id == kept.id and kept.votes > 12


def test_the_brainstorm_has_themes_a_closed_poll_and_what_it_took_forward(
    seeded: Session,
) -> None:
    live, _meeting = _live(seeded, demo_sessions.CLOSED_PROMPT)
    themes = seeded.exec(select(LiveCluster).where(LiveCluster.session_id == live.id)).all()
    assert sorted(theme.name for theme in themes) == sorted(demo_sessions.THEMES.values())
    for theme in themes:
        assert _count(seeded, LiveIdea, LiveIdea.cluster_id == theme.id) >= 4
    poll = polls.current_poll(seeded, live.id)  # type: ignore[arg-type]
    assert poll is not None and poll.question == demo_sessions.CLOSED_POLL
    assert poll.status == LivePollStatus.closed and poll.respondents >= 10
    assert max(poll.options, key=lambda option: option.votes).label.startswith("โซลาร์รูฟท็อป")
    promotions = {
        promotion.target: promotion
        for promotion in seeded.exec(
            select(LivePromotion).where(LivePromotion.session_id == live.id)
        ).all()
    }
    assert set(promotions) == {PromotionTarget.agenda_item, PromotionTarget.proposal_draft}
    item_id = promotions[PromotionTarget.agenda_item].item_id
    assert item_id is not None
    upcoming = seeded.exec(
        select(Meeting)
        .where(Meeting.body_id == _north(seeded).id, Meeting.status == MeetingStatus.agenda_open)
        .order_by(col(Meeting.starts_at))
    ).first()
    assert followup._meeting_of_item(seeded, item_id) == upcoming.id  # type: ignore[union-attr]
    (origin,) = followup.item_origins(seeded, item_id)  # the item page's "From the live session"
    assert origin.prompt == demo_sessions.CLOSED_PROMPT and len(origin.ideas) >= 4


def test_the_next_meeting_has_an_open_session_with_an_open_poll(seeded: Session) -> None:
    live, meeting = _live(seeded, demo_sessions.OPEN_PROMPT)
    assert live.status == LiveSessionStatus.open and not live.premoderation
    assert meeting.status == MeetingStatus.agenda_open and meeting.body_id == _north(seeded).id
    assert not timer.timer_view(live).shown  # no countdown left running
    shown = seeded.exec(
        select(LiveIdea.votes).where(
            LiveIdea.session_id == live.id, LiveIdea.status == IdeaStatus.shown
        )
    ).all()
    assert len(shown) >= 10 and sum(shown) >= 20
    poll = polls.current_poll(seeded, live.id)  # type: ignore[arg-type]
    assert poll is not None and poll.is_open and not poll.multiple and poll.respondents >= 5
    volunteer = seeded.exec(
        select(LiveParticipant.nickname).where(
            LiveParticipant.session_id == live.id,
            col(LiveParticipant.nickname).startswith("อส.พน. "),
            col(LiveParticipant.person_id).is_not(None),
        )
    ).one()
    assert len(volunteer) > len("อส.พน. ")


def test_seeding_again_changes_nothing(seeded: Session) -> None:
    before = [_count(seeded, model) for model in LIVE_TABLES]
    demo.seed(seeded, progress=lambda _text: None)
    secretary = seeded.exec(select(Person).where(Person.email == demo.SECRETARY_EMAIL)).one()
    for prompt in (demo_sessions.CLOSED_PROMPT, demo_sessions.OPEN_PROMPT):
        _live_session, meeting = _live(seeded, prompt)
        cast = deliberation_demo.Cast(seeded, meeting, accounts.actor_for(seeded, secretary))
        demo_sessions.seed_sessions(cast)  # the hook again, at the meeting's stage
        if meeting.status == MeetingStatus.closed:
            demo_sessions._closed_session(cast)  # as if the meeting were in session again
    assert [_count(seeded, model) for model in LIVE_TABLES] == before
