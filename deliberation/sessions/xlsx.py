"""A session's ideas, themes and polls as an Excel workbook (.xlsx), written by XlsxWriter.

Text goes in as typed (UTF-8; Excel and LibreOffice read Thai as is) and is never read as a
formula, a number or a link; a text that starts like a formula (= + - @) also gets Excel's
quote prefix, so that editing the cell keeps it text. Times are real date cells in Bangkok
time. Thai glyphs come from Tahoma, which every Windows has.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import xlsxwriter
from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberation.sessions import ideas, sessions
from deliberation.sessions.models import IdeaStatus, LiveCluster, LiveIdea, LivePoll, LivePollOption
from forum.dates import to_local
from forum.i18n import gettext
from forum.policy import Actor

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_FONT = {"font_name": "Tahoma", "font_size": 11}


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a bold header row, then rows of str, int, float, datetime or None;
    `widths` in characters, one per column."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=tuple)


def looks_like_formula(text: str) -> bool:
    return text[:1] in ("=", "+", "-", "@", "\t", "\r")


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
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,  # people's text is never a formula,
        "strings_to_numbers": False,  # nor a number (a phone number keeps its 0),
        "strings_to_urls": False,  # nor a link
    }
    book = xlsxwriter.Workbook(buffer, options)
    plain = book.add_format(_FONT)
    header = book.add_format(_FONT | {"bold": True})
    moment = book.add_format(_FONT | {"num_format": "yyyy-mm-dd hh:mm"})
    quoted = book.add_format(_FONT | {"num_format": "@", "quote_prefix": True})
    taken: set[str] = set()
    for sheet in sheets:
        page = book.add_worksheet(_sheet_name(sheet.name, taken))
        page.freeze_panes(1, 0)
        for column, width in enumerate(sheet.widths):
            page.set_column(column, column, width)
        for column, text in enumerate(sheet.header):
            page.write_string(0, column, _text(text), header)
        for row, values in enumerate(sheet.rows, start=1):
            for column, value in enumerate(values):
                _write(page, row, column, value, plain, moment, quoted)
    book.close()
    return buffer.getvalue()


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)[:MAX_CELL_TEXT]


def _write(
    page: Any, row: int, column: int, value: Any, plain: Any, moment: Any, quoted: Any
) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        page.write_boolean(row, column, value, plain)
    elif isinstance(value, int | float):
        page.write_number(row, column, value, plain)
    elif isinstance(value, datetime):
        page.write_datetime(row, column, to_local(value).replace(tzinfo=None), moment)
    else:
        text = _text(str(value))
        page.write_string(row, column, text, quoted if looks_like_formula(text) else plain)


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
