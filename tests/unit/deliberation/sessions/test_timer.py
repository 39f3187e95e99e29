"""The session's countdown timer: start for 1–120 minutes, pause (the seconds left kept),
resume, add a minute, stop; a stale console is refused; only the facilitator runs it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation.sessions import sessions, timer
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, InvalidInput, StaleEdit
from forum.models import Role
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def facilitator(session, body):
    return factories.actor(session, factories.member(session, body, Role.facilitator))


@pytest.fixture
def live(session, body, facilitator):
    meeting = factories.meeting(session, body)
    return sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="คำถาม")


def change(session, facilitator, live, action, **kwargs):
    return timer.change_timer(session, facilitator, session_id=live.id, action=action, **kwargs)


def test_a_started_timer_counts_down_to_its_end(session, facilitator, live):
    started = timer.start_timer(session, facilitator, session_id=live.id, minutes="5", version=live.version)
    view = timer.timer_view(started)
    assert view.running and 299 <= view.left <= 300 and view.clock in ("05:00", "04:59")
    assert view.ends_at_iso.endswith("Z")
    later = timer.timer_view(started, now=utcnow() + timedelta(minutes=2))
    assert 179 <= later.left <= 180 and later.minutes_left == 3
    assert timer.timer_view(started, now=utcnow() + timedelta(hours=1)).left == 0


def test_pause_keeps_the_seconds_left_and_resume_goes_on(session, facilitator, live):
    timer.start_timer(session, facilitator, session_id=live.id, minutes=2)
    paused = change(session, facilitator, live, "pause")
    assert paused.timer_ends_at is None and 119 <= paused.timer_left <= 120
    view = timer.timer_view(paused)
    assert view.shown and not view.running
    assert change(session, facilitator, live, "pause").timer_left == paused.timer_left  # nothing changes
    resumed = change(session, facilitator, live, "resume")
    assert resumed.timer_left is None and timer.timer_view(resumed).left >= 118


def test_a_minute_is_added_running_or_paused(session, facilitator, live):
    timer.start_timer(session, facilitator, session_id=live.id, minutes=1)
    assert timer.timer_view(change(session, facilitator, live, "add_minute")).left >= 119
    change(session, facilitator, live, "pause")
    before = live.timer_left
    assert change(session, facilitator, live, "add_minute").timer_left == before + 60


def test_stop_clears_the_timer(session, facilitator, live):
    timer.start_timer(session, facilitator, session_id=live.id, minutes=10)
    stopped = change(session, facilitator, live, "stop")
    assert stopped.timer_ends_at is None and stopped.timer_left is None
    assert not timer.timer_view(stopped).shown
    with pytest.raises(Conflict):
        change(session, facilitator, live, "add_minute")


@pytest.mark.parametrize("minutes", ["0", "121", "", "abc", "-5", None, "1.5"])
def test_minutes_outside_1_to_120_are_refused(session, facilitator, live, minutes):
    version = live.version
    with pytest.raises(InvalidInput) as error:
        timer.start_timer(session, facilitator, session_id=live.id, minutes=minutes)
    assert "minutes" in error.value.fields
    session.refresh(live)
    assert live.timer_ends_at is None and live.version == version


def test_a_stale_console_is_refused(session, facilitator, live):
    old = live.version
    timer.start_timer(session, facilitator, session_id=live.id, minutes=3, version=old)
    with pytest.raises(StaleEdit):
        change(session, facilitator, live, "stop", version=old)


def test_unknown_action_and_closed_session(session, facilitator, live):
    with pytest.raises(InvalidInput):
        change(session, facilitator, live, "explode")
    sessions.change_session_status(session, facilitator, session_id=live.id, to="close")
    with pytest.raises(Conflict):
        timer.start_timer(session, facilitator, session_id=live.id, minutes=3)


def test_only_the_facilitator_runs_the_timer(session, body, live):
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        timer.start_timer(session, member, session_id=live.id, minutes=3)


def test_the_clock_shows_hours_past_an_hour():
    assert timer.TimerView(None, 3725, False).clock == "1:02:05"
    assert timer.TimerView(None, 65, False).clock == "01:05"
