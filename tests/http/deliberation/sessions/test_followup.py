"""A live session's follow-up over HTTP: the console's share link and LINE button (the
address chosen by the device asking), the XLSX export, and the page to take an idea or a
theme forward; facilitators only, bad input explained with nothing changed."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
from sqlmodel import func, select

from deliberation.agenda.models import AgendaItem
from deliberation.sessions import ideas, sessions
from deliberation.sessions.models import LiveCluster, LivePromotion, LivePromotionIdea
from forum.models import MeetingStatus, Role
from forum.policy import ANONYMOUS
from tests import factories

pytestmark = pytest.mark.anyio

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Line/14.0.0"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


@pytest.fixture
def meeting(session, secretary):
    return factories.meeting(session, secretary.body)


@pytest.fixture
def live(session, secretary, meeting):
    actor = factories.actor(session, secretary.person)
    return sessions.open_session(
        session, actor, meeting_id=meeting.id, prompt="ชุมชนจะลดค่าไฟได้อย่างไร"
    )


@pytest.fixture
def idea(session, live):
    guest = sessions.join_session(
        session, ANONYMOUS, code=live.code, nickname="ป้าแดง", consent=True
    )[0]
    return ideas.submit_idea(session, guest, text="ติดโซลาร์เซลล์ที่วัด", key="followup-key-1")[0]


async def test_the_console_shows_the_share_link_line_and_the_excel_export(secretary, live):
    page = await secretary.get(f"/sessions/{live.id}/console")
    assert page.status_code == 200
    assert f"/s/{live.code}" in page.text and 'id="share-link"' in page.text
    assert f'href="/sessions/{live.id}/share/line"' in page.text and "แชร์ทาง LINE" in page.text
    assert (
        "https://line.me/R/share?text=" in page.text
        and "social-plugins.line.me/lineit/share" in page.text
    )
    assert f'href="/sessions/{live.id}/ideas.xlsx"' in page.text
    assert 'src="/static/js/session-followup.js?v=' in page.text
    assert "ขอเชิญร่วมแสดงความคิดเห็น" in page.text
    block = await secretary.get(f"/sessions/{live.id}/console", htmx=True)
    assert "share-link" not in block.text  # outside the console block: refreshes leave it


@pytest.mark.parametrize(
    ("agent", "start"),
    [
        (IPHONE, "https://line.me/R/share?text="),
        (DESKTOP, "https://social-plugins.line.me/lineit/share?url="),
    ],
)
async def test_share_on_line_goes_to_the_address_for_the_device(secretary, live, agent, start):
    response = await secretary.get(f"/sessions/{live.id}/share/line", headers={"User-Agent": agent})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(start)
    assert live.code in unquote(location) and "ชุมชนจะลดค่าไฟได้อย่างไร" in unquote(location)


async def test_the_xlsx_export_is_a_workbook(secretary, live, idea):
    response = await secretary.get(f"/sessions/{live.id}/ideas.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))  # as a spreadsheet program opens it
    assert "ติดโซลาร์เซลล์ที่วัด" in [row[1] for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("role", [Role.member, Role.observer, None])
async def test_others_are_refused_everything(session, as_member, secretary, live, idea, role):
    other = await as_member(role, body=secretary.body if role else None)
    for url in (
        f"/sessions/{live.id}/share/line",
        f"/sessions/{live.id}/ideas.xlsx",
        f"/sessions/{live.id}/promote?idea={idea.id}",
    ):
        assert (await other.get(url)).status_code == 403, url
    response = await other.post(
        f"/sessions/{live.id}/promote", {"idea": idea.id, "title": "ก", "target": "proposal_draft"}
    )
    assert response.status_code == 403
    assert count(session, LivePromotion) == 0


async def test_a_participant_without_an_account_is_sent_to_log_in(make_client, live, idea):
    guest = make_client()
    for url in (f"/sessions/{live.id}/ideas.xlsx", f"/sessions/{live.id}/promote?idea={idea.id}"):
        response = await guest.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_an_unknown_session_is_not_found(secretary):
    assert (await secretary.get("/sessions/999999/ideas.xlsx")).status_code == 404


async def test_an_idea_becomes_an_agenda_item_and_the_console_lists_it(
    session, secretary, live, meeting, idea
):
    page = await secretary.get(f"/sessions/{live.id}/promote?idea={idea.id}")
    assert page.status_code == 200
    assert 'value="ติดโซลาร์เซลล์ที่วัด"' in page.text and "- ติดโซลาร์เซลล์ที่วัด (0 โหวต)" in page.text
    assert f'<option value="{meeting.id}" selected>' in page.text
    data = {
        "idea": idea.id,
        "title": "ติดโซลาร์เซลล์ที่วัด",
        "body": "- ติดโซลาร์",
        "target": "agenda_item",
        "meeting_id": meeting.id,
    }
    response = await secretary.post(f"/sessions/{live.id}/promote", data)
    assert response.status_code == 303
    promotion = session.exec(select(LivePromotion)).one()
    assert response.headers["location"] == f"/sessions/{live.id}/promotions/{promotion.id}"
    item = session.get(AgendaItem, promotion.item_id)
    assert item.title == "ติดโซลาร์เซลล์ที่วัด"
    view = await secretary.get(response.headers["location"])
    assert (
        f"/meetings/{meeting.id}/agenda/items/{item.id}" in view.text
        and "ติดโซลาร์เซลล์ที่วัด" in view.text
    )
    console = await secretary.get(f"/sessions/{live.id}/console")
    assert f'href="/sessions/{live.id}/promotions/{promotion.id}"' in console.text
    # A double submit: one promotion, the same page again.
    again = await secretary.post(f"/sessions/{live.id}/promote", data)
    assert again.status_code == 303 and again.headers["location"] == response.headers["location"]
    assert count(session, LivePromotion) == 1 and count(session, AgendaItem) == 1


async def test_a_theme_becomes_a_proposal_draft_with_its_page(session, secretary, live, idea):
    theme = LiveCluster(session_id=live.id, name="พลังงานแสงอาทิตย์")
    session.add(theme)
    session.flush()
    idea.cluster_id = theme.id
    session.add(idea)
    session.commit()
    page = await secretary.get(f"/sessions/{live.id}/promote?cluster={theme.id}")
    assert 'value="พลังงานแสงอาทิตย์"' in page.text and 'name="cluster"' in page.text
    response = await secretary.post(
        f"/sessions/{live.id}/promote",
        {"cluster": theme.id, "title": "โครงการโซลาร์ชุมชน", "target": "proposal_draft"},
        htmx=True,
    )
    assert response.status_code == 204 and response.headers["hx-redirect"].startswith(
        f"/sessions/{live.id}/promotions/"
    )
    promotion = session.exec(select(LivePromotion)).one()
    assert promotion.item_id is None and promotion.cluster_id == theme.id
    assert session.exec(select(LivePromotionIdea.idea_id)).all() == [idea.id]
    view = await secretary.get(response.headers["hx-redirect"])
    assert "ร่างข้อเสนอโครงการ" in view.text and "ติดโซลาร์เซลล์ที่วัด" in view.text


async def test_a_facilitator_is_offered_the_proposal_draft_only(
    session, as_member, secretary, live, idea
):
    facilitator = await as_member(Role.facilitator, body=secretary.body)
    page = await facilitator.get(f"/sessions/{live.id}/promote?idea={idea.id}")
    assert page.status_code == 200
    assert 'value="agenda_item"' not in page.text and 'value="proposal_draft" checked' in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("idea=999999", "ไม่พบความคิดเห็นนี้ในเวทีนี้"),
        ("cluster=999999", "ไม่พบประเด็นนี้ในเวทีนี้"),
        ("", "กรุณาเลือกความคิดเห็นหรือประเด็น"),
        ("idea=abc", "ไม่พบความคิดเห็นนี้"),
    ],
)
async def test_an_unknown_idea_or_theme_is_explained(secretary, live, query, message):
    response = await secretary.get(f"/sessions/{live.id}/promote?{query}")
    assert response.status_code == 422 and message in response.text


async def test_an_idea_of_another_session_is_refused(session, secretary, live, meeting):
    actor = factories.actor(session, secretary.person)
    other = sessions.open_session(session, actor, meeting_id=meeting.id, prompt="อีกเวที")
    guest = sessions.join_session(
        session, ANONYMOUS, code=other.code, nickname="ลุงมี", consent=True
    )[0]
    stranger = ideas.submit_idea(session, guest, text="ของเวทีอื่น", key="followup-key-9")[0]
    response = await secretary.post(
        f"/sessions/{live.id}/promote",
        {"idea": stranger.id, "title": "ก", "target": "proposal_draft"},
    )
    assert response.status_code == 422 and "ไม่พบความคิดเห็นนี้ในเวทีนี้" in response.text
    assert count(session, LivePromotion) == 0


async def test_bad_targets_and_an_empty_title_keep_the_form(
    session, secretary, live, meeting, idea
):
    other_body = factories.meeting(session, factories.body(session))
    ended = factories.meeting(session, secretary.body)
    ended.status = MeetingStatus.closed
    session.add(ended)
    session.commit()
    cases = [
        ({"meeting_id": other_body.id}, "กรุณาเลือกการประชุมของคณะนี้"),
        ({"meeting_id": ended.id}, "การประชุมนี้สิ้นสุดแล้ว"),
        ({"title": "  "}, "กรุณาระบุชื่อเรื่อง"),
        ({"target": "ballot"}, "กรุณาเลือกว่าจะนำไปเป็นอะไร"),
    ]
    for change, message in cases:
        data = {
            "idea": idea.id,
            "title": "หัวข้อ",
            "body": "รายละเอียดที่พิมพ์ไว้",
            "target": "agenda_item",
            "meeting_id": meeting.id,
        } | change
        response = await secretary.post(f"/sessions/{live.id}/promote", data)
        assert response.status_code == 422 and message in response.text, change
        assert "รายละเอียดที่พิมพ์ไว้" in response.text  # what was typed is kept
        block = await secretary.post(f"/sessions/{live.id}/promote", data, htmx=True)
        assert (
            block.status_code == 422
            and 'id="promote_form"' in block.text
            and "<html" not in block.text
        )
    assert count(session, LivePromotion) == 0 and count(session, AgendaItem) == 0


async def test_a_promotion_of_another_session_is_not_found(session, secretary, live, meeting, idea):
    actor = factories.actor(session, secretary.person)
    other = sessions.open_session(session, actor, meeting_id=meeting.id, prompt="อีกเวที")
    await secretary.post(
        f"/sessions/{live.id}/promote", {"idea": idea.id, "title": "ก", "target": "proposal_draft"}
    )
    promotion = session.exec(select(LivePromotion)).one()
    assert (
        await secretary.get(f"/sessions/{other.id}/promotions/{promotion.id}")
    ).status_code == 404
