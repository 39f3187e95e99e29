"""What a live session's stored frames keep, and what a phone away for a while gets back
(issue 11, parts 2 and 3): hidden, corrected, merged and erased text is gone from every
stored copy the socket and /live/poll serve; votes are state, one frame per moment; a
phone further behind than the frames reach gets one snapshot of the session as it is."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import select

from deliberation.sessions import live as sessions_live
from deliberation.sessions import sessions
from deliberation.sessions.models import LiveIdea
from forum import live, privacy
from forum.db import utcnow
from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def facilitator(as_member):
    return await as_member(Role.facilitator)


@pytest.fixture
def live_session(session, facilitator):
    meeting = factories.meeting(session, facilitator.body)
    actor = factories.actor(session, facilitator.person)
    return sessions.open_session(session, actor, meeting_id=meeting.id, prompt="พลังงานชุมชนควรเริ่มที่ใด")


async def joined(make_client, live_session, nickname):
    guest = make_client()
    response = await guest.post(f"/s/{live_session.code}/join", {"nickname": nickname, "consent": "true"})
    assert response.status_code == 303, response.text[:300]
    return guest


async def send_idea(guest, live_session, text) -> None:
    key = f"k{abs(hash(text)) % 10**10:010d}"
    response = await guest.post(f"/s/{live_session.code}/ideas", {"text": text, "key": key}, htmx=True)
    assert response.status_code == 200, response.text[:300]


def idea_of(session, text) -> LiveIdea:
    session.expire_all()
    return session.exec(select(LiveIdea).where(LiveIdea.text == text)).one()


async def polled(reader, live_session, after: int = 0) -> str:
    """What the reader's page gets by polling after frame `after`, with the ticket the page
    carries (a joined phone's pass to the channel), as static/js/wethi.js asks."""
    page = (await reader.get(f"/s/{live_session.code}")).text
    ticket = re.search(r'data-live-ticket="([^"]+)"', page).group(1)
    channel = sessions_live.channel(live_session.code)
    answer = await reader.get("/live/poll", params={"channel": channel, "ticket": ticket, "after": after})
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


async def everything_stored(reader, live_session) -> str:
    """What a page that missed everything gets."""
    return await polled(reader, live_session, 0)


# -- hidden, corrected, merged, erased: gone from the stored frames ------------------------------


async def test_a_hidden_idea_and_its_authors_nickname_are_gone_from_every_stored_frame(session, make_client, facilitator, live_session):
    author = await joined(make_client, live_session, "นามแฝงลับ")
    reader = await joined(make_client, live_session, "ผู้อ่าน")
    await send_idea(author, live_session, "ข้อความที่จะถูกซ่อน")
    await send_idea(author, live_session, "ความคิดที่ยังอยู่")
    assert "ข้อความที่จะถูกซ่อน" in await everything_stored(reader, live_session)
    idea = idea_of(session, "ข้อความที่จะถูกซ่อน")
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/hide", {})
    stored = await everything_stored(reader, live_session)
    assert "ข้อความที่จะถูกซ่อน" not in stored
    assert "ความคิดที่ยังอยู่" in stored  # the rest of the session is still there
    # The nickname went with the hidden idea's frame; it stays on the author's other idea.
    assert stored.count("นามแฝงลับ") == 1
    console = await facilitator.get(f"/sessions/{live_session.id}/console")
    assert "ข้อความที่จะถูกซ่อน" in console.text  # the facilitators still see what they hid


async def test_the_text_before_a_correction_is_gone_from_every_stored_frame(session, make_client, facilitator, live_session):
    author = await joined(make_client, live_session, "ลุงมี")
    await send_idea(author, live_session, "โซล่าเซลล์ผิดตัวสะกด")
    idea = idea_of(session, "โซล่าเซลล์ผิดตัวสะกด")
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{idea.id}/edit", {"text": "โซลาร์เซลล์บนหลังคาวัด"})
    stored = await everything_stored(author, live_session)
    assert "โซล่าเซลล์ผิดตัวสะกด" not in stored and "โซลาร์เซลล์บนหลังคาวัด" in stored


async def test_a_merged_ideas_text_is_gone_from_every_stored_frame(session, make_client, facilitator, live_session):
    author = await joined(make_client, live_session, "ป้าแดง")
    await send_idea(author, live_session, "ไบโอแก๊สจากมูลสุกร")
    await send_idea(author, live_session, "ไบโอแก๊สมูลหมูซ้ำ")
    kept, duplicate = idea_of(session, "ไบโอแก๊สจากมูลสุกร"), idea_of(session, "ไบโอแก๊สมูลหมูซ้ำ")
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{duplicate.id}/merge", {"into_id": str(kept.id)})
    stored = await everything_stored(author, live_session)
    assert "ไบโอแก๊สมูลหมูซ้ำ" not in stored and "ไบโอแก๊สจากมูลสุกร" in stored


async def test_pdpa_erasure_leaves_no_stored_frame_with_the_persons_name_or_ideas(session, make_client, as_member, facilitator, live_session):
    member = await as_member(Role.member, body=facilitator.body)
    name = member.person.display_name
    await member.post(f"/s/{live_session.code}/join", {"nickname": "", "show_account_name": "true", "consent": "true"})
    await send_idea(member, live_session, "ความเห็นส่วนตัวของสมาชิก")
    other = await joined(make_client, live_session, "ผู้อื่น")
    await send_idea(other, live_session, "ความเห็นของคนอื่น")
    stored = await everything_stored(other, live_session)
    assert "ความเห็นส่วนตัวของสมาชิก" in stored and name in stored
    actor = factories.actor(session, member.person)
    request = privacy.request_erasure(session, actor)
    admin = factories.actor(session, factories.person(session, is_admin=True))
    privacy.erase_person(session, admin, request_id=request.id)
    stored = await everything_stored(other, live_session)
    assert "ความเห็นส่วนตัวของสมาชิก" not in stored and name not in stored
    assert "ความเห็นของคนอื่น" in stored


async def test_frames_of_a_closed_session_are_pruned_on_schedule_not_kept_forever(app, session, make_client, facilitator, live_session):
    author = await joined(make_client, live_session, "ผู้ร่วม")
    await send_idea(author, live_session, "ความเห็นในเวทีที่ปิดแล้ว")
    await facilitator.post(f"/sessions/{live_session.id}/status", {"to": "closed", "version": str(live_session.version)})
    hub = live.get_hub(app)
    hub.store.prune(now=utcnow() + live.KEEP_FOR)
    channel = sessions_live.channel(live_session.code)
    assert all("ความเห็นในเวทีที่ปิดแล้ว" not in frame.html for frame in hub.store.after(channel, 0))
    # Whoever comes back to the closed session gets it as it is (a snapshot), not a reload.
    stored = await everything_stored(author, live_session)
    assert "ความเห็นในเวทีที่ปิดแล้ว" in stored and " gap-->" not in stored


# -- a phone away: frames for a while, then one snapshot ------------------------------------------


async def test_a_phone_whose_frames_are_gone_gets_the_session_as_it_is(app, session, make_client, facilitator, live_session):
    author = await joined(make_client, live_session, "ผู้ร่วม")
    voter = await joined(make_client, live_session, "ผู้โหวต")
    await send_idea(author, live_session, "กังหันลมขนาดเล็ก")
    await send_idea(author, live_session, "ความคิดที่ถูกซ่อนในภายหลัง")
    kept = idea_of(session, "กังหันลมขนาดเล็ก")
    await voter.post(f"/s/{live_session.code}/vote", {"idea": str(kept.id)}, htmx=True)
    hidden = idea_of(session, "ความคิดที่ถูกซ่อนในภายหลัง")
    await facilitator.post(f"/sessions/{live_session.id}/ideas/{hidden.id}/hide", {})
    newest = live.get_hub(app).position(sessions_live.channel(live_session.code))
    back = await everything_stored(voter, live_session)  # the hidden idea's frames are gone
    assert back.startswith(f"<!--{newest}-->")  # where it is now, and no gap
    assert '<ol id="ideas" hx-swap-oob="innerHTML">' in back  # the list, whole
    assert "กังหันลมขนาดเล็ก" in back and f'<b id="votes-{kept.id}">1</b>' in back
    assert "ความคิดที่ถูกซ่อนในภายหลัง" not in back
    assert 'id="session-state"' in back and 'id="session-poll"' in back and 'id="session-timer"' in back
    assert "csrf_token" not in back and 'aria-pressed="true"' not in back  # nothing of one reader


async def test_a_phone_a_little_behind_gets_the_frames_it_missed_in_order(app, session, make_client, live_session):
    author = await joined(make_client, live_session, "ผู้ร่วม")
    channel = sessions_live.channel(live_session.code)
    start = live.get_hub(app).position(channel) or 0
    for n in range(5):
        await send_idea(author, live_session, f"ความคิดลำดับ {n}")
    answer = await polled(author, live_session, start)
    found = re.findall(r"ความคิดลำดับ (\d)", answer)
    assert found == ["0", "1", "2", "3", "4"] and 'hx-swap-oob="innerHTML"' not in answer


async def test_votes_of_one_moment_go_out_as_one_frame_with_the_last_counts(app, session, make_client, live_session):
    """Twenty phones voting for an idea within a quarter second: one frame, saying 20."""
    hub = live.get_hub(app)
    await hub.start()  # as the server does: the frames of a moment wait for its end
    try:
        author = await joined(make_client, live_session, "ผู้เสนอ")
        await send_idea(author, live_session, "ไฟถนนโซลาร์เซลล์")
        idea = idea_of(session, "ไฟถนนโซลาร์เซลล์")
        voters = [await joined(make_client, live_session, f"ผู้โหวต {n}") for n in range(20)]
        channel = sessions_live.channel(live_session.code)
        before = hub.position(channel) or 0
        hub.state_window = 1.0  # longer than twenty votes take here
        answers = await asyncio.gather(
            *(voter.post(f"/s/{live_session.code}/vote", {"idea": str(idea.id)}, htmx=True) for voter in voters)
        )
        assert all(answer.status_code == 200 for answer in answers)
        await asyncio.sleep(1.5)
        frames = hub.store.after(channel, before)
        assert len(frames) == 1, [frame.html for frame in frames]
        assert frames[0].html == f'<data id="live-votes" hx-swap-oob="true" value="{idea.id}:20"></data>'
    finally:
        await hub.close()
