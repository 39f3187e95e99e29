"""The live hub's PostgreSQL backend (DESIGN.md §3, WETHI_LIVE_BACKEND=postgres): several
workers or machines sharing one database serve every channel together.

A frame is stored and announced in one transaction: `pg_notify` is sent at the commit,
and the store's per-channel lock (forum.live.FrameStore.append) makes commit order the
numbering order, so each worker's listener hears a channel's numbers in order, none
before its frame can be read. The notification carries the publisher's origin, the
channel and the number, and the HTML when it fits (PostgreSQL's payloads stay under 8000
bytes): a small frame costs the listeners no query, a large one is read from the store by
the hub's flush, once per worker and window. A worker's own frames go straight to its hub
and their notifications are skipped: each frame is delivered once.

One listening connection per worker (psycopg's AsyncConnection, on the hub's loop). If it
drops (a restart, a failover, pg_terminate_backend, a dead network found by the periodic
check), it reconnects with backoff, listens again, and then has the hub catch every
channel it serves up from the store: the notifications sent meanwhile are lost, the
frames are not, and the numbers keep a subscriber from a gap or a repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets

import psycopg
import sqlalchemy as sa
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from forum.live import CHANNEL_NAME, Deliver, Resync

NOTIFY_CHANNEL = "wethi_live"
APPLICATION_NAME = "wethi-live"  # how the listening connections show in pg_stat_activity
INLINE_LIMIT = 7900  # payload bytes: PostgreSQL refuses 8000 and more
CHECK_EVERY = 30.0  # seconds without a notification before the connection is checked
CHECK_TIMEOUT = 10.0  # seconds the check (and connecting) may take before reconnecting
FIRST_RETRY, LAST_RETRY = 0.1, 5.0  # seconds: the backoff between reconnections
START_WAIT = 5.0  # seconds start() waits for the first LISTEN (then it goes on trying)

log = logging.getLogger(__name__)


def listener_conninfo(url: sa.URL) -> str:
    """libpq's connection string for the engine's database, named for pg_stat_activity,
    with TCP keepalives so a silently dead peer is noticed."""
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return make_conninfo(
        plain,
        application_name=APPLICATION_NAME,
        connect_timeout=int(CHECK_TIMEOUT),
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
    )


def payload(origin: str, channel: str, seq: int, html: str) -> str:
    """`origin channel seq`, then a newline and the HTML if the whole fits."""
    header = f"{origin} {channel} {seq}"
    inline = f"{header}\n{html}"
    return inline if len(inline.encode()) < INLINE_LIMIT else header


def parse(text: str) -> tuple[str, str, int, str | None] | None:
    """(origin, channel, seq, html or None); None for a payload this version did not send."""
    header, newline, html = text.partition("\n")
    parts = header.split(" ")
    if len(parts) != 3 or not (parts[2].isascii() and parts[2].isdigit()) or not CHANNEL_NAME.fullmatch(parts[1]):
        return None
    return parts[0], parts[1], int(parts[2]), (html if newline else None)


class PostgresBackend:
    """Frames reach the hub of every worker on the database through LISTEN/NOTIFY."""

    def __init__(self, url: sa.URL) -> None:
        self.conninfo = listener_conninfo(url)
        self.origin = secrets.token_hex(8)  # this hub: its own notifications are skipped
        self.connections = 0  # listening connections made so far (the tests watch it)
        self.pid: int | None = None  # the listening connection's server process
        self._deliver: Deliver | None = None
        self._resync: Resync | None = None
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    def attach(self, deliver: Deliver, resync: Resync) -> None:
        self._deliver, self._resync = deliver, resync

    def stored(self, connection: Connection, channel: str, seq: int, html: str) -> None:
        """In the storing transaction: the notification goes out with its commit."""
        notify = sa.func.pg_notify(NOTIFY_CHANNEL, payload(self.origin, channel, seq, html))
        connection.execute(sa.select(notify))

    def announce(self, channel: str, seq: int, html: str) -> None:
        if self._deliver is not None:  # our own frame: no wait for the round trip
            self._deliver(channel, seq, html)

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    async def start(self) -> None:
        """Listen from now on; a database that cannot be reached yet is retried in the
        background (the frames a page misses meanwhile come when it reconnects)."""
        self._listening = asyncio.Event()  # on this loop (a test may start it on another)
        self._task = asyncio.get_running_loop().create_task(self._listen())
        try:
            await asyncio.wait_for(self._listening.wait(), START_WAIT)
        except TimeoutError:
            log.warning("live updates: not listening to PostgreSQL yet, still trying")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._listening.clear()

    async def _listen(self) -> None:
        """Connect, LISTEN, catch up, hear; again after any failure, with backoff."""
        retry = FIRST_RETRY
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                async with connection:
                    await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.connections += 1
                    self.pid = connection.info.backend_pid
                    self._listening.set()
                    if self.connections > 1:
                        log.warning("live updates: listening to PostgreSQL again")
                    if self._resync is not None:  # LISTEN first: nothing falls in between
                        await self._resync()
                    retry = FIRST_RETRY
                    await self._hear(connection)
            except (psycopg.Error, SQLAlchemyError, OSError, TimeoutError) as error:
                self._listening.clear()
                log.warning("live updates: PostgreSQL listener lost (%s); retrying", error)
            except Exception:  # a bug must not end live updates for good
                self._listening.clear()
                log.exception("live updates: PostgreSQL listener failed; retrying")
            # Jittered: the workers of a machine do not all reconnect at the same instant.
            await asyncio.sleep(retry * random.uniform(0.5, 1.0))
            retry = min(retry * 2, LAST_RETRY)

    async def _hear(self, connection: psycopg.AsyncConnection) -> None:
        """Hand every notification to the hub; check the connection when all is quiet
        (a dead peer may otherwise never be noticed)."""
        while True:
            async for notify in connection.notifies(timeout=CHECK_EVERY):
                self._heard(notify.payload)
            await asyncio.wait_for(connection.execute("SELECT 1"), CHECK_TIMEOUT)

    def _heard(self, text: str) -> None:
        parsed = parse(text)
        if parsed is None:
            log.warning("live updates: ignored a notification: %.80r", text)
            return
        origin, channel, seq, html = parsed
        if origin != self.origin and self._deliver is not None:
            self._deliver(channel, seq, html)
