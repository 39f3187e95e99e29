"""Old rate-limit rows are forgotten (forum.attempts): every limiter's window is far
shorter than what is kept, so a limiter counts exactly what it did before the sweep."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from forum import accounts, attempts
from forum.app import create_app, lifespan
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import InvalidInput, RateLimited
from forum.models import LoginAttempt


def keys(engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(LoginAttempt.key)).all())


def add(engine, key: str, age: timedelta) -> None:
    with Session(engine) as session:
        session.add(LoginAttempt(key=key, at=utcnow() - age))
        session.commit()


def test_rows_older_than_a_day_go_and_recent_ones_stay(engine):
    add(engine, "ip:10.0.0.1", timedelta(days=3))
    add(engine, "live-code:10.0.0.2", timedelta(hours=24, minutes=1))
    add(engine, "live-join:10.0.0.3", timedelta(hours=23))
    add(engine, "email:somchai@example.org", timedelta(minutes=5))
    assert attempts.delete_old_attempts(engine) == 2
    assert keys(engine) == ["email:somchai@example.org", "live-join:10.0.0.3"]
    assert attempts.delete_old_attempts(engine) == 0


def test_the_kept_time_covers_every_limiters_window():
    longest = timedelta(minutes=15)  # the log-in's, the check-in's and the live code's
    assert longest * 4 <= attempts.KEEP_ATTEMPTS


def test_a_long_backlog_goes_in_short_transactions(engine, monkeypatch):
    monkeypatch.setattr(attempts, "BATCH", 3)
    for number in range(7):
        add(engine, f"ip:10.0.1.{number}", timedelta(days=2))
    add(engine, "ip:10.0.2.1", timedelta(minutes=1))
    assert attempts.delete_old_attempts(engine) == 7
    assert keys(engine) == ["ip:10.0.2.1"]


def test_a_limiter_still_counts_its_window_after_a_sweep(engine, session):
    limit = get_settings().login_attempts_per_15_min
    for _ in range(limit):
        add(engine, "email:nobody@example.org", timedelta(minutes=1))
    add(engine, "email:nobody@example.org", timedelta(days=2))
    attempts.delete_old_attempts(engine)
    with pytest.raises(RateLimited):
        accounts.log_in(
            session, email="nobody@example.org", password="x" * 12, client_ip="10.9.9.9"
        )
    with pytest.raises(InvalidInput):  # another address and email: not limited
        accounts.log_in(session, email="other@example.org", password="x" * 12, client_ip="10.9.9.8")


@pytest.mark.anyio
async def test_the_server_sweeps_when_it_starts(engine):
    add(engine, "ip:10.0.0.9", timedelta(days=2))
    add(engine, "ip:10.0.0.8", timedelta(minutes=2))
    app = create_app(get_settings(), engine=engine)
    async with lifespan(app):
        for _ in range(200):
            if keys(engine) == ["ip:10.0.0.8"]:
                break
            await asyncio.sleep(0.01)
    assert keys(engine) == ["ip:10.0.0.8"]


def test_the_retention_is_configurable_but_never_shorter_than_a_limiters_window(engine):
    """Issue 12, part 5: WETHI_RETAIN_LOGIN_ATTEMPTS_HOURS decides what the sweep keeps."""
    add(engine, "ip:10.0.0.1", timedelta(hours=3))
    add(engine, "ip:10.0.0.2", timedelta(minutes=90))
    assert attempts.delete_old_attempts(engine, keep=timedelta(hours=2)) == 1
    assert keys(engine) == ["ip:10.0.0.2"]
    add(engine, "ip:10.0.0.3", timedelta(minutes=10))
    assert attempts.delete_old_attempts(engine, keep=timedelta(0)) == 1  # 15 minutes at least
    assert keys(engine) == ["ip:10.0.0.3"]


def test_the_settings_set_how_long_live_frames_and_attempts_are_kept(engine):
    from forum.live import make_hub

    settings = get_settings().model_copy(update={"retain_live_frames_hours": 6})
    assert make_hub(settings, engine).store.keep_for == timedelta(hours=6)
    with pytest.raises(ValueError, match="at least 1"):
        type(settings)(retain_login_attempts_hours=0)
