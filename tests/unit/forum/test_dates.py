"""Dates for people: Bangkok time and the Buddhist Era in Thai."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st
from pythainlp.util import thai_strftime

from forum.dates import (
    buddhist_year,
    format_date,
    format_datetime,
    format_time,
    from_local,
    to_local,
)


def test_thai_long_datetime_is_in_the_buddhist_era_and_bangkok_time():
    moment = datetime(2025, 3, 14, 2, 30, tzinfo=UTC)  # 09.30 in Bangkok
    assert format_datetime(moment, "th") == "วันศุกร์ที่ 14 มีนาคม 2568 เวลา 09.30 น."


def test_thai_short_date_uses_abbreviated_month_and_be_year():
    assert format_date(date(2026, 11, 26), "th") == "26 พ.ย. 2569"


def test_english_dates_keep_the_common_era():
    moment = datetime(2025, 3, 14, 2, 30, tzinfo=UTC)
    assert format_datetime(moment, "en") == "Friday 14 March 2025, 09:30"
    assert format_date(date(2026, 11, 26), "en") == "26 Nov 2026"
    assert format_time(moment, "en") == "09:30"
    assert format_time(moment, "th") == "09.30 น."


def test_wall_clock_input_round_trips_through_utc():
    typed = datetime(2026, 12, 31, 23, 30)  # Bangkok, as typed in a form
    stored = from_local(typed)
    assert stored == datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert to_local(stored).replace(tzinfo=None) == typed


def test_buddhist_year_of_a_date_near_new_year_follows_the_local_date():
    assert buddhist_year(to_local(datetime(2026, 12, 31, 18, 0, tzinfo=UTC))) == 2570


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2400, 12, 31), timezones=st.just(UTC)))
def test_thai_forms_agree_with_pythainlp_thai_strftime(moment):
    local = to_local(moment)
    assert format_datetime(moment, "th") == thai_strftime(local, "%Aที่ %-d %B %Y เวลา %H.%M น.")
    assert format_datetime(moment, "th", "short") == thai_strftime(local, "%-d %b %Y %H.%M น.")
    assert format_date(moment, "th") == thai_strftime(local, "%-d %b %Y")
    assert format_date(moment, "th", "long") == thai_strftime(local, "%-d %B %Y")
