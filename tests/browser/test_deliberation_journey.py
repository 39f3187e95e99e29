"""Issue 3's deliberation journey in Chromium, everyone on their own page at once: a member
suggests an agenda item, the secretary accepts it and publishes the agenda, another member
argues against the item and a third replies. Each sees the others' changes arrive over the
live WebSocket (forum/live.py, static/js/wethi.js), never by reloading."""

from __future__ import annotations

from playwright.sync_api import expect

from deliberation.agenda import agendas
from forum.models import Role
from tests import factories
from tests.browser.conftest import th
from tests.browser.test_checkin_journey import log_in

LIVE = 5_000  # ms: how long a change may take to reach the other pages


def test_agenda_and_discussion_update_live_for_everyone(browsing, live_server):
    with live_server.session() as session:
        body = factories.body(session)
        secretary_row = factories.member(session, body, Role.secretary)
        suggester_row, opponent_row, replier_row = (
            factories.member(session, body) for _ in range(3)
        )
        meeting = factories.agenda_meeting(session, body)
        agendas.build_agenda(session, meeting)
        session.commit()
    agenda_url = f"/meetings/{meeting.id}/agenda"

    def person_on(row, url):
        page = browsing.new_page()
        log_in(page, row.email)
        page.goto(url)
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm
        return page

    secretary = person_on(secretary_row, agenda_url)
    suggester = person_on(suggester_row, agenda_url)
    opponent = person_on(opponent_row, agenda_url)

    # A member suggests an item: the secretary's agenda shows it without a reload.
    title = "ติดตั้งโซลาร์เซลล์บนหลังคาศาลาหมู่บ้าน"
    suggester.get_by_label(th("Title")).last.fill(title)
    suggester.get_by_label(th("Why it should be on the agenda")).fill("ลดค่าไฟของชุมชน")
    suggester.get_by_role("button", name=th("Send the suggestion")).click()
    expect(suggester.locator("#suggestions")).to_contain_text(title)
    expect(secretary.locator("#suggestions")).to_contain_text(title, timeout=LIVE)
    expect(opponent.locator("#suggestions")).to_contain_text(title, timeout=LIVE)

    # The secretary accepts it into the agenda, then publishes the agenda.
    secretary.locator("#suggestions details summary").first.click()
    secretary.get_by_role("button", name=th("Accept"), exact=True).click()
    item = secretary.locator(".agenda-item").filter(has_text=title)
    expect(item).to_be_visible()
    for page in (suggester, opponent):
        expect(page.locator(".agenda-item").filter(has_text=title)).to_be_visible(timeout=LIVE)
    secretary.get_by_role("button", name=th("Publish the agenda")).click()
    published = th("Published version: %(number)s", number=1)
    expect(secretary.locator("#agenda_body")).to_contain_text(published)
    for page in (suggester, opponent):
        expect(page.locator("#agenda_body")).to_contain_text(published, timeout=LIVE)

    # Everyone opens the item's discussion.
    for page in (secretary, suggester, opponent):
        page.locator(".agenda-item").filter(has_text=title).get_by_role("link", name=title).click()
        page.wait_for_url(f"**{agenda_url}/items/*")
    item_url = opponent.url
    replier = person_on(replier_row, item_url)

    # One member argues against it: the others' threads show the post, and what someone
    # was typing meanwhile stays in their form.
    draft = "ร่างความเห็นที่ยังไม่ได้ส่ง"
    replier.locator("#new-stance-question").check()
    replier.locator("#new-body").fill(draft)
    argument = "งบประมาณปีนี้ไม่พอ ควรรอปีหน้า"
    opponent.get_by_label(th("Against")).check()
    opponent.locator("#new-body").fill(argument)
    opponent.get_by_role("button", name=th("Send the post")).click()
    expect(opponent.locator("#thread")).to_contain_text(argument)
    for page in (secretary, suggester, replier):
        expect(page.locator("#thread")).to_contain_text(argument, timeout=LIVE)
        expect(page.locator("#thread_summary")).to_contain_text(th("Against"), timeout=LIVE)
    expect(replier.locator("#new-body")).to_have_value(draft)
    expect(replier.locator("#new-stance-question")).to_be_checked()

    # A third replies to it: everyone else sees the reply.
    reply = "ขอเสนอให้ใช้กองทุนพลังงานช่วยสมทบ"
    conversation = replier.locator(".thread-conversation").filter(has_text=argument)
    conversation.locator("summary").filter(has_text=th("Reply")).click()
    conversation.get_by_label(th("Your reply")).fill(reply)
    conversation.get_by_role("button", name=th("Send the reply")).click()
    expect(replier.locator("#thread .post-reply")).to_contain_text(reply)
    for page in (secretary, suggester, opponent):
        expect(page.locator("#thread .post-reply")).to_contain_text(reply, timeout=LIVE)

    # No page ever said it was behind or cut off, and each has moved its resume marker on.
    for page in (secretary, suggester, opponent, replier):
        expect(page.locator(".live-status")).to_have_text("")
        seq = page.locator(".live [data-seq]").get_attribute("data-seq")
        assert seq and int(seq) > 0, (page.url, seq)
