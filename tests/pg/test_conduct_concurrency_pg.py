"""During the meeting on a real PostgreSQL, both transactions held at the same statement
(tests/pg/test_concurrency_pg.py's barrier) so the race happens on every run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from deliberation.agenda import agendas, conduct
from deliberation.agenda.models import Agenda, AgendaItem
from forum.errors import StaleEdit
from forum.models import Role
from tests import factories
from tests.pg.test_concurrency_pg import both_reach, run_together


def test_two_secretaries_pressing_next_at_once_move_one_item_on(engine, session):
    body = factories.body(session)
    actors = [factories.actor(session, factories.member(session, body, role)) for role in (Role.secretary, Role.chair)]
    meeting = factories.agenda_meeting(session, body, status="live", starts_in=timedelta(minutes=-10))
    first, second, third = (factories.agenda_item(session, meeting, title=title) for title in ("ก", "ข", "ค"))
    conduct.change_current_item(session, actors[0], meeting_id=meeting.id, to="next")

    def press_next(actor) -> Callable[[Session], object]:
        return lambda own: conduct.change_current_item(own, actor, meeting_id=meeting.id, to="next")

    with both_reach(engine, "UPDATE AGENDA "):
        results = run_together(engine, press_next(actors[0]), press_next(actors[1]))

    winners = [result for result in results if isinstance(result, Agenda)]
    losers = [result for result in results if isinstance(result, StaleEdit)]
    assert len(winners) == 1 and len(losers) == 1, results
    session.expire_all()
    agenda = agendas.agenda_of(session, meeting.id)
    assert agenda.current_item_id == second.id  # not skipped to the third
    assert session.get(AgendaItem, third.id).started_at is None
    assert session.get(AgendaItem, first.id).time_spent_seconds >= 0


def test_two_secretaries_recording_an_outcome_at_once_only_the_first_counts(engine, session):
    body = factories.body(session)
    actors = [factories.actor(session, factories.member(session, body, Role.secretary)) for _ in range(2)]
    meeting = factories.agenda_meeting(session, body, status="live")
    item = factories.agenda_item(session, meeting)

    def record(actor, resolution: str) -> Callable[[Session], object]:
        return lambda own: conduct.record_outcome(own, actor, meeting_id=meeting.id, item_id=item.id, version=0, outcome="approved", resolution=resolution)

    with both_reach(engine, "UPDATE AGENDA_ITEM "):
        results = run_together(engine, record(actors[0], "หนึ่ง"), record(actors[1], "สอง"))

    winners = [result for result in results if isinstance(result, AgendaItem)]
    losers = [result for result in results if isinstance(result, StaleEdit)]
    assert len(winners) == 1 and len(losers) == 1, results
    session.expire_all()
    stored = session.get(AgendaItem, item.id)
    assert stored.outcome_version == 1 and stored.resolution == winners[0].resolution
