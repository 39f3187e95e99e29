"""Dates for people: Bangkok time, the Buddhist Era in Thai (26 พ.ย. 2569).

Babel formats Thai dates in the Christian Era. PyThaiNLP's `thai_strftime` writes them
right but is slow for a page of rows (it parses its format each call), so the three
Thai forms used here are written directly from its month and day names; a test checks
they agree with `thai_strftime` on any date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from pythainlp.util.date import thai_abbr_months, thai_full_months
from pythainlp.util.date import thai_full_weekdays as _weekdays_from_monday

BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")  # no daylight saving time
BE_OFFSET = 543


def to_local(moment: datetime) -> datetime:
    """UTC from the database (naive means UTC) -> aware Bangkok time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BANGKOK)


def from_local(moment: datetime) -> datetime:
    """A wall-clock Bangkok time (as typed in a form) -> aware UTC for the database."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BANGKOK)
    return moment.astimezone(UTC)


def buddhist_year(moment: date | datetime) -> int:
    return moment.year + BE_OFFSET


def format_datetime(moment: datetime, locale: str, style: str = "long") -> str:
    """'วันศุกร์ที่ 14 มีนาคม 2568 เวลา 09.30 น.' / 'Friday 14 March 2025, 09:30'."""
    local = to_local(moment)
    if locale == "th":
        year = local.year + BE_OFFSET
        if style == "short":
            return f"{local.day} {thai_abbr_months[local.month - 1]} {year} {local.hour:02d}.{local.minute:02d} น."
        weekday = _weekdays_from_monday[local.weekday()]
        return f"{weekday}ที่ {local.day} {thai_full_months[local.month - 1]} {year} เวลา {local.hour:02d}.{local.minute:02d} น."
    if style == "short":
        return babel_format_datetime(local, "d MMM y, HH:mm", locale="en")
    return babel_format_datetime(local, "EEEE d MMMM y, HH:mm", locale="en")


def format_date(moment: date | datetime, locale: str, style: str = "short") -> str:
    """'26 พ.ย. 2569' / '26 Nov 2026'; long: '26 พฤศจิกายน 2569'."""
    local = to_local(moment) if isinstance(moment, datetime) else moment
    if locale == "th":
        months = thai_full_months if style == "long" else thai_abbr_months
        return f"{local.day} {months[local.month - 1]} {local.year + BE_OFFSET}"
    pattern = "d MMMM y" if style == "long" else "d MMM y"
    return babel_format_date(local, pattern, locale="en")


def format_time(moment: datetime, locale: str) -> str:
    local = to_local(moment)
    separator, suffix = (".", " น.") if locale == "th" else (":", "")
    return f"{local.hour:02d}{separator}{local.minute:02d}{suffix}"
