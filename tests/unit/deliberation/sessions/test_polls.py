"""Quick polls in a live session: the facilitator writes, edits, opens (one at a time),
closes and deletes them; participants answer (single or multiple choice), change their
answer, and every bad answer changes nothing; the kept counts never count twice. And the
throttle that keeps results frames to one per interval per poll."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from deliberation.sessions import polls, sessions
from deliberation.sessions.models import (
    LivePoll,
    LivePollAnswer,
    LivePollOption,
    LivePollStatus,
    LiveSessionStatus,
)
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited, StaleEdit
from forum.models import AuditEvent, Role
from forum.policy import ANONYMOUS
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def facilitator(session, body):
    return factories.actor(session, factories.member(session, body, Role.facilitator))


@pytest.fixture
def live(session, body, facilitator):
    meeting = factories.meeting(session, body)
    return sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="ทำอย่างไรให้ชุมชนใช้ไฟน้อยลง")


def join(session, live, nickname="ป้าแดง"):
    return sessions.join_session(session, ANONYMOUS, code=live.code, nickname=nickname, consent=True)[0]


@pytest.fixture
def guest(session, live):
    return join(session, live)


def make(session, facilitator, live, *, multiple=False, options="โซลาร์เซลล์\nไบโอแก๊ส\nประหยัดไฟ", question="ควรเริ่มโครงการใดก่อน"):
    return polls.create_poll(session, facilitator, session_id=live.id, question=question, options=options, multiple=multiple)


def opened(session, facilitator, live, **kwargs):
    poll = make(session, facilitator, live, **kwargs)
    return polls.open_poll(session, facilitator, session_id=live.id, poll_id=poll.id)


def option_ids(session, poll):
    return list(session.exec(select(LivePollOption.id).where(LivePollOption.poll_id == poll.id).order_by(LivePollOption.position)).all())


def votes(session, poll):
    session.expire_all()
    return [option.votes for option in session.exec(select(LivePollOption).where(LivePollOption.poll_id == poll.id).order_by(LivePollOption.position)).all()]


def answers(session):
    return session.exec(select(func.count()).select_from(LivePollAnswer)).one()


# -- the facilitator ---------------------------------------------------------------------------


def test_a_poll_is_written_as_a_draft_with_its_options(session, facilitator, live):
    poll = make(session, facilitator, live, options="  ก \n\nข\n")
    assert poll.status == LivePollStatus.draft and poll.question == "ควรเริ่มโครงการใดก่อน"
    assert [o.label for o in session.exec(select(LivePollOption).where(LivePollOption.poll_id == poll.id)).all()] == ["ก", "ข"]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.live_poll.create")).first()


@pytest.mark.parametrize(
    ("question", "options", "field"),
    [("", "ก\nข", "question"), ("ก" * 301, "ก\nข", "question"), ("คำถาม", "ก", "options"), ("คำถาม", "\n".join(str(n) for n in range(11)), "options"), ("คำถาม", "ก\n" + "ข" * 201, "options"), ("คำถาม", "ก\nก", "options")],
)
def test_a_bad_poll_is_refused_and_nothing_is_written(session, facilitator, live, question, options, field):
    with pytest.raises(InvalidInput) as error:
        make(session, facilitator, live, question=question, options=options)
    assert field in error.value.fields
    assert session.exec(select(func.count()).select_from(LivePoll)).one() == 0


def test_only_the_facilitator_runs_polls(session, body, live, facilitator):
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        make(session, member, live)
    poll = make(session, facilitator, live)
    with pytest.raises(Forbidden):
        polls.open_poll(session, member, session_id=live.id, poll_id=poll.id)


def test_a_draft_is_edited_and_a_stale_edit_is_refused(session, facilitator, live):
    poll = make(session, facilitator, live)
    polls.edit_poll(session, facilitator, session_id=live.id, poll_id=poll.id, question="ใหม่", options="หนึ่ง\nสอง", multiple=True, version=poll.version)
    results = polls.poll_results(session, poll.id)
    assert results.question == "ใหม่" and results.multiple and [o.label for o in results.options] == ["หนึ่ง", "สอง"]
    with pytest.raises(StaleEdit):
        polls.edit_poll(session, facilitator, session_id=live.id, poll_id=poll.id, question="อีก", options="ก\nข", version=1)
    polls.open_poll(session, facilitator, session_id=live.id, poll_id=poll.id)
    with pytest.raises(Conflict):
        polls.edit_poll(session, facilitator, session_id=live.id, poll_id=poll.id, question="อีก", options="ก\nข")


def test_opening_a_poll_closes_the_one_before(session, facilitator, live):
    first = opened(session, facilitator, live)
    second = opened(session, facilitator, live, question="คำถามที่สอง")
    session.expire_all()
    assert session.get(LivePoll, first.id).status == LivePollStatus.closed
    assert session.get(LivePoll, second.id).status == LivePollStatus.open
    assert polls.current_poll(session, live.id).id == second.id
    polls.close_poll(session, facilitator, session_id=live.id, poll_id=second.id)
    assert polls.current_poll(session, live.id).id == second.id  # its final results stay shown
    assert not polls.current_poll(session, live.id).is_open


def test_only_a_draft_is_deleted(session, facilitator, live):
    poll = opened(session, facilitator, live)
    with pytest.raises(Conflict):
        polls.delete_poll(session, facilitator, session_id=live.id, poll_id=poll.id)
    draft = make(session, facilitator, live)
    polls.delete_poll(session, facilitator, session_id=live.id, poll_id=draft.id)
    assert session.get(LivePoll, draft.id) is None
    assert session.exec(select(func.count()).select_from(LivePollOption).where(LivePollOption.poll_id == draft.id)).one() == 0


def test_a_poll_of_another_session_is_not_found(session, body, facilitator, live):
    other = sessions.open_session(session, facilitator, meeting_id=factories.meeting(session, body).id, prompt="อื่น")
    poll = make(session, facilitator, other)
    with pytest.raises(NotFound):
        polls.open_poll(session, facilitator, session_id=live.id, poll_id=poll.id)


def test_a_closed_session_keeps_its_polls_as_they_are(session, facilitator, live):
    poll = opened(session, facilitator, live)
    sessions.change_session_status(session, facilitator, session_id=live.id, to="close")
    with pytest.raises(Conflict):
        polls.close_poll(session, facilitator, session_id=live.id, poll_id=poll.id)
    assert [p.id for p in polls.session_polls(session, live.id)] == [poll.id]


# -- participants ------------------------------------------------------------------------------


def test_a_single_choice_answer_moves_when_changed(session, facilitator, live, guest):
    poll = opened(session, facilitator, live)
    a, b, _c = option_ids(session, poll)
    assert polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(a)])
    assert votes(session, poll) == [1, 0, 0]
    assert polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(b)])
    assert votes(session, poll) == [0, 1, 0] and answers(session) == 1
    assert polls.chosen_options(session, guest, poll.id) == {b}


def test_the_same_answer_twice_counts_once(session, facilitator, live, guest):
    poll = opened(session, facilitator, live)
    a = option_ids(session, poll)[0]
    assert polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(a)])
    assert not polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(a)])
    assert votes(session, poll) == [1, 0, 0] and answers(session) == 1


def test_a_multiple_choice_answer_takes_several_and_changes(session, facilitator, live, guest):
    poll = opened(session, facilitator, live, multiple=True)
    a, b, c = option_ids(session, poll)
    polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(a), str(b)])
    assert votes(session, poll) == [1, 1, 0]
    polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(b), str(c)])
    assert votes(session, poll) == [0, 1, 1] and answers(session) == 2
    other = join(session, live, "ลุงมี")
    polls.answer_poll(session, other, poll_id=poll.id, option_ids=[str(b)])
    results = polls.poll_results(session, poll.id)
    assert results.respondents == 2
    assert [o.percent for o in results.options] == [0, 100, 50]


def test_percentages_are_of_the_people_who_answered(session, facilitator, live):
    poll = opened(session, facilitator, live)
    a, b, _c = option_ids(session, poll)
    for n, option in enumerate([a, a, b]):
        polls.answer_poll(session, join(session, live, f"คน{n}"), poll_id=poll.id, option_ids=[str(option)])
    results = polls.poll_results(session, poll.id)
    assert results.respondents == 3 and [(o.votes, o.percent) for o in results.options] == [(2, 67), (1, 33), (0, 0)]


@pytest.mark.parametrize("chosen", [[], [""], ["abc"], ["999999"], "both"])
def test_a_bad_answer_changes_nothing(session, facilitator, live, guest, chosen):
    poll = opened(session, facilitator, live)
    if chosen == "both":
        chosen = [str(i) for i in option_ids(session, poll)[:2]]  # two on a single-choice poll
    with pytest.raises(InvalidInput) as error:
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=chosen)
    assert "option" in error.value.fields
    assert answers(session) == 0 and votes(session, poll) == [0, 0, 0]


def test_an_option_of_another_poll_is_refused(session, facilitator, live, guest):
    draft = make(session, facilitator, live, question="อีกโพล")
    poll = opened(session, facilitator, live)
    with pytest.raises(InvalidInput):
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(option_ids(session, draft)[0])])
    assert answers(session) == 0


def test_a_draft_or_closed_poll_takes_no_answer(session, facilitator, live, guest):
    draft = make(session, facilitator, live)
    with pytest.raises(InvalidInput) as error:
        polls.answer_poll(session, guest, poll_id=draft.id, option_ids=[str(option_ids(session, draft)[0])])
    assert error.value.message == "This poll is not open for answers."
    poll = opened(session, facilitator, live)
    polls.close_poll(session, facilitator, session_id=live.id, poll_id=poll.id)
    with pytest.raises(InvalidInput) as error:
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(option_ids(session, poll)[0])])
    assert "closed" in error.value.message
    assert answers(session) == 0


@pytest.mark.parametrize("status", [LiveSessionStatus.paused, LiveSessionStatus.closed])
def test_a_paused_or_closed_session_takes_no_answer(session, facilitator, live, guest, status):
    poll = opened(session, facilitator, live)
    sessions.change_session_status(session, facilitator, session_id=live.id, to="pause" if status == "paused" else "close")
    with pytest.raises(InvalidInput):
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(option_ids(session, poll)[0])])
    assert answers(session) == 0


def test_a_poll_of_another_session_is_not_answered(session, body, facilitator, live, guest):
    other = sessions.open_session(session, facilitator, meeting_id=factories.meeting(session, body).id, prompt="อื่น")
    poll = opened(session, facilitator, other)
    with pytest.raises(NotFound):
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(option_ids(session, poll)[0])])


def test_changing_ones_answer_too_often_is_slowed_down(session, facilitator, live, guest):
    poll = opened(session, facilitator, live)
    a, b, _c = option_ids(session, poll)
    polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(a)])
    for n in range(polls.CHANGES_PER_MINUTE):
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(b if n % 2 == 0 else a)])
    before = votes(session, poll)
    with pytest.raises(RateLimited):
        polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(b if before[0] else a)])
    assert votes(session, poll) == before and sum(before) == 1


def test_a_concurrent_double_submit_counts_once(engine, session, facilitator, live, guest):
    """Two requests of one phone at once, each in its own database session: one answer."""
    import threading

    from sqlmodel import Session

    poll = opened(session, facilitator, live)
    a = option_ids(session, poll)[0]
    barrier = threading.Barrier(4)
    results: list[object] = []

    def submit() -> None:
        with Session(engine, expire_on_commit=False) as own:
            participant = own.get(type(guest), guest.id)
            barrier.wait()
            try:
                results.append(polls.answer_poll(own, participant, poll_id=poll.id, option_ids=[str(a)]))
            except Exception as error:  # noqa: BLE001  (reported below)
                results.append(error)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(repr, results)) == sorted(map(repr, [True, False, False, False])), results
    assert answers(session) == 1 and votes(session, poll) == [1, 0, 0]


def test_the_unique_answer_is_the_last_guard(session, facilitator, live, guest):
    """Even if a submit read a stale answer, the database refuses a second row."""
    from sqlalchemy.exc import IntegrityError

    poll = opened(session, facilitator, live)
    a = option_ids(session, poll)[0]
    polls.answer_poll(session, guest, poll_id=poll.id, option_ids=[str(a)])
    session.add(LivePollAnswer(poll_id=poll.id, option_id=a, participant_id=guest.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert answers(session) == 1
