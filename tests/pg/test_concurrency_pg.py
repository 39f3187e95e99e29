"""Races that only a real server with concurrent transactions can show.

Each test holds both transactions at the same statement (a barrier on the engine's
`before_cursor_execute`) so the race happens on every run, not by luck."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from forum import attendance, invitations, meetings
from forum.errors import Conflict
from forum.models import Meeting, Membership, Person, Role
from tests import factories


@contextmanager
def both_reach(engine: Engine, statement_start: str) -> Iterator[None]:
    """Hold each thread's first statement starting with `statement_start` until both are there."""
    barrier = threading.Barrier(2, timeout=15)
    waited = threading.local()

    def hold(_conn, _cursor, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(statement_start) and not getattr(
            waited, "done", False
        ):
            waited.done = True
            barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def run_together(engine: Engine, *calls: Callable[[Session], object]) -> list[object]:
    """Run each call in its own thread and database session; returns results or exceptions."""
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[Session], object]) -> None:
        with Session(engine, expire_on_commit=False) as own:
            try:
                results[index] = call(own)
            except Exception as error:
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a transaction is stuck"
    return results


def test_two_meetings_created_at_once_for_one_body_both_get_distinct_numbers(engine, session):
    body = factories.body(session)
    secretaries = [factories.member(session, body, Role.secretary) for _ in range(2)]
    actors = [factories.actor(session, person) for person in secretaries]

    def create(actor) -> Callable[[Session], object]:
        return lambda own: meetings.create_meeting(
            own,
            actor,
            body_id=body.id,
            starts_at=datetime(2026, 12, 1, 9, 0),
            venue="ห้องประชุม สพจ.",
        )

    with both_reach(engine, "INSERT INTO MEETING "):
        results = run_together(engine, create(actors[0]), create(actors[1]))

    assert all(isinstance(result, Meeting) for result in results), results
    assert sorted(result.number for result in results) == [1, 2]
    session.expire_all()
    numbers = session.exec(select(Meeting.number).where(Meeting.body_id == body.id)).all()
    assert sorted(numbers) == [1, 2]


def test_two_sign_ups_racing_on_one_invitation_exactly_one_wins(engine, session):
    body = factories.body(session)
    admin = factories.actor(session, factories.person(session, is_admin=True))
    _invitation, token = invitations.create_invitation(
        session, admin, body_id=body.id, role=Role.member
    )

    def sign_up(email: str) -> Callable[[Session], object]:
        fields = {
            "display_name": "สมหญิง ใจดี",
            "email": email,
            "password": factories.PASSWORD,
            "password_again": factories.PASSWORD,
            "consent": True,
        }
        return lambda own: invitations.accept_invitation(own, token=token, **fields)

    with both_reach(engine, "UPDATE INVITATION "):
        results = run_together(engine, sign_up("first@example.org"), sign_up("second@example.org"))

    winners = [result for result in results if isinstance(result, Person)]
    losers = [result for result in results if isinstance(result, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    session.expire_all()
    emails = set(
        session.exec(
            select(Person.email).where(
                Person.email.in_(["first@example.org", "second@example.org"])
            )
        ).all()
    )
    assert emails == {winners[0].email}  # the loser's account was rolled back whole
    assert (
        session.exec(
            select(func.count()).select_from(Membership).where(Membership.body_id == body.id)
        ).one()
        == 1
    )


def test_two_check_ins_at_once_are_both_counted_on_the_meeting(engine, session):
    """The meeting's counts move by `x = x + 1` in each check-in's transaction: the row
    lock orders the two, and the second adds to what the first wrote."""
    body = factories.body(session)
    people = [factories.member(session, body, Role.member) for _ in range(2)]
    actors = [factories.actor(session, person) for person in people]
    meeting = factories.meeting(session, body, starts_in=timedelta(minutes=10))

    def check_in(actor) -> Callable[[Session], object]:
        return lambda own: attendance.check_in(own, actor, code=meeting.checkin_code)

    with both_reach(engine, "UPDATE ATTENDANCE "):
        results = run_together(engine, check_in(actors[0]), check_in(actors[1]))

    assert all(isinstance(result, tuple) for result in results), results
    session.expire_all()
    stored = session.get(Meeting, meeting.id)
    assert (stored.attendance_present, stored.attendance_total) == (2, 2)
