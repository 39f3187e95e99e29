"""Live sessions over HTTP: the facilitator opens one from the meeting page, a guest joins by
code (nickname + consent, a device cookie), sends ideas and votes, the console moderates,
the projector shows the code and the top ideas; every bad input changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from deliberation.sessions import live as sessions_live
from deliberation.sessions import sessions
from deliberation.sessions.models import (
    IdeaStatus,
    LiveIdea,
    LiveIdeaVote,
    LiveParticipant,
    LiveSession,
)
from forum import live, policy
from forum.models import LoginAttempt, MeetingStatus, Role
from tests import factories

pytestmark = pytest.mark.anyio


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
async def facilitator(as_member):
    return await as_member(Role.facilitator)


@pytest.fixture
def meeting(session, facilitator):
    return factories.meeting(session, facilitator.body)


@pytest.fixture
def live_session(session, facilitator, meeting):
    actor = factories.actor(session, facilitator.person)
    return sessions.open_session(session, actor, meeting_id=meeting.id, prompt="ชุมชนจะลดค่าไฟได้อย่างไร")


async def joined(make_client, live_session, nickname="ป้าแดง"):
    guest = make_client()
    response = await guest.post(f"/s/{live_session.code}/join", {"nickname": nickname, "consent": "true"})
    assert response.status_code == 303, response.text[:300]
    return guest


async def test_facilitator_opens_a_session_from_the_meeting_page(session, facilitator, meeting):
    page = await facilitator.get(f"/meetings/{meeting.id}")
    assert f'action="/meetings/{meeting.id}/sessions"' in page.text
    response = await facilitator.post(f"/meetings/{meeting.id}/sessions", {"prompt": "คำถามของเวที", "premoderation": "true"})
    assert response.status_code == 303
    live_session = session.exec(select(LiveSession)).one()
    assert response.headers["location"] == f"/sessions/{live_session.id}/console"
    assert live_session.premoderation
    console = await facilitator.get(response.headers["location"])
    assert live_session.code in console.text and "คำถามของเวที" in console.text
    page = await facilitator.get(f"/meetings/{meeting.id}")
    assert live_session.code in page.text


async def test_the_panel_is_not_shown_to_members_nor_on_a_closed_meeting(session, as_member, facilitator, meeting):
    member = await as_member(Role.member, body=facilitator.body)
    assert 'action="/meetings/' + str(meeting.id) + '/sessions"' not in (await member.get(f"/meetings/{meeting.id}")).text
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    assert "/sessions\"" not in (await facilitator.get(f"/meetings/{meeting.id}")).text


async def test_an_empty_prompt_opens_nothing(session, facilitator, meeting):
    response = await facilitator.post(f"/meetings/{meeting.id}/sessions", {"prompt": "  "})
    assert response.status_code == 303 and response.headers["location"] == f"/meetings/{meeting.id}"
    assert count(session, LiveSession) == 0


async def test_join_page_takes_a_numeric_code(make_client, live_session):
    client = make_client()
    page = await client.get("/join")
    assert 'inputmode="numeric"' in page.text
    response = await client.post("/join", {"code": live_session.code})
    assert response.status_code == 303 and response.headers["location"] == f"/s/{live_session.code}"


@pytest.mark.parametrize("code", ["", "12a456", "1234567"])
async def test_a_bad_code_is_explained(session, make_client, live_session, code):
    response = await make_client().post("/join", {"code": code})
    assert response.status_code == 422
    assert "รหัส" in response.text


async def test_an_unknown_code_page_is_not_found(make_client, live_session):
    other = "000000" if live_session.code != "000000" else "111111"
    response = await make_client().get(f"/s/{other}")
    assert response.status_code == 404 and "ไม่พบเวทีที่ใช้รหัสนี้" in response.text


async def test_a_guest_joins_sends_an_idea_and_votes(session, make_client, live_session):
    guest = make_client()
    page = await guest.get(f"/s/{live_session.code}")
    assert 'name="nickname"' in page.text and 'name="consent"' in page.text and "ชื่อเล่น" in page.text
    response = await guest.post(f"/s/{live_session.code}/join", {"nickname": "ป้าแดง", "consent": "true"})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and f"Path=/s/{live_session.code}" in cookie
    participant = session.exec(select(LiveParticipant)).one()
    assert participant.nickname == "ป้าแดง" and participant.person_id is None
    page = await guest.get(f"/s/{live_session.code}")
    assert 'name="text"' in page.text and 'name="key"' in page.text
    response = await guest.post(f"/s/{live_session.code}/ideas", {"text": "ติดโซลาร์เซลล์ที่วัด", "key": "abcdefgh1234"})
    assert response.status_code == 303
    again = await guest.post(f"/s/{live_session.code}/ideas", {"text": "ติดโซลาร์เซลล์ที่วัด", "key": "abcdefgh1234"})
    assert again.status_code == 303
    assert count(session, LiveIdea) == 1
    idea = session.exec(select(LiveIdea)).one()
    voter = await joined(make_client, live_session, "ลุงมี")
    response = await voter.post(f"/s/{live_session.code}/vote", {"idea": str(idea.id), "order": "top"}, htmx=True)
    assert response.status_code == 200 and f'hx-swap-oob="outerHTML:#idea-{idea.id} button"' in response.text
    assert 'aria-pressed="true"' in response.text and f'name="withdraw" value="{idea.id}"' in response.text
    assert "<html" not in response.text
    await voter.post(f"/s/{live_session.code}/vote", {"withdraw": str(idea.id)})
    assert count(session, LiveIdeaVote) == 0


async def test_a_phone_with_javascript_joins_in_one_request(session, make_client, live_session):
    """Issue 11, part 7: a hall scanning the QR code at once — the join form (htmx) gets the
    joined page back at once, with the device's cookie and the live channel's ticket, not a
    redirect to fetch it (one request a phone fewer); without JavaScript, a 303 as before."""
    guest = make_client()
    response = await guest.post(f"/s/{live_session.code}/join", {"nickname": "ป้าแดง", "consent": "true"}, htmx=True)
    assert response.status_code == 200 and 'id="idea_form"' in response.text and "data-live-ticket=" in response.text
    assert sessions.TOKEN_COOKIE in response.headers["set-cookie"]
    assert (await guest.get(f"/s/{live_session.code}")).text.count('id="idea_form"') == 1  # the cookie works
    plain = await make_client().post(f"/s/{live_session.code}/join", {"nickname": "ลุงมี", "consent": "true"})
    assert plain.status_code == 303 and plain.headers["location"] == f"/s/{live_session.code}"
    refused = await make_client().post(f"/s/{live_session.code}/join", {"nickname": "ยาย"}, htmx=True)
    assert refused.status_code == 422 and "ยินยอม" in refused.text and count(session, LiveParticipant) == 2


async def test_the_same_device_comes_back_as_the_same_participant(session, make_client, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/join", {"nickname": "ชื่ออื่น", "consent": "true"})
    assert count(session, LiveParticipant) == 1
    assert 'name="nickname"' not in (await guest.get(f"/s/{live_session.code}")).text


async def test_a_member_joins_as_themselves(session, as_member, facilitator, live_session):
    member = await as_member(Role.member, body=facilitator.body)
    page = await member.get(f"/s/{live_session.code}")
    assert member.person.display_name in page.text
    await member.post(f"/s/{live_session.code}/join", {"nickname": "", "consent": "true"})
    assert session.exec(select(LiveParticipant)).one().person_id == member.person.id


@pytest.mark.parametrize(("data", "message"), [({"nickname": "", "consent": "true"}, "ชื่อเล่น"), ({"nickname": "ป้าแดง"}, "ยินยอม")])
async def test_a_bad_join_changes_nothing(session, make_client, live_session, data, message):
    response = await make_client().post(f"/s/{live_session.code}/join", data)
    assert response.status_code == 422 and message in response.text
    assert count(session, LiveParticipant) == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"text": "", "key": "abcdefgh0001"}, 422),
        ({"text": "ก" * 281, "key": "abcdefgh0002"}, 422),
        ({"text": "ความคิด", "key": ""}, 422),
        ({"text": "ความคิด", "key": "abcdefgh0003", "category": "ก" * 61}, 422),
    ],
)
async def test_bad_ideas_change_nothing(session, make_client, live_session, data, status):
    guest = await joined(make_client, live_session)
    response = await guest.post(f"/s/{live_session.code}/ideas", data)
    assert response.status_code == status
    assert count(session, LiveIdea) == 0


async def test_an_idea_without_joining_goes_to_the_join_form(session, make_client, live_session):
    response = await make_client().post(f"/s/{live_session.code}/ideas", {"text": "ความคิด", "key": "abcdefgh0004"})
    assert response.status_code == 303 and response.headers["location"] == f"/s/{live_session.code}"
    assert count(session, LiveIdea) == 0


async def test_script_bearing_idea_is_escaped(session, make_client, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "<script>alert(1)</script>", "key": "abcdefgh0005"})
    page = await guest.get(f"/s/{live_session.code}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_vote_on_a_hidden_idea_changes_nothing(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความคิด", "key": "abcdefgh0006"})
    idea = session.exec(select(LiveIdea)).one()
    assert (await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})).status_code == 303
    response = await guest.post(f"/s/{live_session.code}/vote", {"idea": str(idea.id)})
    assert response.status_code == 409
    assert count(session, LiveIdeaVote) == 0


async def test_an_idea_flood_gets_a_clear_message(session, make_client, live_session):
    guest = await joined(make_client, live_session)
    for number in range(6):
        await guest.post(f"/s/{live_session.code}/ideas", {"text": f"ความคิด {number}", "key": f"flood-key-{number:04d}"})
    response = await guest.post(f"/s/{live_session.code}/ideas", {"text": "อีก", "key": "flood-key-9999"})
    assert response.status_code == 429 and "ถี่เกินไป" in response.text
    assert count(session, LiveIdea) == 6


async def test_guessing_codes_is_rate_limited(session, make_client, live_session):
    client = make_client()
    for _ in range(sessions.WRONG_CODES_PER_15_MIN):
        session.add(LoginAttempt(key="live-code:127.0.0.1"))
    session.commit()
    response = await client.post("/join", {"code": live_session.code})
    assert response.status_code == 429 and "รหัสผิด" in response.text


async def test_console_moderates_and_premoderation_holds_ideas(session, make_client, facilitator, live_session):
    live_session.premoderation = True
    session.add(live_session)
    session.commit()
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "รอการอนุมัติ", "key": "abcdefgh0007"})
    assert "รอการอนุมัติ" not in (await guest.get(f"/s/{live_session.code}")).text
    idea = session.exec(select(LiveIdea)).one()
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert "รอการอนุมัติ" in console.text
    response = await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/approve", {}, htmx=True)
    assert response.status_code == 200 and 'id="console"' in response.text and "<html" not in response.text
    assert "รอการอนุมัติ" in (await guest.get(f"/s/{live_session.code}")).text
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/edit", {"text": "แก้คำผิดแล้ว"})
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/pin", {})
    session.expire_all()
    row = session.get(LiveIdea, idea.id)
    assert row.text == "แก้คำผิดแล้ว" and row.pinned and row.status == IdeaStatus.shown


async def test_bad_moderation_changes_nothing(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความคิด", "key": "abcdefgh0008"})
    idea = session.exec(select(LiveIdea)).one()
    assert (await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/explode", {})).status_code == 422
    assert (await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/edit", {"text": " "})).status_code == 422
    assert (await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/merge", {"into_id": str(idea.id)})).status_code == 422
    assert (await facilitator.post(f"/sessions/{live_session.id}/ideas/999999/hide", {})).status_code == 404
    session.expire_all()
    row = session.get(LiveIdea, idea.id)
    assert row.text == "ความคิด" and row.status == IdeaStatus.shown


async def test_pause_and_close_from_the_console(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await facilitator.post(f"/sessions/{live_session.id}/status", {"to": "pause", "version": "1"})
    response = await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความคิด", "key": "abcdefgh0009"})
    assert response.status_code == 409
    assert (await facilitator.post(f"/sessions/{live_session.id}/status", {"to": "close", "version": "1"})).status_code == 409  # stale
    await facilitator.post(f"/sessions/{live_session.id}/status", {"to": "close", "version": "2"})
    page = await guest.get(f"/s/{live_session.code}")
    assert page.status_code == 200 and "สิ้นสุด" in page.text
    assert count(session, LiveIdea) == 0


async def test_projector_shows_the_code_and_top_ideas(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ปลูกต้นไม้ลดความร้อน", "key": "abcdefgh0010"})
    page = await facilitator.get(f"/sessions/{live_session.id}/projector")
    assert live_session.code in page.text and "ปลูกต้นไม้ลดความร้อน" in page.text and "ป้าแดง" in page.text
    assert f"session:{live_session.code}" in page.text


async def test_members_are_not_facilitators(as_member, facilitator, live_session):
    member = await as_member(Role.member, body=facilitator.body)
    for url in (f"/sessions/{live_session.id}/console", f"/sessions/{live_session.id}/projector"):
        assert (await member.get(url)).status_code == 403


async def test_each_change_is_published_on_the_sessions_channel(app, session, make_client, live_session):
    hub = live.get_hub(app)
    channel = sessions_live.channel(live_session.code)
    before = hub.position(channel) or 0
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ไอเดียสด", "key": "abcdefgh0011"})
    assert (hub.position(channel) or 0) > before
    frame = hub.store.after(channel, before)[-1]
    assert "ไอเดียสด" in frame.html and 'hx-swap-oob="afterbegin:#ideas"' in frame.html
    assert "participant_refresh" not in frame.html  # the phones are never asked to fetch their page


async def test_a_frame_holds_nothing_of_one_reader(app, session, make_client, live_session):
    """One frame serves every phone: a vote sends the new count, never a CSRF token or the
    voter's pressed button; a new idea comes with its button unpressed."""
    hub = live.get_hub(app)
    channel = sessions_live.channel(live_session.code)
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ไอเดียสด", "key": "abcdefgh0021"}, htmx=True)
    idea = session.exec(select(LiveIdea)).one()
    voter = await joined(make_client, live_session, "ลุงมี")
    before = hub.position(channel) or 0
    response = await voter.post(f"/s/{live_session.code}/vote", {"idea": str(idea.id)}, htmx=True)
    assert 'aria-pressed="true"' in response.text  # the voter's own answer says they voted
    frames = hub.store.after(channel, 0)
    vote_frame = frames[-1].html
    assert frames[-1].seq == before + 1
    assert vote_frame == f'<data id="live-votes" hx-swap-oob="true" value="{idea.id}:1"></data>'
    for frame in frames:
        assert "csrf_token" not in frame.html and 'aria-pressed="true"' not in frame.html
    again = await voter.post(f"/s/{live_session.code}/vote", {"idea": str(idea.id)}, htmx=True)
    assert again.status_code == 200 and hub.position(channel) == before + 1  # nothing moved: no frame


async def test_pending_and_hidden_ideas_never_reach_the_channel(app, session, make_client, facilitator, live_session):
    hub = live.get_hub(app)
    channel = sessions_live.channel(live_session.code)
    live_session.premoderation = True
    session.add(live_session)
    session.commit()
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความลับรออนุมัติ", "key": "abcdefgh0022"}, htmx=True)
    idea = session.exec(select(LiveIdea)).one()
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/edit", {"text": "แก้แล้วแต่ยังซ่อน"})
    assert [frame for frame in hub.store.after(channel, 0) if "ความลับ" in frame.html or "ยังซ่อน" in frame.html] == []
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/restore", {})
    shown = hub.store.after(channel, 0)[-1].html
    assert "แก้แล้วแต่ยังซ่อน" in shown and "afterbegin:#ideas" in shown
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})
    assert f'id="idea-{idea.id}" hx-swap-oob="delete"' in hub.store.after(channel, 0)[-1].html


async def test_the_idea_form_comes_back_empty_after_a_send(session, make_client, live_session):
    guest = await joined(make_client, live_session)
    response = await guest.post(f"/s/{live_session.code}/ideas", {"text": "ไอเดียแรก", "key": "abcdefgh0023"}, htmx=True)
    assert response.status_code == 200 and 'id="idea_form"' in response.text and "<html" not in response.text
    assert "ไอเดียแรก" not in response.text and "abcdefgh0023" not in response.text  # a fresh key
    assert "ส่งความคิดเห็นของท่านแล้ว" in response.text


def ticket_on(page: str) -> str:
    return re.search(r'data-live-ticket="([^"]+)"', page).group(1)


async def test_a_page_whose_socket_is_blocked_polls_for_the_same_messages(app, session, make_client, live_session):
    channel = sessions_live.channel(live_session.code)
    guest = await joined(make_client, live_session)
    ticket = ticket_on((await guest.get(f"/s/{live_session.code}")).text)
    start = live.get_hub(app).position(channel) or 0
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ผ่านการถาม", "key": "abcdefgh0024"}, htmx=True)
    answer = await guest.get("/live/poll", params={"channel": channel, "ticket": ticket, "after": start})
    assert answer.status_code == 200 and "ผ่านการถาม" in answer.text
    assert answer.text.startswith(f"<!--{start + 1}-->") and answer.headers["cache-control"] == "no-store"
    caught_up = await guest.get("/live/poll", params={"channel": channel, "ticket": ticket, "after": start + 1})
    assert "ผ่านการถาม" not in caught_up.text and caught_up.text == f"<!--{start + 1}-->"
    assert (await guest.get("/live/poll?channel=session:000001&after=0")).status_code == 404


async def test_a_visitor_who_has_not_joined_sees_no_ideas_on_the_page_nor_by_polling(session, make_client, facilitator, live_session):
    """Issue 11, part 4: nicknames and ideas are shown to phones that joined and consented
    (and to the facilitators): the page, the poll endpoint and the socket agree."""
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความเห็นเฉพาะผู้ร่วม", "key": "abcdefgh0031"}, htmx=True)
    channel = sessions_live.channel(live_session.code)
    visitor = make_client()
    page = await visitor.get(f"/s/{live_session.code}")
    assert page.status_code == 200 and 'name="nickname"' in page.text  # the join form
    assert "ความเห็นเฉพาะผู้ร่วม" not in page.text and "ป้าแดง" not in page.text
    assert "ws-connect" not in page.text and "data-live-ticket" not in page.text
    polled = await visitor.get(f"/live/poll?channel={channel}&after=0")
    assert polled.status_code == 404 and "ความเห็นเฉพาะผู้ร่วม" not in polled.text
    forged = await visitor.get("/live/poll", params={"channel": channel, "ticket": "1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAA", "after": 0})
    assert forged.status_code == 404
    joined_page = (await guest.get(f"/s/{live_session.code}")).text
    assert "ความเห็นเฉพาะผู้ร่วม" in joined_page and 'data-live-ticket="' in joined_page
    with_ticket = await guest.get("/live/poll", params={"channel": channel, "ticket": ticket_on(joined_page), "after": 0})
    assert with_ticket.status_code == 200 and "ความเห็นเฉพาะผู้ร่วม" in with_ticket.text
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert f"session:{live_session.code}" in console.text  # the facilitators listen as themselves
    assert (await facilitator.get(f"/live/poll?channel={channel}&after=0")).status_code == 200


async def test_the_channel_admits_a_facilitator_and_refuses_others_alike(session, as_member, facilitator, live_session):
    from forum.errors import NotFound
    from forum.policy import ANONYMOUS

    channel = sessions_live.channel(live_session.code)
    live.authorize(session, factories.actor(session, facilitator.person), channel)
    member = await as_member(Role.member, body=facilitator.body)
    wrong = "000000" if live_session.code != "000000" else "111111"
    for actor, name in ((ANONYMOUS, channel), (factories.actor(session, member.person), channel), (ANONYMOUS, f"session:{wrong}"), (ANONYMOUS, "session:1")):
        with pytest.raises(NotFound):  # the same answer whether the code exists or not
            live.authorize(session, actor, name)


async def test_projector_qr_code_opens_the_participant_page(facilitator, live_session):
    response = await facilitator.get(f"/sessions/{live_session.id}/qr.svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg") and live_session.code in response.text


async def test_ideas_export_as_csv(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "=HYPERLINK(1)", "key": "abcdefgh0012"})
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ใช้หลอดแอลอีดี", "key": "abcdefgh0013"})
    response = await facilitator.get(f"/sessions/{live_session.id}/ideas.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "id,text,category,author,status,votes,pinned,merged_into,created_at"
    assert "'=HYPERLINK(1)" in lines[1] and "ใช้หลอดแอลอีดี,,ป้าแดง,shown,0" in lines[2]


async def test_an_idea_of_another_session_is_not_found_in_this_console(session, make_client, facilitator, meeting, live_session):
    actor = factories.actor(session, facilitator.person)
    other = sessions.open_session(session, actor, meeting_id=meeting.id, prompt="อีกเวที")
    guest = await joined(make_client, other)
    await guest.post(f"/s/{other.code}/ideas", {"text": "ของอีกเวที", "key": "abcdefgh0014"})
    idea = session.exec(select(LiveIdea)).one()
    assert (await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})).status_code == 404
    session.expire_all()
    assert session.get(LiveIdea, idea.id).status == IdeaStatus.shown


async def test_a_bad_merge_shows_its_message_next_to_the_idea(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความคิด", "key": "abcdefgh0015"})
    idea = session.exec(select(LiveIdea)).one()
    response = await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/merge", {"into_id": "abc"}, htmx=True)
    assert response.status_code == 422 and f'id="merge-into-{idea.id}-error"' in response.text
    assert "กรุณาเลือกความคิดเห็นอื่นในเวทีนี้" in response.text


async def test_the_facilitator_sets_the_idea_limit_and_premoderation(session, make_client, facilitator, meeting):
    response = await facilitator.post(f"/meetings/{meeting.id}/sessions", {"prompt": "คำถามสั้น", "idea_limit": "40"})
    assert response.status_code == 303
    live_session = session.exec(select(LiveSession)).one()
    assert live_session.idea_limit == 40 and not live_session.premoderation
    guest = await joined(make_client, live_session)
    too_long = await guest.post(f"/s/{live_session.code}/ideas", {"text": "ก" * 41, "key": "abcdefgh0031"})
    assert too_long.status_code == 422 and "40" in too_long.text
    bad = await facilitator.post(f"/sessions/{live_session.id}/settings", {"idea_limit": "5", "version": "1"})
    assert bad.status_code == 422 and "น้อยเกินไป" in bad.text
    stale = await facilitator.post(f"/sessions/{live_session.id}/settings", {"idea_limit": "500", "version": "9"})
    assert stale.status_code == 409
    saved = await facilitator.post(f"/sessions/{live_session.id}/settings", {"idea_limit": "500", "premoderation": "true", "version": "1"})
    assert saved.status_code == 303
    session.expire_all()
    changed = session.get(LiveSession, live_session.id)
    assert changed.idea_limit == 500 and changed.premoderation and changed.version == 2
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ก" * 41, "key": "abcdefgh0032"})
    assert session.exec(select(LiveIdea)).one().status == IdeaStatus.pending
    member = await joined(make_client, live_session, "ลุงมี")
    assert (await member.post(f"/sessions/{live_session.id}/settings", {"idea_limit": "20", "version": "2"})).status_code in (401, 403)
    assert session.get(LiveSession, live_session.id).idea_limit == 500


async def test_an_idea_limit_out_of_range_opens_nothing(session, facilitator, meeting):
    response = await facilitator.post(f"/meetings/{meeting.id}/sessions", {"prompt": "คำถาม", "idea_limit": "5000"})
    assert response.status_code == 303 and count(session, LiveSession) == 0


async def test_the_join_address_is_the_one_phones_can_reach(app, facilitator, live_session):
    """Without WETHI_BASE_URL, the projector's link and QR code use the address the
    facilitator's browser used (the hall's network), not the default 127.0.0.1:8000."""
    settings = app.state.settings
    configured = "base_url" in settings.model_fields_set  # (the PostgreSQL run sets one)
    expected = str(settings.base_url).rstrip("/") if configured else "http://192.168.1.20:8000"
    page = await facilitator.get(f"/sessions/{live_session.id}/projector", headers={"Host": "192.168.1.20:8000"})
    assert f"{expected}/s/{live_session.code}" in page.text
    assert configured or "127.0.0.1:8000" not in page.text
    qr = await facilitator.get(f"/sessions/{live_session.id}/qr.svg", headers={"Host": "192.168.1.20:8000"})
    assert qr.status_code == 200


async def test_a_hall_behind_one_address_is_not_locked_out_by_mistyped_codes(session, make_client, live_session):
    """Everyone in the hall shares the Wi-Fi's address: once 100 wrong codes came from it,
    a new phone is refused (guessing), but the phones that joined go on as before."""
    guest = await joined(make_client, live_session)
    for _ in range(sessions.WRONG_CODES_PER_15_MIN):
        session.add(LoginAttempt(key="live-code:127.0.0.1"))
    session.commit()
    assert (await guest.get(f"/s/{live_session.code}")).status_code == 200
    sent = await guest.post(f"/s/{live_session.code}/ideas", {"text": "ยังส่งได้", "key": "abcdefgh0041"}, htmx=True)
    assert sent.status_code == 200 and "HX-Retarget" not in sent.headers and 'id="idea_form"' in sent.text
    assert count(session, LiveIdea) == 1
    assert (await make_client().get(f"/s/{live_session.code}")).status_code == 429


async def test_the_console_shows_a_blocked_hall_and_the_facilitator_lets_it_in(session, as_member, make_client, facilitator, live_session):
    """Issue 11, part 7: the hall's Wi-Fi reached the wrong-code limit; a new phone is
    refused with a clear message, the console says why, and one press lets the hall in."""
    for _ in range(sessions.WRONG_CODES_PER_15_MIN):
        session.add(LoginAttempt(key="live-code:127.0.0.1"))
    session.commit()
    refused = await make_client().post(f"/s/{live_session.code}/join", {"nickname": "ป้าแดง", "consent": "true"})
    assert refused.status_code == 429 and "กรอกรหัสผิดจากเครือข่ายนี้หลายครั้งเกินไป" in refused.text
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert "การเชื่อมต่อที่เข้าร่วมไม่ได้" in console.text and "127.0.0.1" in console.text
    member = await as_member(Role.member, body=facilitator.body)
    assert (await member.post(f"/sessions/{live_session.id}/unblock", {"address": "127.0.0.1"})).status_code == 403
    bad = await facilitator.post(f"/sessions/{live_session.id}/unblock", {"address": "10.9.9.9"}, htmx=True)
    assert bad.status_code == 422 and "ไม่ได้ถูกระงับแล้ว" in bad.text
    lifted = await facilitator.post(f"/sessions/{live_session.id}/unblock", {"address": "127.0.0.1"}, htmx=True)
    assert lifted.status_code == 200 and "127.0.0.1" not in lifted.text
    await joined(make_client, live_session)  # the hall joins again


async def test_a_refused_vote_is_said_on_its_button_not_over_the_page(session, make_client, facilitator, live_session):
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ความคิด", "key": "abcdefgh0042"}, htmx=True)
    idea = session.exec(select(LiveIdea)).one()
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})
    voter = await joined(make_client, live_session, "ลุงมี")
    response = await voter.post(f"/s/{live_session.code}/vote", {"idea": str(idea.id)}, htmx=True)
    assert response.status_code == 409 and "HX-Retarget" not in response.headers
    assert f'hx-swap-oob="outerHTML:#idea-{idea.id} button"' in response.text and 'role="alert"' in response.text
    assert f'hx-swap-oob="beforeend:#idea-{idea.id}"' in response.text and "<html" not in response.text
    assert count(session, LiveIdeaVote) == 0


async def test_listening_is_no_way_around_the_guessing_limit(session, make_client, live_session):
    """A session's channel is named by its code: asking for unknown ones (by polling or by
    socket) is counted like typed codes, and an address past the limit is refused."""
    client = make_client()
    wrong = "000001" if live_session.code != "000001" else "000002"
    assert (await client.get(f"/live/poll?channel=session:{wrong}&after=0")).status_code == 404
    assert session.exec(select(func.count()).where(LoginAttempt.key == "live-channel:127.0.0.1")).one() == 1
    for _ in range(live.GUESSES_PER_15_MIN):
        session.add(LoginAttempt(key="live-channel:127.0.0.1"))
    session.commit()
    refused = await client.get(f"/live/poll?channel=session:{live_session.code}&after=0")
    assert refused.status_code == 429


async def test_a_closed_session_stays_with_its_meeting_readable_and_unchanged(session, as_member, make_client, facilitator, meeting, live_session):
    """What was said stays with the meeting: its page lists the session for every member,
    the session's page shows the ideas to whoever has the code, and nothing changes them."""
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ติดโซลาร์ที่ศาลาวัด", "key": "abcdefgh0051"})
    idea = session.exec(select(LiveIdea)).one()
    member = await as_member(Role.member, body=facilitator.body)
    page = await member.get(f"/meetings/{meeting.id}")
    assert f'href="/s/{live_session.code}"' in page.text and f"/sessions/{live_session.id}/console" not in page.text
    await facilitator.post(f"/sessions/{live_session.id}/status", {"to": "close", "version": "1"})
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    for reader, console in ((member, False), (facilitator, True)):
        page = await reader.get(f"/meetings/{meeting.id}")
        assert live_session.prompt in page.text and ("/console" in page.text) == console
        assert 'name="prompt"' not in page.text  # no new session on a closed meeting
    stranger = make_client()
    readable = await stranger.get(f"/s/{live_session.code}")
    assert "ติดโซลาร์ที่ศาลาวัด" in readable.text and 'name="nickname"' not in readable.text
    refused = await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})
    assert refused.status_code == 409
    assert session.get(LiveIdea, idea.id).status == IdeaStatus.shown
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert f"/ideas/{idea.id}/hide" not in console.text and f"promote?idea={idea.id}" in console.text


async def test_a_session_on_one_agenda_item(session, make_client, facilitator, meeting):
    item = factories.agenda_item(session, meeting, title="แผนติดตั้งโซลาร์เซลล์")
    page = await facilitator.get(f"/meetings/{meeting.id}")
    assert 'name="item_id"' in page.text and "แผนติดตั้งโซลาร์เซลล์" in page.text
    response = await facilitator.post(f"/meetings/{meeting.id}/sessions", {"prompt": "ติดที่ไหนก่อนดี", "item_id": str(item.id)})
    assert response.status_code == 303
    live_session = session.exec(select(LiveSession)).one()
    assert live_session.item_id == item.id
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    phone = await make_client().get(f"/s/{live_session.code}")
    for page in (console, phone):
        assert "แผนติดตั้งโซลาร์เซลล์" in page.text
    other = factories.meeting(session, facilitator.body)
    wrong = factories.agenda_item(session, other, title="วาระอื่น")
    await facilitator.post(f"/meetings/{meeting.id}/sessions", {"prompt": "อีกคำถาม", "item_id": str(wrong.id)})
    assert count(session, LiveSession) == 1  # an item of another meeting opens nothing


# -- a page and the ideas committed while it renders (issue 11, part 1) ------------------------


@pytest.mark.parametrize("page", ["participant", "console", "projector"])
async def test_an_idea_committed_while_a_page_renders_reaches_that_page(app, engine, session, facilitator, make_client, live_session, monkeypatch, page):
    """The page's data is read, then (in the slowest order for it) another phone's idea is
    committed and published before the page learns its live position: the page must still
    get that idea, in its HTML or as a frame after its position."""
    import re

    from sqlmodel import Session

    from deliberation.sessions import ideas
    from forum import events, policy

    guest = await joined(make_client, live_session)
    writer_participant, _token = sessions.join_session(session, policy.ANONYMOUS, code=live_session.code, nickname="ลุงมา", consent=True)
    real_list_ideas = ideas.list_ideas
    sent: list[int] = []

    def list_then_another_idea_arrives(*args, **kwargs):
        rows = real_list_ideas(*args, **kwargs)
        if not sent:
            with Session(engine, expire_on_commit=False) as other:
                idea, _created = ideas.submit_idea(other, other.get(LiveParticipant, writer_participant.id), text="โซลาร์เซลล์บนหลังคาวัด", key="k" * 16)
                events.publish(live.get_hub(app), other, policy.ANONYMOUS)
                sent.append(idea.id)
        return rows

    monkeypatch.setattr(ideas, "list_ideas", list_then_another_idea_arrives)
    monkeypatch.setattr(sessions_live.ideas, "list_ideas", list_then_another_idea_arrives)
    client = guest if page == "participant" else facilitator
    url = {"participant": f"/s/{live_session.code}", "console": f"/sessions/{live_session.id}/console", "projector": f"/sessions/{live_session.id}/projector"}[page]
    response = await client.get(url)
    assert response.status_code == 200 and sent
    after = int(re.search(r'id="live-seq-session-\d+" data-seq="(\d*)"', response.text).group(1) or 0)
    replayed = "".join(frame.html for frame in live.get_hub(app).store.after(sessions_live.channel(live_session.code), after))
    assert "โซลาร์เซลล์บนหลังคาวัด" in response.text or "โซลาร์เซลล์บนหลังคาวัด" in replayed


async def test_an_idea_waiting_for_approval_reaches_the_console_only(app, session, make_client, facilitator, live_session):
    """Issue 11, part 5: no frame to every phone (a write, and a signal of who wrote when);
    one on the facilitators' channel, which the console follows and nobody else may."""
    from forum.errors import Forbidden, NotLoggedIn
    from forum.policy import ANONYMOUS

    hub = live.get_hub(app)
    live_session.premoderation = True
    session.add(live_session)
    session.commit()
    guest = await joined(make_client, live_session)
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "รออนุมัติก่อน", "key": "abcdefgh0031"}, htmx=True)
    idea = session.exec(select(LiveIdea)).one()
    assert hub.store.after(sessions_live.channel(live_session.code), 0) == []
    [frame] = hub.store.after(sessions_live.console_channel(live_session.id), 0)
    assert f'data-idea="{idea.id}"' in frame.html and "รออนุมัติก่อน" not in frame.html
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert f'data-live-channel="console:{live_session.id}"' in console.text
    for outsider in (ANONYMOUS, factories.actor(session, factories.member(session, factories.body(session)))):
        with pytest.raises((NotLoggedIn, Forbidden)):
            live.authorize(session, outsider, sessions_live.console_channel(live_session.id))
    polled = await guest.get(f"/live/poll?channel=console:{live_session.id}&after=0")
    assert polled.status_code in (303, 401, 403, 404) and "data-idea" not in polled.text  # sent to log in


# -- PDPA for a guest without an account (issue 12, part 5) -------------------------------------


async def test_a_guests_consent_is_in_the_ledger_with_the_notice_version(session, make_client, live_session):
    from deliberation.sessions.models import LiveConsent

    guest = await joined(make_client, live_session)
    page = await guest.get(f"/s/{live_session.code}")
    assert "ข้อมูลของท่านในเวทีนี้" in page.text
    [consent] = session.exec(select(LiveConsent)).all()
    participant = session.exec(select(LiveParticipant)).one()
    assert (consent.participant_id, consent.notice_version, consent.withdrawn_at) == (participant.id, sessions.GUEST_NOTICE_VERSION, None)
    await guest.post(f"/s/{live_session.code}/join", {"nickname": "อีกครั้ง", "consent": "true"})
    assert count(session, LiveConsent) == 1  # the same device again: no second consent


async def test_a_guest_downloads_and_erases_their_own_data_from_the_phone(session, make_client, live_session, facilitator):
    from deliberation.sessions.models import LiveConsent

    guest = await joined(make_client, live_session, nickname="ป้าแดง")
    await guest.post(f"/s/{live_session.code}/ideas", {"text": "ติดโซลาร์เซลล์ที่บ้านป้าแดง", "key": "erase-key-0001"})
    other = await joined(make_client, live_session, nickname="ลุงมี")
    download = await guest.get(f"/s/{live_session.code}/my-data.json")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert data["participant"]["nickname"] == "ป้าแดง" and "token_hash" not in data["participant"]
    assert [idea["text"] for idea in data["ideas"]] == ["ติดโซลาร์เซลล์ที่บ้านป้าแดง"]
    assert data["consents"][0]["notice_version"] == 1 and "ชื่อเล่น" in data["consents"][0]["notice"]
    assert "ลุงมี" not in download.text
    assert (await make_client().get(f"/s/{live_session.code}/my-data.json")).status_code == 404  # no device: nothing

    unconfirmed = await guest.post(f"/s/{live_session.code}/erase", {})
    assert unconfirmed.status_code == 422 and "โปรดทำเครื่องหมายในช่องเพื่อยืนยัน" in unconfirmed.text
    assert count(session, LiveParticipant) == 2 and session.exec(select(LiveIdea)).one().text.startswith("ติดโซลาร์")

    erased = await guest.post(f"/s/{live_session.code}/erase", {"confirm": "yes"})
    assert erased.status_code == 303 and "wethi_live=" in erased.headers["set-cookie"]
    session.expire_all()
    idea = session.exec(select(LiveIdea)).one()
    assert "ป้าแดง" not in idea.text and "โซลาร์" not in idea.text
    nicknames = {p.nickname for p in session.exec(select(LiveParticipant)).all()}
    assert "ป้าแดง" not in nicknames and "ลุงมี" in nicknames
    assert session.exec(select(LiveConsent).where(LiveConsent.withdrawn_at.is_not(None))).one()
    frames = await make_client().get(f"/live/poll?channel=session:{live_session.code}&after=0")
    assert "ป้าแดง" not in frames.text and "ติดโซลาร์เซลล์ที่บ้าน" not in frames.text
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert "ป้าแดง" not in console.text and "ติดโซลาร์เซลล์ที่บ้านป้าแดง" not in console.text
    assert (await guest.get(f"/s/{live_session.code}/my-data.json")).status_code == 404  # the device left
    assert "ลุงมี" in (await other.get(f"/s/{live_session.code}/my-data.json")).text


async def test_nicknames_of_a_session_closed_long_ago_are_forgotten_by_the_sweep(session, engine, live_session):
    from datetime import timedelta

    from forum import privacy as forum_privacy
    from forum.config import get_settings
    from forum.db import utcnow

    guest, _token = sessions.join_session(session, policy.ANONYMOUS, code=live_session.code, nickname="ป้าแดง", consent=True)
    settings = get_settings().model_copy(update={"retain_session_nicknames_days": 30})
    live_session.status, live_session.closed_at = "closed", utcnow() - timedelta(days=29)
    session.add(live_session)
    session.commit()
    assert forum_privacy.forget_expired(engine, settings)["deliberation.session_nicknames"] == 0
    session.expire_all()
    assert session.get(LiveParticipant, guest.id).nickname == "ป้าแดง"  # not yet
    assert forum_privacy.forget_expired(engine, settings, now=utcnow() + timedelta(days=2))["deliberation.session_nicknames"] == 1
    session.expire_all()
    assert session.get(LiveParticipant, guest.id).nickname != "ป้าแดง"
    assert forum_privacy.forget_expired(engine, settings, now=utcnow() + timedelta(days=2))["deliberation.session_nicknames"] == 0


async def test_ideas_not_taken_forward_of_a_session_closed_long_ago_are_deleted_by_the_sweep(session, engine, live_session, facilitator):
    from datetime import timedelta

    from deliberation.sessions import followup, ideas
    from deliberation.sessions.models import LivePromotionIdea
    from forum import privacy as forum_privacy
    from forum.config import get_settings
    from forum.db import utcnow

    guest, _token = sessions.join_session(session, policy.ANONYMOUS, code=live_session.code, nickname="ป้าแดง", consent=True)
    kept, _ = ideas.submit_idea(session, guest, text="ธนาคารน้ำใต้ดินของหมู่บ้าน", key="retain-000001")
    dropped, _ = ideas.submit_idea(session, guest, text="โทรหาผมที่ 081-234-5678", key="retain-000002")
    voter, _token = sessions.join_session(session, policy.ANONYMOUS, code=live_session.code, nickname="ลุงมี", consent=True)
    ideas.vote_idea(session, voter, idea_id=dropped.id)
    actor = factories.actor(session, facilitator.person)
    followup.promote(session, actor, session_id=live_session.id, idea_id=kept.id, title="ธนาคารน้ำใต้ดิน", target="proposal_draft")
    ideas.edit_idea(session, actor, idea_id=dropped.id, text="โทรหาผมที่ 081-234-5678 ได้เลย")  # audited, both texts
    kept_id, dropped_id = kept.id, dropped.id
    settings = get_settings().model_copy(update={"retain_session_ideas_days": 30})
    live_session.status, live_session.closed_at = "closed", utcnow() - timedelta(days=29)
    session.add(live_session)
    session.commit()
    assert forum_privacy.forget_expired(engine, settings)["deliberation.session_ideas"] == 0  # not yet
    assert count(session, LiveIdea) == 2
    later = utcnow() + timedelta(days=2)
    assert forum_privacy.forget_expired(engine, settings, now=later)["deliberation.session_ideas"] == 1
    session.expire_all()
    assert session.get(LiveIdea, dropped_id) is None and count(session, LiveIdeaVote) == 0
    assert session.get(LiveIdea, kept_id).text == "ธนาคารน้ำใต้ดินของหมู่บ้าน"  # the record behind the draft
    assert session.exec(select(LivePromotionIdea)).one().idea_id == kept_id
    from forum.models import AuditEvent

    audited = session.exec(select(AuditEvent).where(AuditEvent.target_type == "live_idea", AuditEvent.target_id == dropped_id)).all()
    assert audited and "081-234-5678" not in str([(event.before, event.after) for event in audited])
    export = await facilitator.get(f"/sessions/{live_session.id}/ideas.csv")
    assert "081-234-5678" not in export.text and "ธนาคารน้ำใต้ดินของหมู่บ้าน" in export.text
    privacy_page = await facilitator.get("/privacy")
    assert "ไม่ได้นำไปดำเนินการต่อ" in privacy_page.text and "1095" in privacy_page.text
    assert forum_privacy.forget_expired(engine, settings, now=later)["deliberation.session_ideas"] == 0
