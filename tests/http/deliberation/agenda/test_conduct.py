"""During the meeting in the web UI: the meeting page's panel (the item under consideration,
its clock, the controls and the outcome form), taking up items and recording outcomes with
plain forms and with htmx, the proceedings page, every refused case changing nothing, and
the live frame each change publishes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from deliberation.agenda import agendas
from deliberation.agenda.models import AgendaItem
from forum.i18n import translate
from forum.models import LiveFrame, Meeting, Role
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


@pytest.fixture
async def member(as_member, secretary):
    return await as_member(Role.member, body=secretary.body)


@pytest.fixture
def meeting(session, secretary):
    meeting = factories.agenda_meeting(session, secretary.body, status="live", starts_in=timedelta(minutes=-20))
    factories.agenda_item(session, meeting, title="แจ้งผลการคัดเลือกต้นแบบ", part_kind="information", time_box_minutes=10)
    factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์รูฟท็อป", time_box_minutes=45)
    return meeting


def th(msgid: str, **params) -> str:
    return translate(msgid, "th", **params)


def items(session, meeting) -> list[AgendaItem]:
    session.expire_all()
    return agendas.items_of(session, agendas.agenda_of(session, meeting.id).id)


def current(session, meeting) -> int | None:
    session.expire_all()
    return agendas.agenda_of(session, meeting.id).current_item_id


def frames(session, meeting) -> list[str]:
    session.expire_all()
    return list(session.exec(select(LiveFrame.html).where(LiveFrame.channel == f"meeting:{meeting.id}").order_by(LiveFrame.seq)).all())


def conduct_url(meeting) -> str:
    return f"/meetings/{meeting.id}/conduct"


def outcome_url(meeting, item) -> str:
    return f"/meetings/{meeting.id}/proceedings/items/{item.id}/outcome"


async def take_up_first(secretary, meeting):
    response = await secretary.post(conduct_url(meeting), {"to": "next", "seen": ""})
    assert response.status_code == 303, response.text


# -- the meeting page's panel ----------------------------------------------------------------


async def test_the_live_meeting_page_shows_the_current_item_its_clock_and_the_controls(session, secretary, meeting):
    await take_up_first(secretary, meeting)
    page = (await secretary.get(f"/meetings/{meeting.id}")).text
    assert th("Item under consideration") in page
    assert "แจ้งผลการคัดเลือกต้นแบบ" in page and ">1.1<" in page
    assert "data-clock-start=" in page and 'data-clock-box="600"' in page
    assert th("of %(minutes)s minutes allowed", minutes=10) in page
    assert "<script" not in page.split("</head>")[1]  # the clock's script is in the head (CSP)
    assert 'hx-trigger="load"' not in page  # the live frame's signal is not part of the page
    assert 'name="to" value="next"' in page and 'name="outcome"' in page
    assert f'href="/meetings/{meeting.id}/proceedings"' in page


async def test_a_member_sees_the_current_item_without_controls(session, secretary, member, meeting):
    await take_up_first(secretary, meeting)
    page = (await member.get(f"/meetings/{meeting.id}")).text
    assert "แจ้งผลการคัดเลือกต้นแบบ" in page and "data-clock-start=" in page
    assert 'name="to"' not in page and 'name="outcome"' not in page


async def test_an_item_over_its_time_shows_the_warning(session, secretary, meeting):
    await take_up_first(secretary, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    agenda.current_since -= timedelta(minutes=12)
    session.add(agenda)
    session.commit()
    page = (await secretary.get(f"/meetings/{meeting.id}")).text
    warning = re.search(r"<span [^>]*data-clock-over[^>]*>", page).group(0)
    assert "hidden" not in warning
    assert re.search(r'class="conduct-clock"[^>]*>12:0\d<', page)


async def test_before_the_meeting_is_in_session_the_panel_is_an_empty_placeholder(session, secretary):
    meeting = factories.agenda_meeting(session, secretary.body, status="agenda_published")
    page = (await secretary.get(f"/meetings/{meeting.id}")).text
    assert '<section id="conduct" hidden></section>' in page and 'id="conduct_refresh"' in page
    assert th("Item under consideration") not in page


async def test_a_closed_meeting_links_to_its_proceedings_without_a_panel(session, secretary):
    meeting = factories.agenda_meeting(session, secretary.body, status="closed")
    page = (await secretary.get(f"/meetings/{meeting.id}")).text
    assert 'id="conduct"' not in page
    assert f'href="/meetings/{meeting.id}/proceedings"' in page


async def test_the_panel_alone_for_a_live_refresh(secretary, meeting):
    response = await secretary.get(conduct_url(meeting), htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="conduct"') and "<html" not in response.text
    plain = await secretary.get(conduct_url(meeting))
    assert plain.status_code == 303 and plain.headers["location"] == f"/meetings/{meeting.id}#conduct"


# -- taking up items -------------------------------------------------------------------------


async def test_the_secretary_takes_up_items_without_javascript(session, secretary, meeting):
    first, second = items(session, meeting)
    response = await secretary.post(conduct_url(meeting), {"to": "next", "seen": ""})
    assert response.status_code == 303 and response.headers["location"] == f"/meetings/{meeting.id}#conduct"
    assert current(session, meeting) == first.id
    await secretary.post(conduct_url(meeting), {"to": "item", "item_id": str(second.id), "seen": str(first.id)})
    assert current(session, meeting) == second.id
    await secretary.post(conduct_url(meeting), {"to": "stop", "seen": str(second.id)})
    assert current(session, meeting) is None


async def test_with_htmx_the_answer_is_the_new_panel_and_every_page_is_told(session, secretary, meeting):
    response = await secretary.post(conduct_url(meeting), {"to": "next", "seen": ""}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="conduct"')
    assert "แจ้งผลการคัดเลือกต้นแบบ" in response.text
    [frame] = frames(session, meeting)
    assert 'id="conduct_refresh"' in frame and 'hx-swap-oob="true"' in frame
    assert f'hx-get="/meetings/{meeting.id}/conduct"' in frame and "data-live-refresh" in frame
    assert "csrf" not in frame


async def test_taking_up_is_refused_before_the_meeting_is_in_session(session, secretary, meeting):
    meeting.status = "agenda_published"
    session.add(meeting)
    session.commit()
    response = await secretary.post(conduct_url(meeting), {"to": "next"})
    assert response.status_code == 409
    assert th("Items are taken up once the meeting is in session. Start the meeting first.") in response.text
    assert current(session, meeting) is None and frames(session, meeting) == []


async def test_a_member_cannot_take_up_items(session, member, meeting):
    response = await member.post(conduct_url(meeting), {"to": "next"})
    assert response.status_code == 403
    assert current(session, meeting) is None and frames(session, meeting) == []


async def test_a_page_that_saw_another_item_is_told_and_changes_nothing(session, secretary, meeting):
    first, second = items(session, meeting)
    await take_up_first(secretary, meeting)
    await secretary.post(conduct_url(meeting), {"to": "next", "seen": str(first.id)})
    published = len(frames(session, meeting))
    # the same "next" pressed again from the page that still showed the first item
    response = await secretary.post(conduct_url(meeting), {"to": "next", "seen": str(first.id)}, htmx=True)
    assert response.status_code == 409
    assert response.text.lstrip().startswith('<section id="conduct"')
    assert th("Someone else changed the item under consideration at the same moment, so nothing was changed. The page now shows the item being discussed.") in response.text
    assert "ขออนุมัติโครงการโซลาร์รูฟท็อป" in response.text
    assert current(session, meeting) == second.id and len(frames(session, meeting)) == published
    plain = await secretary.post(conduct_url(meeting), {"to": "next", "seen": str(first.id)})
    assert plain.status_code == 409 and current(session, meeting) == second.id


@pytest.mark.parametrize("values", [{"to": "jump"}, {"to": ""}, {"to": "item", "item_id": "abc"}, {"to": "item"}])
async def test_bad_moves_are_refused_and_change_nothing(session, secretary, meeting, values):
    response = await secretary.post(conduct_url(meeting), values)
    assert response.status_code == 422
    assert current(session, meeting) is None and frames(session, meeting) == []


async def test_an_item_of_another_meeting_cannot_be_taken_up(session, secretary, meeting):
    other = factories.agenda_meeting(session, secretary.body, status="live")
    stranger = factories.agenda_item(session, other, title="วาระของการประชุมอื่น")
    response = await secretary.post(conduct_url(meeting), {"to": "item", "item_id": str(stranger.id)}, htmx=True)
    assert response.status_code == 422
    assert th("Choose one of the agenda's items.") in response.text
    assert current(session, meeting) is None and current(session, other) is None


async def test_the_last_item_has_no_next(session, secretary, meeting):
    _first, second = items(session, meeting)
    await secretary.post(conduct_url(meeting), {"to": "item", "item_id": str(second.id)})
    response = await secretary.post(conduct_url(meeting), {"to": "next", "seen": str(second.id)})
    assert response.status_code == 409
    assert th("This is already the last item of the agenda. Stop when it is finished.") in response.text
    assert current(session, meeting) == second.id


# -- outcomes --------------------------------------------------------------------------------


def outcome_form(item, **values) -> dict[str, str]:
    return {"outcome": "approved", "discussion_summary": "ที่ประชุมอภิปรายเรื่องขนาดระบบ", "resolution": "ที่ประชุมเห็นชอบโครงการ", "version": str(item.outcome_version), "back": "proceedings"} | values


async def test_the_secretary_records_an_outcome_without_javascript(session, secretary, meeting):
    item = items(session, meeting)[1]
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item))
    assert response.status_code == 303
    assert response.headers["location"] == f"/meetings/{meeting.id}/proceedings#proceedings-item-{item.id}"
    item = items(session, meeting)[1]
    assert (item.outcome, item.resolution, item.outcome_version) == ("approved", "ที่ประชุมเห็นชอบโครงการ", 1)
    assert len(frames(session, meeting)) == 1
    page = (await secretary.get(f"/meetings/{meeting.id}/proceedings")).text
    assert "ที่ประชุมเห็นชอบโครงการ" in page and th("Approved by the meeting") in page


async def test_from_the_meeting_page_with_htmx_the_answer_is_the_panel(session, secretary, meeting):
    await take_up_first(secretary, meeting)
    item = items(session, meeting)[0]
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item, outcome="noted", resolution="ที่ประชุมรับทราบ", back="meeting"), htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="conduct"')
    assert 'id="conduct_resolution">ที่ประชุมรับทราบ<' in response.text
    plain = await secretary.post(outcome_url(meeting, item), outcome_form(items(session, meeting)[0], back="meeting"))
    assert plain.status_code == 303 and plain.headers["location"] == f"/meetings/{meeting.id}#conduct"


async def test_a_stale_outcome_is_refused_with_the_text_kept(session, secretary, meeting):
    item = items(session, meeting)[1]
    await secretary.post(outcome_url(meeting, item), outcome_form(item, resolution="ที่ประชุมเห็นชอบ"))
    published = len(frames(session, meeting))
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item, version="0", resolution="ข้อความที่พิมพ์ค้างไว้"))
    assert response.status_code == 409
    assert th("Someone else recorded this item's outcome while you were writing, so yours was not saved. Their text is shown; copy what you need from yours, then save again.") in response.text
    assert "ข้อความที่พิมพ์ค้างไว้" in response.text  # what was typed, kept in the form
    assert re.search(rf'id="outcome-form-{item.id}".*?name="version" value="1"', response.text, re.S)  # now on the newer version
    item = items(session, meeting)[1]
    assert (item.resolution, item.outcome_version) == ("ที่ประชุมเห็นชอบ", 1)
    assert len(frames(session, meeting)) == published


async def test_a_too_long_resolution_is_refused_with_a_thai_message(session, secretary, meeting):
    item = items(session, meeting)[1]
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item, resolution="ก" * 10_001, discussion_summary="สรุปที่พิมพ์ไว้"))
    assert response.status_code == 422
    assert th("This is too long: at most %(max_length)s characters.", max_length=10000) in response.text
    assert "สรุปที่พิมพ์ไว้" in response.text
    assert items(session, meeting)[1].outcome_version == 0 and frames(session, meeting) == []


async def test_an_unknown_outcome_is_refused(session, secretary, meeting):
    item = items(session, meeting)[1]
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item, outcome="maybe", back="meeting"), htmx=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="conduct"') or response.text.lstrip().startswith('<div id="proceedings"')
    assert th("Please choose one of the options.") in response.text
    assert items(session, meeting)[1].outcome == "pending" and frames(session, meeting) == []


async def test_an_outcome_is_not_recorded_before_the_meeting_is_in_session(session, secretary, meeting):
    meeting.status = "agenda_published"
    session.add(meeting)
    session.commit()
    item = items(session, meeting)[1]
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item))
    assert response.status_code == 409
    assert th("Outcomes are recorded once the meeting is in session.") in response.text
    assert items(session, meeting)[1].outcome == "pending"


async def test_a_member_cannot_record_an_outcome(session, member, meeting):
    item = items(session, meeting)[1]
    response = await member.post(outcome_url(meeting, item), outcome_form(item))
    assert response.status_code == 403
    assert items(session, meeting)[1].outcome == "pending"


async def test_an_item_of_another_meeting_is_not_found(session, secretary, meeting):
    other = factories.agenda_meeting(session, secretary.body, status="live")
    stranger = factories.agenda_item(session, other)
    response = await secretary.post(outcome_url(meeting, stranger), outcome_form(stranger))
    assert response.status_code == 404
    session.expire_all()
    assert session.get(AgendaItem, stranger.id).outcome == "pending"


async def test_outcomes_are_completed_after_the_meeting_closed(session, secretary, meeting):
    session.expire_all()
    live = session.get(Meeting, meeting.id)
    await secretary.post(f"/meetings/{meeting.id}/status", {"to": "closed", "version": str(live.version)})
    item = items(session, meeting)[1]
    response = await secretary.post(outcome_url(meeting, item), outcome_form(item, outcome="deferred", resolution="เลื่อนไปพิจารณาในการประชุมครั้งต่อไป"))
    assert response.status_code == 303
    assert items(session, meeting)[1].outcome == "deferred"


# -- the proceedings page ---------------------------------------------------------------------


async def test_members_read_the_proceedings_and_only_the_secretary_gets_the_forms(session, secretary, member, meeting):
    item = items(session, meeting)[1]
    await secretary.post(outcome_url(meeting, item), outcome_form(item))
    page = await member.get(f"/meetings/{meeting.id}/proceedings")
    assert page.status_code == 200
    assert th("Proceedings of meeting No. %(number)s", number=f"{meeting.number}/{meeting.year_be}") in page.text
    assert "ที่ประชุมเห็นชอบโครงการ" in page.text and "ที่ประชุมอภิปรายเรื่องขนาดระบบ" in page.text
    assert 'name="outcome"' not in page.text
    editor = await secretary.get(f"/meetings/{meeting.id}/proceedings")
    assert editor.text.count('name="outcome"') == 2  # one form per item
    block = await secretary.get(f"/meetings/{meeting.id}/proceedings", htmx=True)
    assert block.text.lstrip().startswith('<div id="proceedings"')


async def test_someone_outside_the_body_is_not_shown_the_proceedings_forms(session, as_member, meeting):
    stranger = await as_member(Role.secretary)  # secretary of another body
    page = await stranger.get(f"/meetings/{meeting.id}/proceedings")
    assert 'name="outcome"' not in page.text
    item = items(session, meeting)[1]
    response = await stranger.post(outcome_url(meeting, item), outcome_form(item))
    assert response.status_code == 403 and items(session, meeting)[1].outcome == "pending"
