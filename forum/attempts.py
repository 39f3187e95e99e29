"""Forgetting old rate-limit rows (forum.models.LoginAttempt).

Every limiter counts its rows within a short window and never looks further back:
failed log-ins (accounts, 15 minutes), wrong check-in codes (attendance, 15 minutes),
wrong live session codes (15 minutes) and joins (10 minutes) per address, a participant's
changed poll answers (1 minute). Kept longer, the rows only grow the table (a hall of
2,000 phones joining writes 2,000) and keep addresses (personal data under the PDPA): a
sweep started with the server deletes those older than KEEP_ATTEMPTS, well beyond the
longest window.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from forum.db import utcnow
from forum.models import LoginAttempt

log = logging.getLogger(__name__)

KEEP_ATTEMPTS = timedelta(hours=24)  # the default; the longest limiter's window is 15 minutes
LONGEST_WINDOW = timedelta(minutes=15)  # never kept shorter: the limiters count this far back
ATTEMPT_SWEEP_EVERY = timedelta(hours=1)
BATCH = 5_000  # rows per transaction: a long backlog never holds the writers up for long


_TABLE = LoginAttempt.__table__  # type: ignore[attr-defined]
# Built once, a plain Core statement: every cookieless request of a hall's phones asks it
# (a code typed or opened: is this address guessing?), and the ORM's way costs eight times
# as much as the query itself.
_RECENT = (
    sa.select(sa.func.count())
    .select_from(_TABLE)
    .where(_TABLE.c.key == sa.bindparam("key"), _TABLE.c.at > sa.bindparam("since"))
)


# The same count inside another query (a live session's code lookup asks it with the session).
RECENT_COUNT = _RECENT.scalar_subquery()


def recent_attempts(session: Session, key: str, *, minutes: int) -> int:
    """How many rows `key` has in the last `minutes`: what every limiter counts."""
    since = utcnow() - timedelta(minutes=minutes)
    return session.connection().execute(_RECENT, {"key": key, "since": since}).scalar_one()


def delete_old_attempts(
    engine: Engine, *, now: datetime | None = None, keep: timedelta = KEEP_ATTEMPTS
) -> int:
    """Delete the rate-limit rows older than `keep` (WETHI_RETAIN_LOGIN_ATTEMPTS_HOURS), in
    short transactions; returns how many went."""
    cutoff = (now or utcnow()) - max(keep, LONGEST_WINDOW)
    deleted = 0
    while True:
        with Session(engine) as session:
            ids = session.exec(
                select(LoginAttempt.id).where(col(LoginAttempt.at) < cutoff).limit(BATCH)
            ).all()
            if not ids:
                return deleted
            session.execute(delete(LoginAttempt).where(col(LoginAttempt.id).in_(ids)))
            session.commit()
        deleted += len(ids)
        if len(ids) < BATCH:
            return deleted


async def sweep_old_attempts(
    engine: Engine, *, every: timedelta = ATTEMPT_SWEEP_EVERY, keep: timedelta = KEEP_ATTEMPTS
) -> None:
    """Delete old rate-limit rows when the server starts and every hour after (the app's
    lifespan runs this; it stops when cancelled)."""
    while True:
        try:
            await asyncio.to_thread(delete_old_attempts, engine, keep=keep)
        except Exception:  # a database hiccup must not end the sweeping
            log.exception("Deleting old rate-limit rows failed; trying again later.")
        await asyncio.sleep(every.total_seconds())
