"""The agenda's races on a real PostgreSQL, both transactions held at the same statement
(tests/pg/test_concurrency_pg.py's barrier) so the race happens on every run."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from deliberation.agenda import agendas, suggestions
from deliberation.agenda.models import Agenda, AgendaItem, AgendaSuggestion
from forum.errors import Conflict, StaleEdit
from forum.models import Role
from tests import factories
from tests.pg.test_concurrency_pg import both_reach, run_together


def test_two_first_openings_at_once_make_one_agenda(engine, session):
    body = factories.body(session)
    actors = [factories.actor(session, factories.member(session, body, Role.member)) for _ in range(2)]
    meeting = factories.agenda_meeting(session, body)

    def open_agenda(actor) -> Callable[[Session], object]:
        return lambda own: agendas.ensure_agenda(own, actor, meeting_id=meeting.id)[0]

    with both_reach(engine, "INSERT INTO AGENDA "):
        results = run_together(engine, open_agenda(actors[0]), open_agenda(actors[1]))

    assert all(isinstance(result, Agenda) for result in results), results
    assert results[0].id == results[1].id
    session.expire_all()
    assert len(session.exec(select(Agenda).where(Agenda.meeting_id == meeting.id)).all()) == 1
    assert len(agendas.parts_of(session, results[0].id)) == 5  # the loser's parts rolled back


def test_two_secretaries_reordering_at_once_exactly_one_wins(engine, session):
    body = factories.body(session)
    actors = [factories.actor(session, factories.member(session, body, Role.secretary)) for _ in range(2)]
    meeting = factories.agenda_meeting(session, body)
    factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    version = agendas.agenda_of(session, meeting.id).version

    def move(actor, direction: str) -> Callable[[Session], object]:
        return lambda own: agendas.move_item(own, actor, item_id=second.id, version=version, direction=direction)

    with both_reach(engine, "UPDATE AGENDA "):
        results = run_together(engine, move(actors[0], "up"), move(actors[1], "down"))

    winners = [result for result in results if isinstance(result, AgendaItem)]
    losers = [result for result in results if isinstance(result, StaleEdit)]
    assert len(winners) == 1 and len(losers) == 1, results
    session.expire_all()
    assert agendas.agenda_of(session, meeting.id).version == version + 1
    # Whichever won ("down" takes the last item of its part into the next part), every part is
    # numbered 1..n with no gap or double: the loser changed nothing.
    by_part: dict[int, list[int]] = {}
    for row in agendas.items_of(session, agendas.agenda_of(session, meeting.id).id):
        by_part.setdefault(row.part_id, []).append(row.position)
    assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in by_part.values())
    assert sum(len(numbers) for numbers in by_part.values()) == 2


def test_two_answers_to_one_suggestion_at_once_only_the_first_counts(engine, session):
    body = factories.body(session)
    actors = [factories.actor(session, factories.member(session, body, Role.secretary)) for _ in range(2)]
    member = factories.actor(session, factories.member(session, body, Role.member))
    meeting = factories.agenda_meeting(session, body)
    suggestion = suggestions.suggest_item(session, member, meeting_id=meeting.id, title="ข้อเสนอ")

    def decline(actor, reason: str) -> Callable[[Session], object]:
        return lambda own: suggestions.answer_suggestion(own, actor, suggestion_id=suggestion.id, answer="decline", reason=reason)

    with both_reach(engine, "UPDATE AGENDA_SUGGESTION "):
        results = run_together(engine, decline(actors[0], "หนึ่ง"), decline(actors[1], "สอง"))

    winners = [result for result in results if isinstance(result, AgendaSuggestion)]
    losers = [result for result in results if isinstance(result, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    session.expire_all()
    assert session.get(AgendaSuggestion, suggestion.id).answer_reason == winners[0].answer_reason
