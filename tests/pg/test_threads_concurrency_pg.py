"""The discussion's races on a real PostgreSQL, both transactions held at the same
statement (tests/pg/test_concurrency_pg.py's barrier) so the race happens on every run."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from deliberation.discussion import thread_view, threads
from deliberation.discussion.models import Post, PostRevision, ThreadRead
from forum.errors import StaleEdit
from forum.models import Role
from tests import factories
from tests.pg.test_concurrency_pg import both_reach, run_together


def test_two_edits_of_one_post_at_once_exactly_one_wins(engine, session):
    body = factories.body(session)
    author = factories.actor(session, factories.member(session, body, Role.member))
    meeting = factories.agenda_meeting(session, body, status="agenda_published")
    item = factories.agenda_item(session, meeting)
    post = threads.create_post(session, author, meeting_id=meeting.id, item_id=item.id, body="ข้อความแรก", stance="for")

    def edit(text: str) -> Callable[[Session], object]:  # the same author in two windows
        return lambda own: threads.edit_post(own, author, post_id=post.id, version=1, body=text, stance="for")

    with both_reach(engine, "UPDATE POST "):
        results = run_together(engine, edit("หน้าต่างที่หนึ่ง"), edit("หน้าต่างที่สอง"))

    winners = [result for result in results if isinstance(result, Post)]
    losers = [result for result in results if isinstance(result, StaleEdit)]
    assert len(winners) == 1 and len(losers) == 1, results
    session.expire_all()
    stored = session.get(Post, post.id)
    assert (stored.body, stored.version, stored.edit_count) == (winners[0].body, 2, 1)
    assert [r.body for r in session.exec(select(PostRevision)).all()] == ["ข้อความแรก"]


def test_two_first_readings_at_once_make_one_read_marker(engine, session):
    body = factories.body(session)
    writer = factories.actor(session, factories.member(session, body, Role.member))
    reader = factories.actor(session, factories.member(session, body, Role.member))
    meeting = factories.agenda_meeting(session, body, status="agenda_published")
    item = factories.agenda_item(session, meeting)
    threads.create_post(session, writer, meeting_id=meeting.id, item_id=item.id, body="อ่านหรือยัง", stance="question")

    def read(own: Session) -> object:  # two tabs opening the item at once
        return thread_view.item_thread(own, reader, meeting_id=meeting.id, item_id=item.id)

    with both_reach(engine, "INSERT INTO THREAD_READ "):
        results = run_together(engine, read, read)

    assert all(isinstance(result, thread_view.ItemThread) for result in results), results
    session.expire_all()
    [marker] = session.exec(select(ThreadRead)).all()
    assert marker.person_id == reader.person_id
