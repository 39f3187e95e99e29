"""Quick polls and the timer over HTTP: the facilitator writes, opens and closes polls and
runs the timer from the console; a participant answers from the phone (htmx and plain
POST); every change goes out as one small frame with nothing of any reader in it; bad input
is explained in Thai and changes nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import func, select

from deliberation.sessions import live as sessions_live
from deliberation.sessions import polls, sessions
from deliberation.sessions.models import (
    LivePoll,
    LivePollAnswer,
    LivePollOption,
    LivePollStatus,
    LiveSession,
)
from forum import live
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def facilitator(as_member):
    return await as_member(Role.facilitator)


@pytest.fixture
def actor(session, facilitator):
    return factories.actor(session, facilitator.person)


@pytest.fixture
def live_session(session, facilitator, actor):
    meeting = factories.meeting(session, facilitator.body)
    return sessions.open_session(session, actor, meeting_id=meeting.id, prompt="ชุมชนจะลดค่าไฟได้อย่างไร")


async def joined(make_client, live_session, nickname="ป้าแดง"):
    guest = make_client()
    response = await guest.post(f"/s/{live_session.code}/join", {"nickname": nickname, "consent": "true"})
    assert response.status_code == 303
    return guest


def open_poll(session, actor, live_session, multiple=False):
    poll = polls.create_poll(session, actor, session_id=live_session.id, question="ควรเริ่มโครงการใดก่อน", options="โซลาร์เซลล์\nไบโอแก๊ส", multiple=multiple)
    return polls.open_poll(session, actor, session_id=live_session.id, poll_id=poll.id)


def options(session, poll):
    return list(session.exec(select(LivePollOption.id).where(LivePollOption.poll_id == poll.id).order_by(LivePollOption.position)).all())


def counts(session, poll):
    session.expire_all()
    return [o.votes for o in session.exec(select(LivePollOption).where(LivePollOption.poll_id == poll.id).order_by(LivePollOption.position)).all()]


def frames_after(app, live_session, before):
    return live.get_hub(app).store.after(sessions_live.channel(live_session.code), before)


def position(app, live_session):
    return live.get_hub(app).store.latest(sessions_live.channel(live_session.code))


# -- the facilitator ---------------------------------------------------------------------------


async def test_facilitator_writes_opens_and_closes_a_poll_from_the_console(app, session, facilitator, live_session):
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert f'action="/sessions/{live_session.id}/polls"' in console.text and "โพลด่วน" in console.text
    response = await facilitator.post(f"/sessions/{live_session.id}/polls", {"question": "เลือกพลังงาน", "options": "แดด\nลม\nน้ำ"})
    assert response.status_code == 303
    poll = session.exec(select(LivePoll)).one()
    before = position(app, live_session)
    response = await facilitator.post(f"/sessions/{live_session.id}/polls/{poll.id}/open", htmx=True)
    assert response.status_code == 200 and 'id="session_polls"' in response.text and "<html" not in response.text
    session.expire_all()
    assert session.get(LivePoll, poll.id).status == LivePollStatus.open
    [frame] = frames_after(app, live_session, before)
    assert 'id="session-poll"' in frame.html and 'hx-swap-oob="true"' in frame.html and "เลือกพลังงาน" in frame.html
    assert 'name="option"' in frame.html and "checked" not in frame.html
    assert "csrf_token" not in frame.html and await facilitator.csrf_token() not in frame.html
    projector = await facilitator.get(f"/sessions/{live_session.id}/projector")
    assert "เลือกพลังงาน" in projector.text and "<progress" in projector.text and 'style="' not in projector.text
    assert f'id="poll-results-{poll.id}"' in projector.text
    await facilitator.post(f"/sessions/{live_session.id}/polls/{poll.id}/close")
    session.expire_all()
    assert session.get(LivePoll, poll.id).status == LivePollStatus.closed


async def test_a_bad_poll_is_explained_and_nothing_is_written(session, facilitator, live_session):
    response = await facilitator.post(f"/sessions/{live_session.id}/polls", {"question": "", "options": "แดด"})
    assert response.status_code == 422 and "กรุณาระบุคำถาม" in response.text and "กรุณาระบุตัวเลือก 2 ถึง 10" in response.text
    response = await facilitator.post(f"/sessions/{live_session.id}/polls", {"question": "ถาม", "options": "แดด"}, htmx=True)
    assert response.status_code == 422 and 'id="session_polls"' in response.text and 'value="ถาม"' in response.text
    assert session.exec(select(func.count()).select_from(LivePoll)).one() == 0


async def test_a_draft_is_edited_and_deleted(session, facilitator, actor, live_session):
    poll = polls.create_poll(session, actor, session_id=live_session.id, question="ร่าง", options="ก\nข")
    poll_id = poll.id
    response = await facilitator.post(f"/sessions/{live_session.id}/polls/{poll.id}/edit", {"question": "ร่างใหม่", "options": "ก\nข\nค", "multiple": "true", "version": poll.version})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(LivePoll, poll.id).question == "ร่างใหม่" and session.get(LivePoll, poll.id).multiple
    response = await facilitator.post(f"/sessions/{live_session.id}/polls/{poll.id}/edit", {"question": "ร่างใหม่", "options": "ก", "version": session.get(LivePoll, poll.id).version}, htmx=True)
    assert response.status_code == 422 and "<details open>" in response.text and "กรุณาระบุตัวเลือก 2 ถึง 10" in response.text
    await facilitator.post(f"/sessions/{live_session.id}/polls/{poll_id}/delete")
    session.expire_all()
    assert session.get(LivePoll, poll_id) is None


@pytest.mark.parametrize("url", ["/polls", "/polls/{poll}/open", "/polls/{poll}/close", "/polls/{poll}/delete", "/polls/{poll}/edit", "/timer", "/timer/stop"])
@pytest.mark.parametrize("role", [Role.member, Role.observer, None])
async def test_only_facilitators_run_polls_and_the_timer(session, as_member, make_client, facilitator, actor, live_session, url, role):
    poll = polls.create_poll(session, actor, session_id=live_session.id, question="ถาม", options="ก\nข")
    if role is None:
        client = make_client()
    else:
        client = await as_member(role, body=facilitator.body)
    response = await client.post(f"/sessions/{live_session.id}" + url.replace("{poll}", str(poll.id)), {"question": "x", "options": "a\nb", "minutes": "3"})
    assert response.status_code in (401, 403) or response.headers.get("location", "").startswith("/login")
    session.expire_all()
    assert session.get(LivePoll, poll.id).status == LivePollStatus.draft and session.get(LivePoll, poll.id).question == "ถาม"
    assert session.exec(select(func.count()).select_from(LivePoll)).one() == 1
    assert session.get(LiveSession, live_session.id).timer_ends_at is None


async def test_closed_polls_stay_viewable_on_the_console_after_the_session_closes(session, facilitator, actor, make_client, live_session):
    poll = open_poll(session, actor, live_session)
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": str(options(session, poll)[0])})
    polls.close_poll(session, actor, session_id=live_session.id, poll_id=poll.id)
    sessions.change_session_status(session, actor, session_id=live_session.id, to="close")
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert console.status_code == 200 and "ควรเริ่มโครงการใดก่อน" in console.text and 'value="100"' in console.text
    assert f'action="/sessions/{live_session.id}/polls"' not in console.text


# -- participants ------------------------------------------------------------------------------


async def test_a_participant_answers_and_sees_their_choice(app, session, make_client, actor, live_session):
    poll = open_poll(session, actor, live_session)
    first, second = options(session, poll)
    guest = await joined(make_client, live_session)
    page = await guest.get(f"/s/{live_session.code}")
    assert 'id="session-poll"' in page.text and "ควรเริ่มโครงการใดก่อน" in page.text and 'type="radio"' in page.text
    before = position(app, live_session)
    response = await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": str(first)}, htmx=True)
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="session-poll"')
    assert f'value="{first}" checked' in response.text
    [frame] = frames_after(app, live_session, before)
    assert frame.html.startswith(f'<div id="poll-results-{poll.id}"') and 'hx-swap-oob="true"' in frame.html
    assert 'value="100"' in frame.html and "session-poll\"" not in frame.html and "csrf" not in frame.html and "checked" not in frame.html
    assert counts(session, poll) == [1, 0]
    response = await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": str(second)})
    assert response.status_code == 303 and response.headers["location"] == f"/s/{live_session.code}#session-poll"
    assert counts(session, poll) == [0, 1]
    page = await guest.get(f"/s/{live_session.code}")
    assert f'value="{second}" checked' in page.text and f'value="{first}" checked' not in page.text


async def test_a_double_submit_of_an_answer_counts_once(app, session, make_client, actor, live_session):
    poll = open_poll(session, actor, live_session)
    guest = await joined(make_client, live_session)
    option = str(options(session, poll)[0])
    before = position(app, live_session)
    responses = await asyncio.gather(*[guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": option}, htmx=True) for _ in range(3)])
    assert all(r.status_code == 200 for r in responses)
    assert counts(session, poll) == [1, 0]
    assert session.exec(select(func.count()).select_from(LivePollAnswer)).one() == 1
    assert len(frames_after(app, live_session, before)) == 1  # the repeats changed nothing


async def test_many_answers_make_few_frames_and_the_last_is_exact(app, session, make_client, actor, live_session):
    """Answers are state, not history: those of a moment make one frame with the results as
    they are at its end (forum.live.Hub.publish_state, as the votes)."""
    hub = live.get_hub(app)
    await hub.start()  # as the server does: the frames of a moment wait for its end
    try:
        poll = open_poll(session, actor, live_session)
        option = str(options(session, poll)[0])
        guests = [await joined(make_client, live_session, f"คน{n}") for n in range(6)]
        before = position(app, live_session)
        hub.state_window = 1.0  # longer than six answers take here
        for guest in guests:
            await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": option}, htmx=True)
        await asyncio.sleep(1.5)
        frames = frames_after(app, live_session, before)
        assert len(frames) == 1, [frame.html for frame in frames]
        assert "ผู้ตอบ: 6 คน" in frames[-1].html
    finally:
        await hub.close()


@pytest.mark.parametrize("data", [{}, {"option": ""}, {"option": "abc"}, {"option": "999999"}])
async def test_a_bad_answer_is_explained_and_changes_nothing(session, make_client, actor, live_session, data):
    poll = open_poll(session, actor, live_session)
    guest = await joined(make_client, live_session)
    for htmx in (True, False):
        response = await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", data, htmx=htmx)
        assert response.status_code == 422
        assert "กรุณาเลือก" in response.text
    assert session.exec(select(func.count()).select_from(LivePollAnswer)).one() == 0


async def test_an_option_of_another_poll_is_refused(session, make_client, actor, live_session):
    other = polls.create_poll(session, actor, session_id=live_session.id, question="อื่น", options="x\ny")
    poll = open_poll(session, actor, live_session)
    guest = await joined(make_client, live_session)
    response = await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": str(options(session, other)[0])}, htmx=True)
    assert response.status_code == 422 and "กรุณาเลือกจากตัวเลือกของโพลนี้" in response.text
    assert session.exec(select(func.count()).select_from(LivePollAnswer)).one() == 0


@pytest.mark.parametrize(("state", "thai"), [("draft", "ยังไม่เปิดให้ตอบ"), ("closed", "โพลนี้ปิดแล้ว"), ("pause", "หยุดพักชั่วคราว"), ("close", "เวทีนี้สิ้นสุดแล้ว")])
async def test_answers_only_while_poll_and_session_are_open(session, make_client, actor, live_session, state, thai):
    guest = await joined(make_client, live_session)
    if state == "draft":
        poll = polls.create_poll(session, actor, session_id=live_session.id, question="ร่าง", options="ก\nข")
    else:
        poll = open_poll(session, actor, live_session)
    if state == "closed":
        polls.close_poll(session, actor, session_id=live_session.id, poll_id=poll.id)
    if state in ("pause", "close"):
        sessions.change_session_status(session, actor, session_id=live_session.id, to=state)
    for htmx in (True, False):
        response = await guest.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": str(options(session, poll)[0])}, htmx=htmx)
        assert response.status_code == 422 and thai in response.text
    assert session.exec(select(func.count()).select_from(LivePollAnswer)).one() == 0


async def test_a_participant_who_has_not_joined_is_told_to_join(session, make_client, actor, live_session):
    poll = open_poll(session, actor, live_session)
    stranger = make_client()
    for htmx in (True, False):
        response = await stranger.post(f"/s/{live_session.code}/polls/{poll.id}/answer", {"option": str(options(session, poll)[0])}, htmx=htmx)
        assert response.status_code == 422 and "กรุณาเข้าร่วมเวทีก่อนตอบโพล" in response.text
    assert session.exec(select(func.count()).select_from(LivePollAnswer)).one() == 0


async def test_the_phone_page_costs_at_most_two_queries_for_polls(engine, session, actor, live_session):
    from sqlalchemy import event

    from deliberation.sessions import pages

    poll = open_poll(session, actor, live_session, multiple=True)
    participant, _token = sessions.join_session(session, ANONYMOUS, code=live_session.code, nickname="ก", consent=True)
    polls.answer_poll(session, participant, poll_id=poll.id, option_ids=[str(options(session, poll)[0])])
    view = sessions.get_session(session, actor, session_id=live_session.id)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        context = pages.participant_poll(session, view, participant)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 2
    assert context["poll_current"].id == poll.id and context["poll_chosen"] == {options(session, poll)[0]}


# -- the timer ---------------------------------------------------------------------------------


async def test_the_timer_is_started_paused_and_published(app, session, facilitator, make_client, live_session):
    before = position(app, live_session)
    response = await facilitator.post(f"/sessions/{live_session.id}/timer", {"minutes": "5", "version": live_session.version})
    assert response.status_code == 303
    [frame] = frames_after(app, live_session, before)
    assert frame.html.startswith('<span id="session-timer"') and 'data-ends-at="20' in frame.html and 'hx-swap-oob="true"' in frame.html
    assert "csrf" not in frame.html
    guest = await joined(make_client, live_session)
    page = await guest.get(f"/s/{live_session.code}")
    assert 'id="session-timer"' in page.text and "data-server-now=" in page.text and ("05:00" in page.text or "04:59" in page.text)
    assert '/static/js/session-timer.js' in page.text
    session.expire_all()
    version = session.get(LiveSession, live_session.id).version
    response = await facilitator.post(f"/sessions/{live_session.id}/timer/pause", {"version": version})
    assert response.status_code == 303
    frame = frames_after(app, live_session, before)[-1]
    assert 'data-ends-at=""' in frame.html and "หยุดชั่วคราว" in frame.html
    projector = await facilitator.get(f"/sessions/{live_session.id}/projector")
    assert 'id="session-timer"' in projector.text


async def test_bad_minutes_are_explained_and_change_nothing(app, session, facilitator, live_session):
    before = position(app, live_session)
    response = await facilitator.post(f"/sessions/{live_session.id}/timer", {"minutes": "500"})
    assert response.status_code == 422 and "กรุณาระบุจำนวนนาทีตั้งแต่ 1 ถึง 120" in response.text
    session.expire_all()
    assert session.get(LiveSession, live_session.id).timer_ends_at is None
    assert frames_after(app, live_session, before) == []


async def test_a_stale_timer_form_is_refused(session, facilitator, live_session):
    await facilitator.post(f"/sessions/{live_session.id}/timer", {"minutes": "3", "version": live_session.version})
    response = await facilitator.post(f"/sessions/{live_session.id}/timer/stop", {"version": live_session.version})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(LiveSession, live_session.id).timer_ends_at is not None
