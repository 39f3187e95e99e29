"""The search page (/search) and the JSON API's /api/v1/search, on a real database (SQLite
here; tests/pg runs this module again on PostgreSQL)."""

from __future__ import annotations

import pytest

from deliberation import search
from forum import i18n
from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio


def index(session, body, ref_id, text, *, title="", meeting=None, kind="agenda_item"):
    search.index_entry(
        session,
        kind=kind,
        ref_id=ref_id,
        body_id=body.id,
        meeting_id=meeting.id if meeting else None,
        title=title,
        text=text,
    )
    session.commit()


async def test_the_page_without_a_query_shows_only_the_search_box(as_member):
    client = await as_member(Role.member)
    response = await client.get("/search")
    assert response.status_code == 200
    assert 'role="search"' in response.text and 'name="q"' in response.text
    assert "<mark>" not in response.text and "field-error" not in response.text


async def test_a_member_finds_a_thai_word_inside_a_compound_with_a_marked_snippet(
    session, as_member
):
    client = await as_member(Role.member)
    meeting = factories.meeting(session, client.body)
    index(
        session,
        client.body,
        1,
        "ชุมชนติดตั้งแผงพลังงานแสงอาทิตย์บนหลังคา",
        title="โครงการโซลาร์รูฟท็อป",
        meeting=meeting,
    )
    response = await client.get("/search?q=พลังงาน")
    assert response.status_code == 200
    assert "<mark>พลังงาน</mark>" in response.text
    link = search.KINDS["agenda_item"].link.format(
        ref_id=1, meeting_id=meeting.id, body_id=client.body.id
    )
    assert f'href="{link}"' in response.text
    assert "โครงการโซลาร์รูฟท็อป" in response.text


async def test_user_html_in_a_result_is_shown_as_text(session, as_member):
    client = await as_member(Role.member)
    index(
        session,
        client.body,
        1,
        "เตาชีวมวล <script>alert('x')</script>",
        title="<img src=x onerror=alert(1)>เตาชีวมวล",
    )
    response = await client.get("/search?q=เตาชีวมวล")
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "&lt;script&gt;" in response.text
    assert "<img src=x" not in response.text and "&lt;img" in response.text


async def test_a_member_of_another_body_finds_what_the_programme_reads_not_the_threads(
    session, as_member
):
    # What one may read, one may find: another body's agenda items and resolutions are the
    # whole programme's, its discussion posts its members' (deliberation.rules).
    owner = await as_member(Role.member)
    meeting = factories.meeting(session, owner.body)
    index(session, owner.body, 1, "ธนาคารน้ำใต้ดินของตำบล", meeting=meeting)
    index(session, owner.body, 2, "ธนาคารน้ำใต้ดินในกระทู้", meeting=meeting, kind="post")
    outsider = await as_member(Role.chair)
    response = await outsider.get("/search?q=ธนาคารน้ำใต้ดิน")
    assert response.status_code == 200
    assert "ตำบล" in response.text and "กระทู้" not in response.text
    api = (await outsider.json("GET", "/api/v1/search?q=ธนาคารน้ำใต้ดิน")).json()
    assert [(hit["kind"], hit["ref_id"]) for hit in api["items"]] == [("agenda_item", 1)]
    within = await outsider.json("GET", f"/api/v1/search?q=ธนาคารน้ำใต้ดิน&body_id={owner.body.id}")
    assert [hit["ref_id"] for hit in within.json()["items"]] == [1]
    mine = (await owner.json("GET", "/api/v1/search?q=ธนาคารน้ำใต้ดิน")).json()
    assert sorted(hit["ref_id"] for hit in mine["items"]) == [1, 2]


async def test_htmx_gets_only_the_results_block(session, as_member):
    client = await as_member(Role.member)
    index(session, client.body, 1, "วิสาหกิจชุมชนผลิตไบโอแก๊ส")
    response = await client.get("/search?q=ไบโอแก๊ส", htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<mark>ไบโอแก๊ส</mark>" in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "โปรดระบุคำหรือข้อความที่ต้องการค้นหา"), ("ก" * 201, "ไม่เกิน 200 ตัวอักษร")],
)
async def test_a_bad_query_gets_a_clear_thai_message(as_member, query, message):
    client = await as_member(Role.member)
    response = await client.get("/search", params={"q": query})
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    htmx = await client.get("/search", params={"q": query}, htmx=True)
    assert htmx.status_code == 422 and message in htmx.text


async def test_a_query_of_symbols_finds_nothing_and_the_page_and_the_api_say_why(session, as_member):
    client = await as_member(Role.member)
    index(session, client.body, 1, "พลังงานทดแทนของชุมชน")
    page = await client.get("/search", params={"q": "!!! ???"})
    assert page.status_code == 200 and "สัญลักษณ์" in page.text and 'class="notice"' in page.text
    api = (await client.json("GET", "/api/v1/search", params={"q": "-พลังงาน"})).json()
    assert (api["total"], api["items"]) == (0, [])
    assert api["notice"] == th("Please add a word to find: -word only leaves out what the others find.")
    symbols = (await client.json("GET", "/api/v1/search", params={"q": "!!! ???"})).json()
    assert symbols["notice"] == th("Please search with letters or numbers, not only symbols.")
    assert symbols["notice"] in page.text  # the page and the API say the same


def th(msgid: str) -> str:
    return i18n.translate(msgid, "th")


async def test_results_are_paged_with_links_that_keep_the_query(session, as_member):
    client = await as_member(Role.member)
    for n in range(1, 26):
        index(session, client.body, n, f"บันทึกที่ {n} เรื่องพลังงานทดแทน")
    response = await client.get("/search?q=พลังงานทดแทน")
    assert "25" in response.text and 'rel="next"' in response.text
    assert "page=2" in response.text
    second = await client.get("/search?q=พลังงานทดแทน&page=2")
    assert second.status_code == 200 and 'rel="prev"' in second.text


async def test_searching_needs_an_account(client):
    response = await client.get("/search?q=พลังงาน")
    assert response.status_code in (302, 303) and response.headers["location"].startswith("/login")
    api = await client.json("GET", "/api/v1/search?q=พลังงาน")
    assert api.status_code == 401


async def test_the_api_returns_escaped_marked_hits(session, as_member):
    client = await as_member(Role.member)
    meeting = factories.meeting(session, client.body)
    index(
        session,
        client.body,
        3,
        "ดันงบ <b>สมาร์ทฟาร์มเมอร์</b> ลงดิน",
        title="เรื่องสมาร์ทฟาร์มเมอร์",
        meeting=meeting,
    )
    response = await client.json("GET", "/api/v1/search?q=สมาร์ทฟาร์มเมอร์")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["pages"] == 1
    [hit] = body["items"]
    assert hit["kind"] == "agenda_item" and hit["kind_label"] == "ระเบียบวาระ"
    assert hit["ref_id"] == 3 and hit["meeting_id"] == meeting.id
    assert hit["title_html"] == "เรื่อง<mark>สมาร์ทฟาร์มเมอร์</mark>"
    assert "&lt;b&gt;<mark>สมาร์ทฟาร์มเมอร์</mark>&lt;/b&gt;" in hit["snippet_html"]
    assert hit["updated_at"].endswith("+07:00")


async def test_the_api_refuses_a_bad_query_with_a_field_message(as_member):
    client = await as_member(Role.member)
    response = await client.json("GET", "/api/v1/search?q=%20")
    assert response.status_code == 422
    assert response.json()["fields"]["q"] == "โปรดระบุคำหรือข้อความที่ต้องการค้นหา"


async def test_the_vowel_mark_decides_the_word(session, as_member):
    client = await as_member(Role.member)
    index(session, client.body, 1, "ปรับปรุงคุณภาพดิน")
    index(session, client.body, 2, "ช่วยกันดันรถขึ้นเนิน")
    dirt = (await client.json("GET", "/api/v1/search?q=ดิน")).json()
    push = (await client.json("GET", "/api/v1/search?q=ดัน")).json()
    assert [hit["ref_id"] for hit in dirt["items"]] == [1]
    assert [hit["ref_id"] for hit in push["items"]] == [2]


async def test_the_page_says_how_to_search_and_suggests_a_misspelt_word(session, as_member):
    """Issue 12, part 1: the operators are said on the page; a query that finds nothing
    links to the one the index would answer; page and API agree."""
    client = await as_member(Role.member)
    index(session, client.body, 1, "ชุมชนติดตั้งโซล่าเซลล์และเตาชีวมวล")
    index(session, client.body, 2, "ขยายผลเตาชีวมวลลดการใช้ฟืน")
    page = await client.get("/search")
    assert "เครื่องหมายคำพูด" in page.text and "-คำ" in page.text and "OR" in page.text
    missed = await client.get("/search?q=ชีวมวน", htmx=True)
    assert "หรือคุณหมายถึง" in missed.text and 'href="/search?q=%E0%B8%8A%E0%B8%B5%E0%B8%A7%E0%B8%A1%E0%B8%A7%E0%B8%A5"' in missed.text
    api = (await client.json("GET", "/api/v1/search?q=ชีวมวน")).json()
    assert api["total"] == 0 and api["suggestion"] == "ชีวมวล"
    left_out = (await client.json("GET", "/api/v1/search?q=เตาชีวมวล -โซลาร์เซลล์")).json()
    assert [hit["ref_id"] for hit in left_out["items"]] == [2] and left_out["suggestion"] is None
    only_out = await client.get("/search?q=-เตาชีวมวล", htmx=True)
    assert only_out.status_code == 200 and "โปรดเพิ่มคำที่ต้องการค้นหา" in only_out.text  # says why, finds nothing
