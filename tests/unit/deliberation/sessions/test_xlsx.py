"""The session's Excel workbook, read back as a spreadsheet program reads it (openpyxl): the
sheets Ideas, Themes and Polls, Thai text as typed, bold headers, column widths, a frozen
header row, Bangkok times, nicknames only, and formula-looking text kept as text."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime

import openpyxl
import pytest

from deliberation.sessions import ideas, sessions, xlsx
from deliberation.sessions.models import LiveCluster, LivePoll, LivePollOption
from forum.errors import Forbidden
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories

_keys = itertools.count(1)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def read(data: bytes) -> dict[str, list[list[object]]]:
    """Every sheet's rows (by sheet name) as the cells' values; no cell is a formula."""
    book = workbook(data)
    sheets = {}
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        sheets[sheet.title] = [[value for value in row] for row in rows]
    return sheets


def test_the_writer_makes_a_workbook_with_thai_text_widths_and_a_bold_header():
    data = xlsx.write_workbook(
        [xlsx.Sheet("ความคิดเห็น", ["ลำดับ", "ข้อความ"], [[1, "ติดโซลาร์เซลล์ที่วัด"]], widths=(8, 60))]
    )
    assert read(data) == {"ความคิดเห็น": [["ลำดับ", "ข้อความ"], [1, "ติดโซลาร์เซลล์ที่วัด"]]}
    sheet = workbook(data)["ความคิดเห็น"]
    assert sheet["A1"].font.b and not sheet["B2"].font.b and sheet["B2"].font.name == "Tahoma"
    assert round(sheet.column_dimensions["B"].width) >= 60 and sheet.freeze_panes == "A2"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+66812345678", "-1+2", "@SUM(A1)", "0812345678"])
def test_formula_looking_text_is_stored_as_text_with_the_quote_prefix(text):
    data = xlsx.write_workbook([xlsx.Sheet("S", ["a"], [[text]])])
    cell = workbook(data)["S"]["A2"]
    assert cell.data_type == "s" and cell.value == text
    assert cell.quotePrefix == xlsx.looks_like_formula(text)


def test_times_are_date_cells_in_bangkok_time_and_control_characters_are_dropped():
    data = xlsx.write_workbook(
        [xlsx.Sheet("S", ["a", "b"], [[datetime(2026, 11, 26, 6, 30, tzinfo=UTC), "ก\x01ข"]])]
    )
    sheet = workbook(data)["S"]
    assert sheet["A2"].is_date and sheet["A2"].value == datetime(2026, 11, 26, 13, 30)
    assert sheet["B2"].value == "กข"


def test_sheet_names_are_made_valid_and_unique():
    data = xlsx.write_workbook(
        [
            xlsx.Sheet("a/b:c", ["x"], []),
            xlsx.Sheet("a b c", ["x"], []),
            xlsx.Sheet("ก" * 40, ["x"], []),
        ]
    )
    assert list(read(data)) == ["a b c", "a b c (2)", "ก" * 31]


# -- the session's workbook ------------------------------------------------------------------


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def facilitator(session, body):
    return factories.actor(session, factories.member(session, body, Role.facilitator))


@pytest.fixture
def live(session, body, facilitator):
    meeting = factories.meeting(session, body)
    return sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="ลดค่าไฟอย่างไร")


def test_the_session_workbook_has_ideas_themes_and_polls(session, live, facilitator, body):
    member = factories.member(
        session, body, Role.member, person_row=factories.person(session, name="นายสมชาย ใจดี")
    )
    member_actor = factories.actor(session, member)
    guest = sessions.join_session(
        session, ANONYMOUS, code=live.code, nickname="ป้าแดง", consent=True
    )[0]
    hidden_member = sessions.join_session(
        session, member_actor, code=live.code, nickname="ลุงมี", consent=True
    )[0]
    first = ideas.submit_idea(
        session, guest, text="=1+1 ติดโซลาร์", category="พลังงาน", key="xlsx-key-0001"
    )[0]
    second = ideas.submit_idea(session, hidden_member, text="ปลูกต้นไม้", key="xlsx-key-0002")[0]
    theme = LiveCluster(session_id=live.id, name="พลังงานทดแทน")
    session.add(theme)
    session.flush()
    first.cluster_id = theme.id
    first.votes = 3
    session.add(first)
    poll = LivePoll(session_id=live.id, question="ควรเริ่มที่ไหน")
    session.add(poll)
    session.flush()
    session.add_all(
        [
            LivePollOption(poll_id=poll.id, label="วัด", votes=4, position=1),
            LivePollOption(poll_id=poll.id, label="โรงเรียน", votes=2, position=2),
        ]
    )
    session.commit()
    book = read(xlsx.export_session_xlsx(session, facilitator, session_id=live.id))
    assert list(book) == ["ความคิดเห็น", "ประเด็น", "โพล"]
    header, *rows = book["ความคิดเห็น"]
    assert header[:4] == ["ลำดับที่", "ความคิดเห็น", "หมวดหมู่", "ชื่อเล่น"]
    assert rows[0][:7] == [
        first.id,
        "=1+1 ติดโซลาร์",
        "พลังงาน",
        "ป้าแดง",
        3,
        "แสดงอยู่",
        "พลังงานทดแทน",
    ]
    assert rows[1][3] == "ลุงมี" and "นายสมชาย ใจดี" not in str(
        book
    )  # the nickname, never the account
    assert book["ประเด็น"][1:] == [["พลังงานทดแทน", 1, 3]]
    assert book["โพล"][1:] == [["ควรเริ่มที่ไหน", "วัด", 4], ["ควรเริ่มที่ไหน", "โรงเรียน", 2]]
    assert second.id


def test_the_workbook_is_for_facilitators(session, live, body):
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        xlsx.export_session_xlsx(session, member, session_id=live.id)


def test_the_sheets_are_named_in_the_readers_language(session, live, facilitator):
    book = workbook(xlsx.export_session_xlsx(session, facilitator, session_id=live.id))
    assert book.sheetnames == ["ความคิดเห็น", "ประเด็น", "โพล"]
    assert book["ความคิดเห็น"]["A1"].font.b
