"""Live sessions joined to the rest of Wethi (issue 4): an agenda item taken from a
session shows where it came from (the question, the ideas and their votes, never a
name) on its kept page, the facilitators' link to the promotion asked per reader; the
console's "Take forward" link on shown ideas; the site's WebSocket origin in the CSP."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation.agenda.models import Agenda
from deliberation.sessions import ideas, sessions
from deliberation.sessions.models import LivePromotion
from forum.app import create_app
from forum.config import get_settings
from forum.middleware import websocket_origin
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories
from tests.conftest import WebClient

pytestmark = pytest.mark.anyio

PROMPT = "ชุมชนจะลดค่าไฟได้อย่างไร"
IDEA = "ติดโซลาร์เซลล์บนหลังคาวัด"


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


@pytest.fixture
async def member(as_member, secretary):
    return await as_member(Role.member, body=secretary.body)


@pytest.fixture
def meeting(session, secretary):
    return factories.agenda_meeting(session, secretary.body)


@pytest.fixture
def live(session, secretary, meeting):
    actor = factories.actor(session, secretary.person)
    return sessions.open_session(session, actor, meeting_id=meeting.id, prompt=PROMPT)


def guest(session, live, nickname):
    return sessions.join_session(
        session, ANONYMOUS, code=live.code, nickname=nickname, consent=True
    )[0]


@pytest.fixture
def idea(session, live):
    author = guest(session, live, "ป้าแดง")
    return ideas.submit_idea(session, author, text=IDEA, key="integration-key-1")[0]


async def promote(session, secretary, live, meeting, idea) -> LivePromotion:
    response = await secretary.post(
        f"/sessions/{live.id}/promote",
        {"idea": idea.id, "title": IDEA, "target": "agenda_item", "meeting_id": meeting.id},
    )
    assert response.status_code == 303, response.text
    session.expire_all()
    return session.exec(select(LivePromotion)).one()


def item_url(meeting, promotion) -> str:
    return f"/meetings/{meeting.id}/agenda/items/{promotion.item_id}"


def origins(html: str) -> str:
    """The "From the live session" section of an item's page ("" when there is none)."""
    start = html.find('aria-labelledby="origins-heading"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


async def test_the_item_shows_its_live_session_right_after_promoting(
    session, secretary, member, live, meeting, idea
):
    voter = guest(session, live, "ลุงสมชาย")
    ideas.vote_idea(session, voter, idea_id=idea.id)
    other = factories.agenda_item(session, meeting, title="รับรองรายงานการประชุม")
    before = (await member.get(f"/meetings/{meeting.id}/agenda/items/{other.id}")).text
    assert origins(before) == ""  # an item of no session: no section
    revision = session.exec(select(Agenda.revision)).one()

    promotion = await promote(session, secretary, live, meeting, idea)

    session.expire_all()
    assert session.exec(select(Agenda.revision)).one() != revision  # the kept pages' key moved
    page = await member.get(item_url(meeting, promotion))
    assert page.status_code == 200
    section = origins(page.text)
    assert "ที่มาจากเวทีระดมความคิดเห็น" in page.text
    assert PROMPT in section and IDEA in section and "1 โหวต" in section
    assert "ป้าแดง" not in page.text and "ลุงสมชาย" not in page.text  # never a name
    assert "<!--hole" not in page.text
    # the other item's kept page is unchanged: still no section
    again = (await member.get(f"/meetings/{meeting.id}/agenda/items/{other.id}")).text
    assert origins(again) == ""


async def test_only_facilitators_get_the_link_on_the_shared_page(
    session, as_member, secretary, member, live, meeting, idea
):
    promotion = await promote(session, secretary, live, meeting, idea)
    link = f'href="/sessions/{live.id}/promotions/{promotion.id}"'
    url = item_url(meeting, promotion)
    first = (await member.get(url)).text  # kept for members
    assert IDEA in origins(first) and link not in first
    facilitator = (await secretary.get(url)).text
    assert IDEA in origins(facilitator) and link in facilitator
    assert link not in (await member.get(url)).text
    # a facilitator runs sessions but hides no posts: a class of reader of its own
    facilitator_role = await as_member(Role.facilitator, body=secretary.body)
    assert link in (await facilitator_role.get(url)).text
    assert (await secretary.get(link.split('"')[1])).status_code == 200


async def test_votes_and_moderation_after_promoting_reach_the_kept_page(
    session, secretary, member, live, meeting, idea
):
    promotion = await promote(session, secretary, live, meeting, idea)
    url = item_url(meeting, promotion)
    assert "0 โหวต" in origins((await member.get(url)).text)
    for nickname in ("ลุงสมชาย", "น้องฝน"):
        ideas.vote_idea(session, guest(session, live, nickname), idea_id=idea.id)
    assert "2 โหวต" in origins((await member.get(url)).text)  # no agenda revision moved
    actor = factories.actor(session, secretary.person)
    ideas.moderate_idea(session, actor, idea_id=idea.id, action="hide")
    section = origins((await member.get(url)).text)
    assert PROMPT in section and IDEA not in section  # a hidden idea is no longer public


async def test_the_console_offers_to_take_shown_ideas_forward(session, secretary, live, idea):
    hidden = ideas.submit_idea(
        session, guest(session, live, "ลุงสมชาย"), text="ปลูกต้นไม้", key="integration-key-2"
    )[0]
    ideas.moderate_idea(
        session, factories.actor(session, secretary.person), idea_id=hidden.id, action="hide"
    )
    console = (await secretary.get(f"/sessions/{live.id}/console")).text
    assert f'href="/sessions/{live.id}/promote?idea={idea.id}"' in console
    assert f'href="/sessions/{live.id}/promote?idea={hidden.id}"' not in console
    assert "นำไปดำเนินการต่อ" in console
    block = (await secretary.get(f"/sessions/{live.id}/console", htmx=True)).text
    assert f'href="/sessions/{live.id}/promote?idea={idea.id}"' in block


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("https://wethi.energy.go.th", "wss://wethi.energy.go.th"),
        ("http://127.0.0.1:8123", "ws://127.0.0.1:8123"),
        ("https://Example.org:8443/wethi/", "wss://example.org:8443"),
    ],
)
async def test_the_csp_lets_old_webkit_open_the_sites_own_websocket(
    engine, session, base_url, origin
):
    app = create_app(get_settings().model_copy(update={"base_url": base_url}), engine=engine)
    web = WebClient(app)
    try:
        response = await web.get("/")
    finally:
        await web.aclose()
    policy = response.headers["content-security-policy"]
    directives = [part.strip() for part in policy.split(";")]
    assert f"connect-src 'self' {origin}" in directives
    assert "default-src 'self'" in directives and "script-src 'self'" in directives


def test_a_base_url_without_a_host_adds_no_origin():
    assert websocket_origin("") == ""
    assert websocket_origin("ftp://example.org") == ""
