"""The agenda page keeps its parts and items rendered per revision of the agenda
(forum.fragments): what one reader sees is never another's (CSRF tokens, new-post
markers), and every change reaches the next page read."""

from __future__ import annotations

import re

import pytest

from forum.models import Person, Role
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


@pytest.fixture
def meeting(session, secretary):
    return factories.agenda_meeting(session, secretary.body)


def tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


async def test_two_secretaries_each_get_their_own_token_in_the_kept_items(session, as_member, secretary, meeting):
    factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์รูฟท็อป")
    other = await as_member(Role.secretary, body=secretary.body)
    first = (await secretary.get(f"/meetings/{meeting.id}/agenda")).text
    second = (await other.get(f"/meetings/{meeting.id}/agenda")).text
    assert "ขออนุมัติโครงการโซลาร์รูฟท็อป" in first and "ขออนุมัติโครงการโซลาร์รูฟท็อป" in second
    assert tokens(first) == {await secretary.csrf_token()}
    assert tokens(second) == {await other.csrf_token()}
    assert "<!--hole" not in first + second
    # the kept render answers a form too: moving an item with the second page's token works
    item_id = re.search(r'id="agenda-item-(\d+)"', second).group(1)
    version = re.search(r'name="version" value="(\d+)"', second).group(1)
    answer = await other.post(
        f"/meetings/{meeting.id}/agenda/items/{item_id}/move",
        {"version": version, "direction": "up"},
    )
    assert answer.status_code == 303


async def test_new_post_markers_are_each_readers_own(session, as_member, secretary, meeting):
    item = factories.agenda_item(session, meeting)
    member = await as_member(Role.member, body=secretary.body)
    author = session.get(Person, factories.member(session, secretary.body, Role.member).id)
    factories.post(session, item, author)
    factories.post(session, item, author)
    await secretary.get(f"/meetings/{meeting.id}/agenda/items/{item.id}")  # reads the thread
    for_secretary = (await secretary.get(f"/meetings/{meeting.id}/agenda")).text
    for_member = (await member.get(f"/meetings/{meeting.id}/agenda")).text
    assert "(2)" in for_secretary and "(2)" in for_member
    assert "thread-unread" not in for_secretary
    assert re.search(r"thread-unread\">[^<]*2", for_member)


async def test_every_change_reaches_the_next_read(session, as_member, secretary, meeting):
    item = factories.agenda_item(session, meeting)
    presenter = factories.member(session, secretary.body, Role.member)
    item.presenter_id = presenter.id
    session.add(item)
    session.commit()
    url = f"/meetings/{meeting.id}/agenda"
    assert presenter.display_name in (await secretary.get(url)).text
    presenter.display_name = "นางสาวทดสอบ เปลี่ยนชื่อ"  # a change no agenda service made
    session.add(presenter)
    session.commit()
    page = (await secretary.get(url)).text
    assert "นางสาวทดสอบ เปลี่ยนชื่อ" in page
    factories.post(session, item, presenter)
    assert f'/items/{item.id}#thread">' in page and "(1)" in (await secretary.get(url)).text
    english = (await secretary.get(url, headers={"Accept-Language": "en"})).text
    assert "(1)" in english


async def test_the_kept_thread_is_filled_for_each_reader(session, as_member, secretary, meeting):
    item = factories.agenda_item(session, meeting)
    author = await as_member(Role.member, body=secretary.body)
    reader = await as_member(Role.member, body=secretary.body)
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}"
    assert (await author.post(f"{url}/posts", {"stance": "for", "body": "เห็นด้วยกับโครงการ"})).status_code == 303
    mine = (await author.get(url)).text
    theirs = (await reader.get(url)).text
    chairs = (await secretary.get(url)).text
    assert "เห็นด้วยกับโครงการ" in mine and "เห็นด้วยกับโครงการ" in theirs
    post_id = re.search(r'id="post-(\d+)"', mine).group(1)
    edit = f"/posts/{post_id}/edit"
    assert edit in mine and edit not in theirs and edit not in chairs  # only the author edits
    assert f"/posts/{post_id}/hide" in chairs and "/hide" not in theirs  # only the chair hides
    assert "badge-ok" in theirs and "badge-ok" not in mine  # new to the reader, not to its author
    assert "badge-ok" not in (await reader.get(url)).text  # read now
    for client, page in ((author, mine), (reader, theirs), (secretary, chairs)):
        assert tokens(page) == {await client.csrf_token()}
        assert "<!--hole" not in page
    # an edit refused keeps the author's text and message, in the author's page only
    refused = await author.post(f"/meetings/{meeting.id}/agenda{edit}", {"version": "1", "stance": "for", "body": "   "})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    assert 'aria-invalid="true"' not in (await reader.get(url)).text


@pytest.mark.parametrize("status", ["agenda_open", "agenda_published", "closed"])
async def test_a_kept_page_is_what_each_reader_would_get_fresh(session, app, as_member, secretary, status):
    """For every two readers A and B: B's page served from A's kept render equals B's page
    rendered afresh (the key names every control that differs between them)."""
    from deliberation.agenda import suggestions

    meeting = factories.agenda_meeting(session, secretary.body)
    item = factories.agenda_item(session, meeting)
    chair = await as_member(Role.chair, body=secretary.body)
    member = await as_member(Role.member, body=secretary.body)
    other = await as_member(Role.member, body=secretary.body)
    admin = await as_member("admin")
    people = {client: client.person for client in (member, other)}
    suggestion = suggestions.suggest_item(
        session, factories.actor(session, people[member]), meeting_id=meeting.id, title="ขอเพิ่มวาระ", rationale=""
    )
    suggestions.support_suggestion(session, factories.actor(session, people[other]), suggestion_id=suggestion.id, support=True)
    factories.post(session, item, people[member])
    meeting.status = status
    session.add(meeting)
    session.commit()
    readers = [secretary, chair, member, other, admin]
    url = f"/meetings/{meeting.id}/agenda"
    for htmx in (False, True):
        for first in readers:
            for second in readers:
                app.state.fragments.clear()
                await first.get(url, headers={"HX-Request": "true"} if htmx else {})
                served = (await second.get(url, headers={"HX-Request": "true"} if htmx else {})).text
                app.state.fragments.clear()
                fresh = (await second.get(url, headers={"HX-Request": "true"} if htmx else {})).text
                assert served == fresh, (first, second, htmx)


async def test_a_recorded_outcome_reaches_the_agenda_and_the_items_page(session, as_member, secretary):
    from deliberation.agenda import conduct

    meeting = factories.agenda_meeting(session, secretary.body, status="live")
    item = factories.agenda_item(session, meeting)
    member = await as_member(Role.member, body=secretary.body)
    agenda_url = f"/meetings/{meeting.id}/agenda"
    item_url = f"{agenda_url}/items/{item.id}"
    assert "มติที่ประชุม" not in (await member.get(agenda_url)).text  # kept before the outcome
    assert "ผลการพิจารณาของที่ประชุม" not in (await member.get(item_url)).text
    conduct.record_outcome(
        session,
        factories.actor(session, secretary.person),
        meeting_id=meeting.id,
        item_id=item.id,
        version=0,
        outcome="approved",
        discussion_summary="ที่ประชุมอภิปรายเรื่องงบประมาณ",
        resolution="ที่ประชุมเห็นชอบให้ดำเนินโครงการ",
    )
    agenda = (await member.get(agenda_url)).text
    page = (await member.get(item_url)).text
    for html in (agenda, page):
        assert "ที่ประชุมเห็นชอบให้ดำเนินโครงการ" in html
    assert "ที่ประชุมอภิปรายเรื่องงบประมาณ" in page


@pytest.mark.parametrize("status", ["agenda_published", "closed"])
async def test_a_kept_item_page_is_what_each_reader_would_get_fresh(session, app, as_member, secretary, status):
    meeting = factories.agenda_meeting(session, secretary.body)
    item = factories.agenda_item(session, meeting)
    chair = await as_member(Role.chair, body=secretary.body)
    member = await as_member(Role.member, body=secretary.body)
    other = await as_member(Role.member, body=secretary.body)
    admin = await as_member("admin")
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}"
    top = factories.post(session, item, member.person)
    factories.post(session, item, other.person, stance=None, parent=top)
    factories.post(session, item, chair.person, stance="against")
    meeting.status = status
    session.add(meeting)
    session.commit()
    readers = [secretary, chair, member, other, admin]
    for reader in readers:  # everyone has read the thread: reading again changes nothing
        await reader.get(url)
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        for first in readers:
            for second in readers:
                app.state.fragments.clear()
                await first.get(url, headers=headers)
                served = (await second.get(url, headers=headers)).text
                app.state.fragments.clear()
                fresh = (await second.get(url, headers=headers)).text
                assert served == fresh, (first, second, htmx)
