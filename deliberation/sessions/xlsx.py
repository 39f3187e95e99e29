"""A session's ideas, themes and polls as an Excel workbook (.xlsx), written here with
zipfile and SpreadsheetML rather than with a spreadsheet library: three small sheets need
no new dependency.

Text goes in as inline strings in UTF-8 XML (Excel and LibreOffice read Thai as typed). A
text cell is never a formula in SpreadsheetML (formulas live in <f> elements, never written
here); a text that starts like one (= + - @) also gets Excel's quote prefix, so that editing
the cell keeps it text. Times are real date cells in Bangkok time.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberation.sessions import ideas, sessions
from deliberation.sessions.models import IdeaStatus, LiveCluster, LiveIdea, LivePoll, LivePollOption
from forum.dates import to_local
from forum.i18n import gettext
from forum.policy import Actor

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
_EPOCH = datetime(1899, 12, 30)  # day 0 of the 1900 date system (Excel's leap-year bug included)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

# Cell styles (styles.xml's cellXfs, by index).
PLAIN, HEADER, DATETIME, QUOTED = 0, 1, 2, 3


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a bold header row, then rows of str, int, float, datetime or None;
    `widths` in characters, one per column."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=tuple)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def looks_like_formula(text: str) -> bool:
    return text[:1] in ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value)[:MAX_CELL_TEXT])


def _cell(ref: str, value: Any, style: int = PLAIN) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b" s="{style}"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        local = to_local(value).replace(tzinfo=None)
        serial = (local - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{DATETIME}"><v>{serial:.8f}</v></c>'
    text = str(value)
    if style == PLAIN and looks_like_formula(text):
        style = QUOTED
    return (
        f'<c r="{ref}" t="inlineStr" s="{style}"><is><t xml:space="preserve">'
        f"{_text(text)}</t></is></c>"
    )


def _sheet_xml(sheet: Sheet) -> str:
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate(sheet.widths, start=1)
    )
    rows = [
        '<row r="1">'
        + "".join(
            _cell(f"{column_letter(i)}1", text, HEADER) for i, text in enumerate(sheet.header)
        )
        + "</row>"
    ]
    for number, values in enumerate(sheet.rows, start=2):
        cells = "".join(
            _cell(f"{column_letter(i)}{number}", value) for i, value in enumerate(values)
        )
        rows.append(f'<row r="{number}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{columns}</cols>" if columns else "")
        + "<sheetData>"
        + "".join(rows)
        + "</sheetData></worksheet>"
    )


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Tahoma"/><family val="2"/></font>'  # Thai glyphs on Windows
    '<font><b/><sz val="11"/><name val="Tahoma"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'
    ' quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_NAME.sub(" ", _NOT_XML.sub("", name)).strip("' ")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an .xlsx file's bytes."""
    taken: set[str] = set()
    names = [_sheet_name(sheet.name, taken) for sheet in sheets]
    count = range(1, len(sheets) + 1)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in count
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        "<sheets>"
        + "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, name in zip(count, names, strict=True)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in count
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", _STYLES)
        for n, sheet in zip(count, sheets, strict=True):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", _sheet_xml(sheet))
    return buffer.getvalue()


# -- the session's workbook -------------------------------------------------------------------


def _status_names() -> dict[str, str]:
    return {
        IdeaStatus.pending: gettext("Waiting for approval"),
        IdeaStatus.shown: gettext("Shown"),
        IdeaStatus.hidden: gettext("Hidden"),
        IdeaStatus.merged: gettext("Merged into another idea"),
    }


def _cluster_names(session: Session, session_id: int) -> dict[int, str]:
    rows = session.exec(
        select(LiveCluster.id, LiveCluster.name).where(LiveCluster.session_id == session_id)
    ).all()
    return {cluster_id: name for cluster_id, name in rows if cluster_id is not None}


def _ideas_sheet(session: Session, session_id: int) -> Sheet:
    rows = ideas.list_ideas(session, session_id=session_id, statuses=tuple(IdeaStatus))
    clusters = _cluster_names(session, session_id)
    idea_clusters = dict(
        session.exec(
            select(LiveIdea.id, LiveIdea.cluster_id).where(
                LiveIdea.session_id == session_id, col(LiveIdea.cluster_id).is_not(None)
            )
        ).all()
    )
    status = _status_names()
    return Sheet(
        gettext("Ideas"),
        [
            gettext("No."),
            gettext("Idea"),
            gettext("Category"),
            gettext("Nickname"),
            gettext("Votes"),
            gettext("Status"),
            gettext("Theme"),
            gettext("Sent at (Bangkok time)"),
        ],
        [
            [
                row.id,
                row.text,
                row.category,
                row.author,  # the public name: a nickname unless the participant chose
                row.votes,
                status.get(row.status, row.status),
                clusters.get(idea_clusters.get(row.id) or 0, ""),
                row.created_at,
            ]
            for row in sorted(rows, key=lambda idea: idea.id)
        ],
        widths=(8, 60, 18, 20, 8, 16, 24, 20),
    )


def _themes_sheet(session: Session, session_id: int) -> Sheet:
    counted = (
        select(
            LiveCluster.name,
            func.count(col(LiveIdea.id)),
            func.coalesce(func.sum(LiveIdea.votes), 0),
        )
        .select_from(LiveCluster)
        .outerjoin(
            LiveIdea,
            (col(LiveIdea.cluster_id) == LiveCluster.id)
            & (col(LiveIdea.status) != IdeaStatus.merged),  # its votes moved to the kept idea
        )
        .where(LiveCluster.session_id == session_id)
        .group_by(col(LiveCluster.id), col(LiveCluster.name), col(LiveCluster.position))
        .order_by(col(LiveCluster.position), col(LiveCluster.id))
    )
    return Sheet(
        gettext("Themes"),
        [gettext("Theme"), gettext("Ideas"), gettext("Votes")],
        [[name, int(count), int(votes)] for name, count, votes in session.exec(counted).all()],
        widths=(40, 10, 10),
    )


def _polls_sheet(session: Session, session_id: int) -> Sheet:
    rows = session.exec(
        select(LivePoll.question, LivePollOption.label, LivePollOption.votes)
        .join(LivePollOption, col(LivePollOption.poll_id) == LivePoll.id)
        .where(LivePoll.session_id == session_id)
        .order_by(
            col(LivePoll.position),
            col(LivePoll.id),
            col(LivePollOption.position),
            col(LivePollOption.id),
        )
    ).all()
    return Sheet(
        gettext("Polls"),
        [gettext("Poll question"), gettext("Option"), gettext("Answers")],
        [[question, label, votes] for question, label, votes in rows],
        widths=(50, 36, 10),
    )


def export_session_xlsx(session: Session, actor: Actor, *, session_id: int) -> bytes:
    """The session's ideas (every status; authors by their public name), themes and polls
    as an .xlsx workbook, for its facilitators. Raises Forbidden, NotFound."""
    sessions.get_session(session, actor, session_id=session_id)
    return write_workbook(
        [
            _ideas_sheet(session, session_id),
            _themes_sheet(session, session_id),
            _polls_sheet(session, session_id),
        ]
    )
