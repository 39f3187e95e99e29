"""Issue 4 in Chromium: a live session's three views at once — the projector and the console
(the facilitator, logged in) and phones (guests with a phone's screen who typed the code on
/join) — follow each other without reloading: an idea sent from a phone appears on the
projector, the console and the other phone; a vote from another phone changes the count on
the projector; an idea the facilitator hides disappears everywhere. A phone whose
WebSocket is blocked (a proxy that refuses it) still receives new ideas.

Checked by what people see (texts and counts), not by the frames' markup."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Browsing, th
from tests.browser.test_checkin_journey import log_in
from tests.serving import open_live_session, served_site

LIVE = 5_000  # ms: how long a change may take to reach the other pages
FALLBACK = 10_000  # ms: without a WebSocket, "within a few seconds"
BACK = 15_000  # ms: after a restart, the page's reconnection backs off for a few seconds


def only_number(count: int) -> re.Pattern[str]:
    """An idea's row whose only figure is `count` (texts and nicknames here have none)."""
    return re.compile(rf"^\D*(?<!\d){count}(?!\d)\D*$")


def join_by_code(browsing, code: str, nickname: str):
    """A guest's phone: types the code on /join, gives a nickname and the consent."""
    phone = browsing.new_page(**PHONE)
    phone.goto("/join")
    phone.get_by_label(th("Session code")).fill(code)
    phone.get_by_role("button", name=th("Join")).click()
    phone.get_by_label(th("Your nickname")).fill(nickname)
    phone.get_by_label(th("I agree to take part on these terms")).check()
    phone.get_by_role("button", name=th("Join")).click()
    expect(phone.get_by_label(th("Your idea"))).to_be_visible()
    assert phone.url.endswith(f"/s/{code}")
    stay(phone)
    return phone


def facilitator_on(browsing, email: str, url: str):
    page = browsing.new_page()
    log_in(page, email)
    page.goto(url)
    stay(page)
    return page


def stay(page) -> None:
    """Marks the loaded document: `stayed(page)` is false once the page was reloaded."""
    page.evaluate("window.wethiTestStayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.wethiTestStayed === true")


def send_idea(phone, text: str) -> None:
    phone.get_by_label(th("Your idea")).fill(text)
    phone.get_by_role("button", name=th("Send the idea")).click()
    expect(phone.get_by_text(text)).to_have_count(1, timeout=LIVE)


def idea_row(page, text: str):
    return page.get_by_role("listitem").filter(has_text=text)


def test_the_projector_the_console_and_phones_follow_each_other(browsing, live_server):
    opened = open_live_session(live_server.engine)
    projector = facilitator_on(
        browsing, opened.facilitator_email, f"/sessions/{opened.id}/projector"
    )
    console = facilitator_on(browsing, opened.facilitator_email, f"/sessions/{opened.id}/console")
    phone = join_by_code(browsing, opened.code, "ป้าแดง")
    other_phone = join_by_code(browsing, opened.code, "ลุงมี")
    expect(projector.locator("body")).to_contain_text(opened.code)  # the code always shown

    # A phone sends an idea: the projector, the console and the other phone show it.
    idea = "ติดตั้งโซลาร์เซลล์บนหลังคาโรงเรียนประจำตำบล"
    send_idea(phone, idea)
    expect(projector.get_by_text(idea)).to_have_count(1, timeout=LIVE)
    expect(console.locator("#console")).to_contain_text(idea, timeout=LIVE)
    expect(other_phone.get_by_text(idea)).to_have_count(1, timeout=LIVE)
    expect(idea_row(projector, idea)).to_have_text(only_number(0))

    # The other phone votes: the count changes on the projector and on the first phone.
    idea_row(other_phone, idea).get_by_role("button", name=th("Vote")).click()
    expect(idea_row(other_phone, idea)).to_have_text(only_number(1), timeout=LIVE)
    expect(idea_row(projector, idea)).to_have_text(only_number(1), timeout=LIVE)
    expect(idea_row(phone, idea)).to_have_text(only_number(1), timeout=LIVE)

    # The facilitator hides it: it disappears from the projector and from the phones.
    idea_row(console, idea).get_by_role("button", name=th("Hide")).click()
    expect(projector.get_by_text(idea)).to_have_count(0, timeout=LIVE)
    expect(phone.get_by_text(idea)).to_have_count(0, timeout=LIVE)
    expect(other_phone.get_by_text(idea)).to_have_count(0, timeout=LIVE)
    expect(console.locator("#console")).to_contain_text(idea)  # among the hidden ones

    for page in (projector, console, phone, other_phone):
        assert stayed(page), f"{page.url} was reloaded"
        expect(page.locator(".live-status")).to_have_text("")  # never said it was cut off


def test_a_restored_idea_comes_back_with_the_readers_own_vote(browsing, live_server):
    """Issue 11, part 8: a phone voted for an idea; the facilitator hides it, then shows it
    again: its button still says the phone voted (the frame was rendered for everyone)."""
    opened = open_live_session(live_server.engine)
    console = facilitator_on(browsing, opened.facilitator_email, f"/sessions/{opened.id}/console")
    phone = join_by_code(browsing, opened.code, "ป้าแดง")
    idea = "ติดไฟถนนพลังงานแสงอาทิตย์ในซอย"
    send_idea(phone, idea)
    idea_row(phone, idea).get_by_role("button", name=th("Vote")).click()
    expect(idea_row(phone, idea).get_by_role("button", name=th("Voted"))).to_be_visible(timeout=LIVE)
    idea_row(console, idea).get_by_role("button", name=th("Hide")).click()
    expect(phone.get_by_text(idea)).to_have_count(0, timeout=LIVE)
    expect(idea_row(console, idea).get_by_role("button", name=th("Show again"))).to_be_visible(timeout=LIVE)
    idea_row(console, idea).get_by_role("button", name=th("Show again")).click()
    expect(phone.get_by_text(idea)).to_have_count(1, timeout=LIVE)
    expect(idea_row(phone, idea).get_by_role("button", name=th("Voted"))).to_be_visible()
    expect(idea_row(phone, idea)).to_have_text(only_number(1))
    beside = idea_row(phone, idea).locator("b").evaluate("e => getComputedStyle(e, '::after').content")
    assert th("votes") in beside  # the word beside the count, in the page's language
    assert stayed(phone)


def test_the_console_fits_a_laptop_and_the_projector_a_720p_screen(browsing, live_server):
    """Issue 11, part 8: at 1366×768 the console is one screen — incoming ideas and their
    moderation, the themes, the controls side by side, each scrolling on its own, the page
    not at all; at 1280×720 the projector shows its ideas and the whole word cloud."""
    from sqlmodel import Session

    from deliberation.sessions import ideas, sessions
    from forum.policy import ANONYMOUS
    from tests.unit.deliberation.sessions.energy_ideas import BY_SUBJECT

    opened = open_live_session(live_server.engine)
    texts = [text for group in BY_SUBJECT.values() for text in group][:20]
    with Session(live_server.engine) as session:
        for number, text in enumerate(texts):
            participant, _token = sessions.join_session(
                session, ANONYMOUS, code=opened.code, nickname=f"ผู้ร่วม {number}", consent=True
            )
            ideas.submit_idea(session, participant, text=text, key=f"fit-{number:08d}")
    console = browsing.new_page(viewport={"width": 1366, "height": 768})
    log_in(console, opened.facilitator_email)
    console.goto(f"/sessions/{opened.id}/console")
    columns = ["#console", "#clusters", ".session-polls-console", ".session-followup"]
    console.wait_for_timeout(1500)  # the console fetches itself once its live socket is open
    for column in columns:
        expect(console.locator(f"main > {column}")).to_be_visible()
    boxes = [console.locator(f"main > {column}").bounding_box() for column in columns]
    assert None not in boxes, dict(zip(columns, boxes, strict=True))
    assert all(box["y"] + box["height"] <= 768 + 1 for box in boxes), boxes
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # side by side
    console.mouse.wheel(0, 3000)
    console.keyboard.press("End")
    assert console.evaluate("window.scrollY") == 0  # the page itself never scrolls
    expect(console.locator("#console")).to_contain_text(texts[0])
    assert console.locator("#console").evaluate("e => e.scrollHeight > e.clientHeight")  # it scrolls

    projector = browsing.new_page(viewport={"width": 1280, "height": 720})
    log_in(projector, opened.facilitator_email)
    projector.goto(f"/sessions/{opened.id}/projector")
    cloud = projector.locator(".projector .wordcloud").bounding_box()
    assert cloud and cloud["y"] + cloud["height"] <= 720, cloud
    assert projector.evaluate("document.documentElement.scrollHeight") <= 720
    expect(projector.locator("#ideas > li:visible")).to_have_count(8)


def refuse_websockets(context) -> None:
    """What a proxy that blocks WebSockets does to the page: the live socket never opens
    (the handshake fails, as a browser reports it: closed with 1006)."""
    context.route_web_socket(re.compile(r"/live/ws"), lambda socket: socket.close(code=1006))


def test_a_phone_whose_websocket_is_blocked_still_receives_new_ideas(browsing, live_server):
    opened = open_live_session(live_server.engine)
    phone = browsing.new_page(**PHONE)
    refuse_websockets(phone.context)
    phone.goto("/join")
    phone.get_by_label(th("Session code")).fill(opened.code)
    phone.get_by_role("button", name=th("Join")).click()
    phone.get_by_label(th("Your nickname")).fill("ยายศรี")
    phone.get_by_label(th("I agree to take part on these terms")).check()
    phone.get_by_role("button", name=th("Join")).click()
    expect(phone.get_by_label(th("Your idea"))).to_be_visible()
    stay(phone)

    other_phone = join_by_code(browsing, opened.code, "น้องฟ้า")
    idea = "ตั้งศูนย์ซ่อมเครื่องใช้ไฟฟ้าของชุมชน"
    send_idea(other_phone, idea)
    expect(phone.get_by_text(idea)).to_have_count(1, timeout=FALLBACK)
    assert stayed(phone), "the phone reloaded instead of following the session"


def test_a_phone_far_behind_gets_the_session_as_it_is_and_keeps_its_own_vote(browsing, live_server):
    """Issue 11, part 2: a phone away while the frames it needed were pruned gets one
    snapshot of the session instead of "please reload": an idea hidden meanwhile is gone, a
    new one is there, and the button of the idea it voted for still says it voted."""
    from datetime import timedelta

    from sqlmodel import Session

    from deliberation.sessions.models import IdeaStatus, LiveIdea
    from forum import live
    from forum.db import utcnow
    from tests.serving import ideas_with_text

    opened = open_live_session(live_server.engine)
    phone = browsing.new_page(**PHONE)
    refuse_websockets(phone.context)  # it polls: each answer is one message, as on the socket
    phone.goto(f"/s/{opened.code}")
    phone.get_by_label(th("Your nickname")).fill("ยายศรี")
    phone.get_by_label(th("I agree to take part on these terms")).check()
    phone.get_by_role("button", name=th("Join")).click()
    stay(phone)
    other_phone = join_by_code(browsing, opened.code, "น้องฟ้า")
    voted, hidden, new = "ตั้งธนาคารขยะในหมู่บ้าน", "ทำปุ๋ยหมักจากเศษอาหาร", "ใช้รถไฟฟ้ารับส่งนักเรียน"
    send_idea(other_phone, voted)
    send_idea(other_phone, hidden)
    expect(phone.get_by_text(hidden)).to_have_count(1, timeout=FALLBACK)
    idea_row(phone, voted).get_by_role("button", name=th("Vote")).click()
    expect(idea_row(phone, voted).get_by_role("button", name=th("Voted"))).to_be_visible(timeout=LIVE)

    away = re.compile(r"/live/poll")
    phone.route(away, lambda route: route.abort())  # the phone's network is gone
    with Session(live_server.engine) as session:  # hidden with no frame the phone could get
        (hidden_id,) = ideas_with_text(live_server.engine, opened.code, hidden)
        row = session.get(LiveIdea, hidden_id)
        row.status = IdeaStatus.hidden
        session.add(row)
        session.commit()
    send_idea(other_phone, new)
    live.FrameStore(live_server.engine).prune(now=utcnow() + live.KEEP_FOR + timedelta(minutes=1))
    phone.unroute(away)  # back: the frames it missed are gone

    expect(phone.get_by_text(new)).to_have_count(1, timeout=FALLBACK)
    expect(phone.get_by_text(hidden)).to_have_count(0)
    expect(idea_row(phone, voted).get_by_role("button", name=th("Voted"))).to_be_visible()
    expect(idea_row(phone, voted)).to_have_text(only_number(1))
    expect(phone.locator(".live-status")).to_have_text("")  # never told to reload
    assert stayed(phone), "the phone reloaded instead of following the session"


def test_phones_follow_a_server_restarted_mid_session_by_themselves(browser):
    """Its own server (the shared one is not restarted): stopped and started again on the
    same port and database while the phones are open; nobody reloads."""
    with served_site() as site:
        browsing = Browsing(browser, site.url)
        try:
            opened = open_live_session(site.engine)
            phone = join_by_code(browsing, opened.code, "ป้าแดง")
            sender = join_by_code(browsing, opened.code, "ลุงมี")
            before, after = "ติดไฟโซลาร์ที่ลานกีฬา", "ตั้งกองทุนซ่อมแผงโซลาร์"
            send_idea(sender, before)
            expect(phone.get_by_text(before)).to_have_count(1, timeout=LIVE)

            site.restart()
            send_idea(sender, after)  # through the new server
            expect(phone.get_by_text(after)).to_have_count(1, timeout=BACK)
            expect(phone.get_by_text(before)).to_have_count(1)
            assert stayed(phone) and stayed(sender)
        finally:
            browsing.close()
        # (the pages' attempts to reach the server while it was down fail, and the browser and
        # htmx log them as errors: expected here, and only here)
        down = ("ERR_CONNECTION_REFUSED", "error: [object Event]", "htmx:sendError")
        failed = [line for line in browsing.problems if any(mark in line for mark in down)]
        if failed:
            failed += [line for line in browsing.problems if "htmx:afterRequest" in line]
        problems = [line for line in browsing.problems if line not in failed]
        assert problems == [], "console errors or CSP violations:\n" + "\n".join(problems)


def test_a_phone_open_a_while_counts_a_new_timer_down_right(browsing, live_server):
    """The countdown follows the server's clock from the phone's own offset, read when the
    page loaded: a timer started later shows its minute, not a minute plus the time the
    page had been open (the page's server time is stale by then)."""
    opened = open_live_session(live_server.engine)
    phone = join_by_code(browsing, opened.code, "ป้าแดง")
    phone.wait_for_timeout(4000)  # the time being measured: the page has been open a while
    console = facilitator_on(browsing, opened.facilitator_email, f"/sessions/{opened.id}/console")
    console.get_by_label(th("Minutes (1–120)")).fill("1")
    console.get_by_role("button", name=th("Start the timer")).click()
    timer = phone.locator("#session-timer")
    expect(timer).to_have_attribute("data-left", re.compile(r"^\d+$"), timeout=LIVE)
    expect(timer).to_have_text(re.compile(r"^0[01]:\d\d"), timeout=LIVE)
    left = int(timer.get_attribute("data-left"))
    assert 50 <= left <= 60, f"{left} s left of a 1-minute timer"


def test_an_idea_waiting_for_approval_appears_on_the_console_alone(browsing, live_server):
    """Pre-moderation: the phone's idea reaches the console through the facilitators' own
    channel (no reload), and no other phone sees it until it is approved."""
    from sqlmodel import Session

    from deliberation.sessions.models import LiveSession

    opened = open_live_session(live_server.engine)
    with Session(live_server.engine) as session:
        row = session.get(LiveSession, opened.id)
        row.premoderation = True
        session.add(row)
        session.commit()
    console = facilitator_on(browsing, opened.facilitator_email, f"/sessions/{opened.id}/console")
    phone = join_by_code(browsing, opened.code, "ป้าแดง")
    other_phone = join_by_code(browsing, opened.code, "ลุงมี")
    phone.get_by_label(th("Your idea")).fill("ติดโซลาร์ที่ศาลาหมู่บ้าน")
    phone.get_by_role("button", name=th("Send the idea")).click()
    expect(console.locator("body")).to_contain_text("ติดโซลาร์ที่ศาลาหมู่บ้าน", timeout=LIVE)
    assert stayed(console)
    expect(other_phone.get_by_text("ติดโซลาร์ที่ศาลาหมู่บ้าน")).to_have_count(0)
