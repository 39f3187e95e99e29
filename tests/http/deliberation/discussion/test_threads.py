"""An agenda item's page and its discussion in the web UI: plain forms and htmx blocks,
replies, edits and their history, hiding, live frames, and the JSON API."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation.discussion.models import Post
from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def chair(as_member):
    return await as_member(Role.chair)


@pytest.fixture
async def member(as_member, chair):
    return await as_member(Role.member, body=chair.body)


@pytest.fixture
def meeting(session, chair):
    return factories.agenda_meeting(session, chair.body, status="agenda_published")


@pytest.fixture
def item(session, meeting):
    return factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์เซลล์", time_box_minutes=20)


def item_url(meeting, item) -> str:
    return f"/meetings/{meeting.id}/agenda/items/{item.id}"


def stored(session):
    session.expire_all()
    return session.exec(select(Post).order_by(Post.id)).all()


# -- the page -------------------------------------------------------------------------------


async def test_the_item_page_shows_the_item_the_summary_and_the_live_channel(member, meeting, item):
    response = await member.get(item_url(meeting, item))
    assert response.status_code == 200
    assert "4.1" in response.text and "ขออนุมัติโครงการโซลาร์เซลล์" in response.text
    assert 'id="thread_summary"' in response.text and 'id="thread"' in response.text
    assert f'ws-connect="/live/ws?channel=item%3A{item.id}' in response.text
    assert 'name="stance"' in response.text  # a member may post


async def test_someone_outside_the_body_reads_the_item_but_not_its_discussion(
    session, as_member, member, meeting, item
):
    # The agenda is the programme's, the discussion the body's members' (deliberation.rules):
    # the page, its htmx block, the API, the post's own address and the channel agree.
    post = factories.post(session, item, member.person, body="ความเห็นภายในของสมาชิก")
    outsider = await as_member(Role.chair)  # the chair of another body
    page = await outsider.get(item_url(meeting, item))
    assert page.status_code == 200 and "ขออนุมัติโครงการโซลาร์เซลล์" in page.text
    assert "ความเห็นภายในของสมาชิก" not in page.text and "ws-connect" not in page.text
    assert "ผู้สังเกตการณ์" in page.text  # how to follow it: as an observer
    block = await outsider.get(item_url(meeting, item), htmx=True)
    assert block.status_code == 200 and "ความเห็นภายในของสมาชิก" not in block.text
    api = await outsider.json("GET", f"/api/v1{item_url(meeting, item)}/posts")
    assert api.status_code == 403 and "สมาชิก" in api.json()["message"]
    assert (await outsider.get(f"/meetings/{meeting.id}/agenda/posts/{post.id}")).status_code == 403
    poll = await outsider.get(f"/live/poll?channel=item:{item.id}&after=0")
    assert poll.status_code == 403
    observer = await as_member(Role.observer, body=member.body)
    assert "ความเห็นภายในของสมาชิก" in (await observer.get(item_url(meeting, item))).text


async def test_htmx_gets_only_the_thread_block(member, meeting, item):
    response = await member.get(item_url(meeting, item), htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="thread"') and "<html" not in response.text


async def test_the_agenda_links_each_item_to_its_page(member, meeting, item):
    response = await member.get(f"/meetings/{meeting.id}/agenda")
    assert f'href="{item_url(meeting, item)}"' in response.text


async def test_an_outsider_reads_but_has_no_form(as_member, meeting, item):
    outsider = await as_member(Role.member)  # of another body
    response = await outsider.get(item_url(meeting, item))
    assert response.status_code == 200 and 'name="stance"' not in response.text


async def test_an_item_of_another_meeting_is_not_found(session, member, chair, meeting):
    other = factories.agenda_item(session, factories.agenda_meeting(session, chair.body))
    assert (await member.get(item_url(meeting, other))).status_code == 404


# -- posting --------------------------------------------------------------------------------


async def test_a_member_posts_without_javascript(session, member, meeting, item):
    response = await member.post(f"{item_url(meeting, item)}/posts", {"stance": "against", "body": "ค่าใช้จ่าย *สูง* เกินไป"})
    assert response.status_code == 303
    [post] = stored(session)
    assert response.headers["location"] == f"{item_url(meeting, item)}#post-{post.id}"
    page = await member.get(item_url(meeting, item))
    assert "<em>สูง</em>" in page.text and f'id="post-{post.id}"' in page.text


async def test_posting_with_htmx_answers_the_thread_block(session, member, meeting, item):
    response = await member.post(f"{item_url(meeting, item)}/posts", {"stance": "for", "body": "เห็นด้วย"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="thread"') and "เห็นด้วย" in response.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"stance": "for", "body": ""}, "Please write your post."),
        ({"stance": "for", "body": "ก" * 10_001}, "at most 10000 characters"),
        ({"stance": "", "body": "ไม่มีจุดยืน"}, "Choose where your post stands"),
        ({"stance": "for", "body": "<script>alert(1)</script>"}, "HTML is not accepted"),
    ],
)
async def test_bad_posts_are_refused_with_the_form_kept(session, member, meeting, item, fields, message):
    member.http.cookies.set("wethi_lang", "en")
    response = await member.post(f"{item_url(meeting, item)}/posts", fields)
    assert response.status_code == 422
    assert message in response.text.replace(",", "")
    assert "<script>alert" not in response.text
    assert stored(session) == []


async def test_a_non_member_cannot_post(session, as_member, meeting, item):
    outsider = await as_member(Role.member)
    response = await outsider.post(f"{item_url(meeting, item)}/posts", {"stance": "for", "body": "ขอร่วมด้วย"})
    assert response.status_code == 403 and stored(session) == []


async def test_posting_on_a_closed_meeting_is_refused(session, chair, member):
    closed = factories.agenda_meeting(session, chair.body, status="closed")
    item = factories.agenda_item(session, closed)
    response = await member.post(f"{item_url(closed, item)}/posts", {"stance": "for", "body": "สาย"})
    assert response.status_code == 409 and stored(session) == []
    page = await member.get(item_url(closed, item))
    assert 'name="stance"' not in page.text


async def test_a_reply_is_shown_under_its_post(session, member, chair, meeting, item):
    post = factories.post(session, item, member.person)
    response = await chair.post(f"{item_url(meeting, item)}/posts", {"parent_id": str(post.id), "body": "ขอข้อมูลเพิ่มเติม"})
    assert response.status_code == 303
    page = (await member.get(item_url(meeting, item))).text
    assert page.index(f'id="post-{post.id}"') < page.index('class="thread-replies') < page.index("ขอข้อมูลเพิ่มเติม")


async def test_replying_to_a_reply_is_refused(session, member, chair, meeting, item):
    post = factories.post(session, item, member.person)
    reply = factories.post(session, item, chair.person, stance=None, parent=post)
    response = await member.post(f"{item_url(meeting, item)}/posts", {"parent_id": str(reply.id), "body": "ต่อ"})
    assert response.status_code == 422 and len(stored(session)) == 2


# -- edits, history, hiding -------------------------------------------------------------------


async def test_the_author_edits_and_the_history_shows_the_old_text(session, member, meeting, item):
    post = factories.post(session, item, member.person, body="ข้อความเดิม")
    base = f"/meetings/{meeting.id}/agenda/posts/{post.id}"
    response = await member.post(f"{base}/edit", {"version": "1", "stance": "for", "body": "ข้อความที่แก้แล้ว"})
    assert response.status_code == 303
    page = (await member.get(item_url(meeting, item))).text
    assert "ข้อความที่แก้แล้ว" in page and f'href="{base}/history"' in page
    history = await member.get(f"{base}/history")
    assert history.status_code == 200 and "ข้อความเดิม" in history.text and "ข้อความที่แก้แล้ว" in history.text


async def test_editing_someone_elses_post_is_refused(session, member, chair, meeting, item):
    post = factories.post(session, item, member.person, body="ของสมาชิก")
    response = await chair.post(f"/meetings/{meeting.id}/agenda/posts/{post.id}/edit", {"version": "1", "stance": "for", "body": "แก้"})
    assert response.status_code == 403 and stored(session)[0].body == "ของสมาชิก"


async def test_a_stale_edit_is_refused_with_a_message(session, member, meeting, item):
    post = factories.post(session, item, member.person)
    await member.post(f"/meetings/{meeting.id}/agenda/posts/{post.id}/edit", {"version": "1", "stance": "for", "body": "หนึ่ง"})
    response = await member.post(f"/meetings/{meeting.id}/agenda/posts/{post.id}/edit", {"version": "1", "stance": "for", "body": "สอง"})
    assert response.status_code == 409 and stored(session)[0].body == "หนึ่ง"


async def test_the_chair_hides_a_post_and_members_see_the_reason(session, member, chair, meeting, item):
    post = factories.post(session, item, member.person, body="ข้อความที่ไม่เหมาะสม")
    base = f"/meetings/{meeting.id}/agenda/posts/{post.id}"
    refused = await chair.post(f"{base}/hide", {"reason": ""})
    assert refused.status_code == 422 and stored(session)[0].hidden_at is None
    assert (await member.post(f"{base}/hide", {"reason": "ไม่ชอบ"})).status_code == 403
    response = await chair.post(f"{base}/hide", {"reason": "ใช้ถ้อยคำไม่สุภาพ"})
    assert response.status_code == 303
    page = (await member.get(item_url(meeting, item))).text
    assert "ใช้ถ้อยคำไม่สุภาพ" in page and "ข้อความที่ไม่เหมาะสม" not in page
    shown = await chair.post(f"{base}/unhide", {}, htmx=True)
    assert shown.status_code == 200 and "ข้อความที่ไม่เหมาะสม" in shown.text


async def test_a_posts_address_leads_to_its_item(session, member, meeting, item):
    post = factories.post(session, item, member.person)
    response = await member.get(f"/meetings/{meeting.id}/agenda/posts/{post.id}")
    assert response.status_code == 303 and response.headers["location"] == f"{item_url(meeting, item)}#post-{post.id}"


# -- live ---------------------------------------------------------------------------------------


async def test_a_post_is_published_to_the_items_channel_after_the_commit(app, session, member, meeting, item):
    await member.post(f"{item_url(meeting, item)}/posts", {"stance": "question", "body": "งบประมาณเท่าไร"})
    [frame] = app.state.hub.store.after(f"item:{item.id}", 0)
    assert 'id="thread_summary"' in frame.html and 'id="thread_refresh"' in frame.html
    assert frame.html.count('hx-swap-oob="true"') == 2
    assert f'hx-get="{item_url(meeting, item)}"' in frame.html
    assert "งบประมาณเท่าไร" not in frame.html  # the text is fetched by each page, with its own controls
    # Rendered from what was committed: the summary already counts the new question.
    assert '<span class="badge stance-question">ข้อซักถาม</span> <strong class="numeric">1</strong>' in frame.html
    # A post refused (no stance) commits nothing and publishes nothing.
    refused = await member.post(f"{item_url(meeting, item)}/posts", {"stance": "", "body": "ไม่มีจุดยืน"})
    assert refused.status_code == 422
    assert [f.seq for f in app.state.hub.store.after(f"item:{item.id}", 0)] == [frame.seq]


# -- the JSON API --------------------------------------------------------------------------------


async def test_api_lists_creates_replies_edits_and_hides(app, session, member, chair, meeting, item):
    base = f"/api/v1/meetings/{meeting.id}/agenda/items/{item.id}/posts"
    created = await member.json("POST", base, {"stance": "for", "body": "เห็นด้วย @[" + chair.person.display_name + "]"})
    assert created.status_code == 201
    post = created.json()
    assert post["mentions"] == [chair.person.id] and 'class="mention"' in post["body_html"]
    reply = await chair.json("POST", base, {"parent_id": post["id"], "body": "ขอบคุณ"})
    assert reply.status_code == 201 and reply.json()["parent_id"] == post["id"]
    nested = await member.json("POST", base, {"parent_id": reply.json()["id"], "body": "ซ้อน"})
    assert nested.status_code == 422
    post_url = f"/api/v1/meetings/{meeting.id}/agenda/posts/{post['id']}"
    edited = await member.json("PATCH", post_url, {"version": post["version"], "stance": "against", "body": "เปลี่ยนใจ"})
    assert edited.status_code == 200 and edited.json()["edit_count"] == 1
    stale = await member.json("PATCH", post_url, {"version": post["version"], "stance": "for", "body": "อีก"})
    assert stale.status_code == 409
    assert (await chair.json("POST", f"{post_url}/hide", {"reason": ""})).status_code == 422
    hidden = await chair.json("POST", f"{post_url}/hide", {"reason": "นอกเรื่อง"})
    assert hidden.status_code == 200 and hidden.json()["hidden"] and hidden.json()["body"] == ""
    thread = (await member.json("GET", base)).json()
    assert thread["counts"]["against"] == 0 and len(thread["posts"]) == 1 and len(thread["posts"][0]["replies"]) == 1
    assert app.state.hub.store.after(f"item:{item.id}", 0)


async def test_the_pages_render_in_english_too(session, member, meeting, item):
    post = factories.post(session, item, member.person)
    member.http.cookies.set("wethi_lang", "en")
    response = await member.get(item_url(meeting, item))
    assert response.status_code == 200 and "Where the posts stand" in response.text
    assert (await member.get(f"/meetings/{meeting.id}/agenda/posts/{post.id}/history")).status_code == 200


async def test_the_agenda_shows_each_items_posts_and_unread_count(session, member, chair, meeting, item):
    factories.post(session, item, chair.person)
    factories.post(session, item, member.person)
    page = (await member.get(f"/meetings/{meeting.id}/agenda")).text
    assert f'href="{item_url(meeting, item)}#thread"' in page
    assert "(2)" in page and "ใหม่ 1 รายการ" in page  # the member's own post is not new to them
    await member.get(item_url(meeting, item))
    assert "ใหม่ 1 รายการ" not in (await member.get(f"/meetings/{meeting.id}/agenda")).text
