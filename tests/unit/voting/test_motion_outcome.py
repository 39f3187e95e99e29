"""A motion on an agenda item: when the ballot closes, its result becomes the item's outcome
and resolution (มติที่ประชุม) in words and numbers, through deliberation's conduct — so the
proceedings and the minutes carry it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation.agenda.models import AgendaItem, ItemOutcome
from forum.errors import NotFound
from forum.models import Role
from tests import factories
from voting import ballots
from voting.models import BallotMethod, Secrecy

KEY = "k" * 48


def _motion(session, status: str, votes: list[str], **settings):
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    voters = [factories.actor(session, factories.member(session, body)) for _ in votes]
    meeting = factories.agenda_meeting(
        session, body, status=status, starts_in=timedelta(minutes=-30)
    )
    item = factories.agenda_item(session, meeting)
    ballot = ballots.create_ballot(
        session,
        secretary,
        body_id=body.id,
        meeting_id=meeting.id,
        item_id=item.id,
        title="ญัตติ",
        method=BallotMethod.motion,
        **settings,
    )
    ballots.open_ballot(session, secretary, ballot_id=ballot.id)
    for number, (voter, choice) in enumerate(zip(voters, votes, strict=True)):
        ballots.cast_vote(
            session, voter, ballot_id=ballot.id, choice=choice, key=f"k{number}", secret_key=KEY
        )
    ballots.close_ballot(session, secretary, ballot_id=ballot.id, secret_key=KEY)
    session.expire_all()
    return session.get(AgendaItem, item.id)


def test_a_carried_motion_writes_the_items_resolution_in_words_and_numbers(session):
    item = _motion(session, "live", ["yes", "yes", "yes", "no", "abstain"], quorum=3)
    assert item.outcome == ItemOutcome.approved
    assert item.resolution.startswith("ที่ประชุมมีมติเห็นชอบ โดยการลงคะแนนลับ")
    assert "เห็นด้วย 3 เสียง ไม่เห็นด้วย 1 เสียง งดออกเสียง 1 เสียง" in item.resolution
    assert "ผู้ลงคะแนน 5 คน จากผู้มีสิทธิ 6 คน (องค์ประชุม 3 คน)" in item.resolution


def test_a_motion_without_its_quorum_leaves_the_item_open(session):
    item = _motion(session, "live", ["yes", "no"], quorum=4, secrecy_=Secrecy.named)
    assert item.outcome == ItemOutcome.pending
    assert item.resolution.startswith("ไม่มีมติ เนื่องจากผู้ลงคะแนนไม่ครบองค์ประชุม โดยการลงคะแนนเปิดเผย")


def test_a_meeting_not_in_session_keeps_its_item_as_it_was(session):
    item = _motion(session, "agenda_published", ["yes", "yes"])
    assert item.outcome == ItemOutcome.pending and item.resolution == ""


def test_a_motions_item_is_on_its_meetings_agenda(session):
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    meeting = factories.agenda_meeting(session, body)
    elsewhere = factories.agenda_item(session, factories.agenda_meeting(session, body))
    with pytest.raises(NotFound):
        ballots.create_ballot(
            session,
            secretary,
            body_id=body.id,
            meeting_id=meeting.id,
            item_id=elsewhere.id,
            title="ญัตติ",
            method=BallotMethod.motion,
        )
    with pytest.raises(NotFound):
        ballots.create_ballot(
            session,
            secretary,
            body_id=body.id,
            item_id=elsewhere.id,
            title="ญัตติ",
            method=BallotMethod.motion,
        )


def test_an_outcome_recorded_by_hand_is_not_overwritten(session):
    from deliberation.agenda import conduct

    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    voter = factories.actor(session, factories.member(session, body))
    meeting = factories.agenda_meeting(
        session, body, status="live", starts_in=timedelta(minutes=-30)
    )
    item = factories.agenda_item(session, meeting)
    ballot = ballots.create_ballot(
        session,
        secretary,
        body_id=body.id,
        meeting_id=meeting.id,
        item_id=item.id,
        title="ญัตติ",
        method=BallotMethod.motion,
    )
    ballots.open_ballot(session, secretary, ballot_id=ballot.id)
    ballots.cast_vote(session, voter, ballot_id=ballot.id, choice="no", key="k", secret_key=KEY)
    conduct.record_outcome(
        session,
        secretary,
        meeting_id=meeting.id,
        item_id=item.id,
        version=0,
        outcome="approved",
        resolution="ที่ประชุมเห็นชอบตามที่เสนอ",
    )
    closed = ballots.close_ballot(session, secretary, ballot_id=ballot.id, secret_key=KEY)
    session.expire_all()
    assert session.get(AgendaItem, item.id).resolution == "ที่ประชุมเห็นชอบตามที่เสนอ"
    assert not ballots.motion_outcome_written(session, closed)


def test_an_item_keeps_a_ballot_that_opened_and_lets_a_drafts_go(session):
    from deliberation.agenda import agendas
    from deliberation.agenda.models import Agenda
    from forum.errors import Conflict

    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    meeting = factories.agenda_meeting(session, body)
    kept, released = (
        factories.agenda_item(session, meeting),
        factories.agenda_item(session, meeting),
    )
    opened = ballots.create_ballot(
        session,
        secretary,
        body_id=body.id,
        meeting_id=meeting.id,
        item_id=kept.id,
        title="ญัตติ",
        method=BallotMethod.motion,
    )
    ballots.open_ballot(session, secretary, ballot_id=opened.id)
    draft = ballots.create_ballot(
        session,
        secretary,
        body_id=body.id,
        meeting_id=meeting.id,
        item_id=released.id,
        title="ร่าง",
        method=BallotMethod.motion,
    )
    version = session.get(Agenda, kept.agenda_id).version
    with pytest.raises(Conflict, match="stays on the agenda"):
        agendas.remove_item(session, secretary, item_id=kept.id, version=version)
    session.rollback()
    agendas.remove_item(
        session, secretary, item_id=released.id, version=session.get(Agenda, kept.agenda_id).version
    )
    session.expire_all()
    assert (
        session.get(AgendaItem, released.id) is None
        and ballots.get_ballot(session, secretary, ballot_id=draft.id).item_id is None
    )
