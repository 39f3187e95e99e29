"""The session's Excel workbook: a real .xlsx (zip + SpreadsheetML) with the sheets Ideas,
Themes and Polls, Thai text as typed, bold headers, column widths, Bangkok times, nicknames
only, and formula-looking text kept as text."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from deliberation.sessions import ideas, sessions, xlsx
from deliberation.sessions.models import LiveCluster, LivePoll, LivePollOption
from forum.errors import Forbidden
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_keys = itertools.count(1)


def parse(text: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 (the test's own workbook, not untrusted)


def read(data: bytes) -> dict[str, list[list[object]]]:
    """Every sheet's rows (by sheet name) as the cells' values, parsed from the XML."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert "[Content_Types].xml" in archive.namelist() and "xl/styles.xml" in archive.namelist()
    workbook = parse(archive.read("xl/workbook.xml"))
    rels = parse(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    sheets = {}
    for sheet in workbook.find("m:sheets", NS):
        xml = parse(archive.read("xl/" + targets[sheet.get(R_ID)]))
        assert xml.find(".//m:f", NS) is None  # never a formula
        rows = []
        for row in xml.iter(f"{{{NS['m']}}}row"):
            values: list[object] = []
            for cell in row:
                column = ord(cell.get("r")[0]) - ord("A")  # A to Z are enough here
                values += [None] * (column - len(values))  # empty cells are left out
                if cell.get("t") == "inlineStr":
                    values.append(cell.find("m:is/m:t", NS).text)
                else:
                    values.append(float(cell.find("m:v", NS).text))
            rows.append(values)
        sheets[sheet.get("name")] = rows
    return sheets


def cells(data: bytes, sheet: int = 1) -> list[ElementTree.Element]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{sheet}.xml")
    return list(parse(xml).iter(f"{{{NS['m']}}}c"))


def test_the_writer_makes_a_workbook_with_thai_text_widths_and_a_bold_header():
    data = xlsx.write_workbook(
        [xlsx.Sheet("ความคิดเห็น", ["ลำดับ", "ข้อความ"], [[1, "ติดโซลาร์เซลล์ที่วัด"]], widths=(8, 60))]
    )
    assert read(data) == {"ความคิดเห็น": [["ลำดับ", "ข้อความ"], [1.0, "ติดโซลาร์เซลล์ที่วัด"]]}
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert 'width="60"' in sheet and "ติดโซลาร์เซลล์ที่วัด" in sheet  # UTF-8, not escaped
    styles = parse(archive.read("xl/styles.xml"))
    header_style = int(cells(data)[0].get("s"))
    font = styles.find("m:cellXfs", NS)[header_style].get("fontId")
    assert styles.find("m:fonts", NS)[int(font)].find("m:b", NS) is not None


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+66812345678", "-1+2", "@SUM(A1)"])
def test_formula_looking_text_is_stored_as_text_with_the_quote_prefix(text):
    data = xlsx.write_workbook([xlsx.Sheet("S", ["a"], [[text]])])
    cell = cells(data)[1]
    assert cell.get("t") == "inlineStr" and cell.find("m:f", NS) is None
    assert read(data)["S"][1] == [text]
    styles = parse(zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml"))
    assert styles.find("m:cellXfs", NS)[int(cell.get("s"))].get("quotePrefix") == "1"


def test_times_are_date_cells_in_bangkok_time_and_control_characters_are_dropped():
    data = xlsx.write_workbook(
        [xlsx.Sheet("S", ["a", "b"], [[datetime(2026, 11, 26, 6, 30, tzinfo=UTC), "ก\x01ข"]])]
    )
    rows = read(data)["S"]
    assert rows[1][0] == pytest.approx(46352 + 13.5 / 24)  # 26 Nov 2026 13:30 in Excel's days
    assert rows[1][1] == "กข"


def test_sheet_names_are_made_valid_and_unique():
    data = xlsx.write_workbook(
        [
            xlsx.Sheet("a/b:c", ["x"], []),
            xlsx.Sheet("a b c", ["x"], []),
            xlsx.Sheet("ก" * 40, ["x"], []),
        ]
    )
    assert list(read(data)) == ["a b c", "a b c (2)", "ก" * 31]


def test_column_letters():
    assert [xlsx.column_letter(n) for n in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


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
        float(first.id),
        "=1+1 ติดโซลาร์",
        "พลังงาน",
        "ป้าแดง",
        3.0,
        "แสดงอยู่",
        "พลังงานทดแทน",
    ]
    assert rows[1][3] == "ลุงมี" and "นายสมชาย ใจดี" not in str(
        book
    )  # the nickname, never the account
    assert book["ประเด็น"][1:] == [["พลังงานทดแทน", 1.0, 3.0]]
    assert book["โพล"][1:] == [["ควรเริ่มที่ไหน", "วัด", 4.0], ["ควรเริ่มที่ไหน", "โรงเรียน", 2.0]]
    assert second.id


def test_the_workbook_is_for_facilitators(session, live, body):
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        xlsx.export_session_xlsx(session, member, session_id=live.id)


def test_openpyxl_reads_it_back_when_installed(session, live, facilitator):
    import openpyxl  # a test dependency: the workbook must open in a real reader
    workbook = openpyxl.load_workbook(
        io.BytesIO(xlsx.export_session_xlsx(session, facilitator, session_id=live.id))
    )
    assert workbook.sheetnames == ["ความคิดเห็น", "ประเด็น", "โพล"]
    assert workbook["ความคิดเห็น"]["A1"].font.b
