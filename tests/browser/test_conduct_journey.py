"""Issue 3 part 8 in Chromium: during the meeting the secretary takes up an item and records
its resolution on the meeting page, while a member's meeting page shows the item under
consideration, its clock ticking, and then the resolution, without reloading."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from forum.models import Role
from tests import factories
from tests.browser.conftest import th
from tests.browser.test_checkin_journey import log_in

LIVE = 5_000  # ms: how long a change may take to reach the other pages


def test_the_secretary_runs_the_meeting_and_a_member_follows_live(browsing, live_server):
    with live_server.session() as session:
        body = factories.body(session)
        secretary_row = factories.member(session, body, Role.secretary)
        member_row = factories.member(session, body)
        chair_row = factories.member(session, body, Role.chair)
        meeting = factories.agenda_meeting(session, body, status="live", starts_in=timedelta(minutes=-15))
        item = factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์รูฟท็อปศูนย์เรียนรู้ชุมชน", time_box_minutes=45)
        factories.agenda_item(session, meeting, title="แผนอบรม อส.พน. รุ่นที่ 2", time_box_minutes=30)
    url = f"/meetings/{meeting.id}"

    def person_on(row):
        page = browsing.new_page()
        log_in(page, row.email)
        page.goto(url)
        return page

    secretary = person_on(secretary_row)
    member = person_on(member_row)
    chair = person_on(chair_row)
    for page in (secretary, member):
        expect(page.locator("#conduct_item")).to_have_text(th("No item is under consideration right now."))

    # The secretary takes up the first item: the member's page shows it, its clock ticking.
    secretary.get_by_role("button", name=th("Take up the next item")).click()
    expect(secretary.locator("#conduct_item")).to_contain_text(item.title)
    expect(member.locator("#conduct_item")).to_contain_text(item.title, timeout=LIVE)
    expect(member.locator("#conduct")).to_contain_text(th("of %(minutes)s minutes allowed", minutes=45))
    clock = member.locator("#conduct .conduct-clock")
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=3_000)  # it ticks
    assert ":" in clock.inner_text()
    expect(member.locator("#conduct [data-clock-over]")).to_be_hidden()
    expect(member.locator("#conduct form")).to_have_count(0)  # no controls for a member

    # The chair starts writing a resolution too; the secretary records hers first.
    expect(chair.locator("#conduct_item")).to_contain_text(item.title, timeout=LIVE)
    draft = "ร่างมติของประธานที่ยังไม่ได้บันทึก"
    chair.locator(f"#resolution-{item.id}").fill(draft)

    # The secretary records the resolution: the member's page shows it.
    resolution = "ที่ประชุมเห็นชอบโครงการ และมอบหมายสำนักงานพลังงานจังหวัดจัดทำแผนบำรุงรักษา"
    secretary.locator(f"#outcome-{item.id}").select_option("approved")
    secretary.locator(f"#discussion_summary-{item.id}").fill("ที่ประชุมอภิปรายเรื่องขนาดของระบบ")
    secretary.locator(f"#resolution-{item.id}").fill(resolution)
    secretary.get_by_role("button", name=th("Save the outcome")).click()
    expect(secretary.locator("#conduct_resolution")).to_have_text(resolution)
    expect(member.locator("#conduct_resolution")).to_have_text(resolution, timeout=LIVE)
    expect(member.locator("#conduct")).to_contain_text(th("Approved by the meeting"))
    expect(member.locator("#conduct .conduct-clock")).not_to_have_text(first)  # still ticking

    # The chair's page refreshed under her draft without losing it, and saving it over the
    # secretary's newer outcome is refused with a message, not silently done.
    expect(chair.locator("#conduct_resolution")).to_have_text(resolution, timeout=LIVE)
    expect(chair.locator(f"#resolution-{item.id}")).to_have_value(draft)
    chair.get_by_role("button", name=th("Save the outcome")).click()
    expect(chair.locator("#conduct .error-summary")).to_be_visible()
    expect(chair.locator(f"#resolution-{item.id}")).to_have_value(draft)
    expect(member.locator("#conduct_resolution")).to_have_text(resolution)
    # (the browser logs the deliberate 409 as a console error: expected here, and only here)
    browsing.problems[:] = [line for line in browsing.problems if "409" not in line]

    # Neither page said it was behind or cut off.
    for page in (secretary, member, chair):
        expect(page.locator(".live-status")).to_have_text("")
    assert member.url.endswith(url)  # never reloaded or sent elsewhere
