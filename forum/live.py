"""The real-time hub (DESIGN.md §3): HTML fragments pushed to the pages watching a channel.

A package's live.py renders the block its page shows and calls `hub.publish(channel,
html)` after the commit. Each frame is stored with a per-channel sequence number (table
`liveframe`), so a phone on a weak connection that reconnects with its last number gets
what it missed. Fan-out coalesces: a channel flushes at most once per window (~100 ms),
the frames of a window going out as one WebSocket message, composed once for everyone.

What is state rather than history (vote counts) is coalesced: `publish_state` stores one
frame per channel and window saying how things are at its end, so the store keeps minutes
of history, not seconds. A page further behind than the store reaches gets, where its
channel's kind offers one, a snapshot of the current state instead of a "please reload".
A frame whose text was hidden, corrected or erased is scrubbed from the store (`scrub`),
and a sweep started with the server prunes frames past KEEP_FOR on a schedule.

Channels are named `<kind>:<key>` ("meeting:12"); a package's manifest registers each
kind with who may listen (`register_channel`). How a stored frame reaches the hubs of
every worker is the backend's business (`Backend`, chosen by WETHI_LIVE_BACKEND):
in-process by default, PostgreSQL LISTEN/NOTIFY for several workers or machines
(forum/live_postgres.py). Only forum/routes/live.py knows sockets.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from jinja2_fragments import render_block
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from forum import attempts, i18n
from forum.config import POSTGRES_ONLY, ConfigError, Settings
from forum.db import utcnow
from forum.errors import NotFound, RateLimited
from forum.models import LiveFrame, LoginAttempt
from forum.policy import Actor
from forum.registry import Registry
from forum.web.templates import ENVIRONMENTS  # the pages' own templates render the frames

FLUSH_WINDOW = 0.1  # seconds: a channel sends at most one message per window
STATE_WINDOW = 0.25  # seconds: state (vote counts) goes out at most once per window
KEEP_FRAMES = 2000  # per channel: minutes of a busy session (ideas, and state ticks)
# Frames name people (PDPA): kept no longer than a reconnect needs. Further behind, a page
# gets its channel's snapshot (a live session) or is told to reload (the other pages).
KEEP_FOR = timedelta(hours=1)
PRUNE_EVERY = timedelta(minutes=5)  # the sweep of frames past KEEP_FOR (started with the server)
SNAPSHOT_BEYOND = 1000  # frames behind: a snapshot is smaller than the history
REPLAY_CHUNK = 100  # frames per message when catching up
POLL_FRAMES = 300  # frames per answer to a polling page (forum/routes/live.py)
SHARED_FOR = 5.0  # seconds a replay or snapshot is shared by the sockets asking for it
MAX_BEHIND = 100  # messages waiting for one slow socket before it is dropped (it then resumes)
# PostgreSQL: the advisory lock class under which a channel's next number is taken (the
# second key is the hash of the channel's name).
NUMBERING_LOCK = 0x7765_7468  # "weth"

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL_NAME = re.compile(r"([a-z][a-z0-9_]{0,30}):([A-Za-z0-9_-]{1,48})")

# -- who may listen ------------------------------------------------------------------

Authorize = Callable[[Session, Actor, str], None]
# A snapshot: (hub, session, key) -> the out-of-band fragments that bring a page of channel
# `prefix:key` to the channel's current state, whatever it missed (rendered once for all).
Snapshot = Callable[["Hub", Session, str], str]
TICKET_FOR = timedelta(hours=12)  # a page's pass to its channel (Hub.ticket): a day of forum


@dataclass(frozen=True)
class ChannelKind:
    authorize: Authorize
    ticketed: bool = False
    snapshot: Snapshot | None = None


CHANNELS: Registry[ChannelKind] = Registry("live channel kinds")


def register_channel(
    prefix: str,
    authorize: Authorize,
    *,
    ticketed: bool = False,
    snapshot: Snapshot | None = None,
) -> None:
    """`authorize(session, actor, key)` raises Forbidden / NotFound unless the actor may
    listen to channel `prefix:key` (it usually loads the thing through its service).
    `ticketed`: the pages hand a ticket (Hub.ticket) to whoever they show the channel's
    content without an account — a live session's joined participants — and a valid one
    lets in with no database visit (a hall reconnecting at once costs a few thousand
    HMACs); without one, `authorize` decides, and each refusal counts against the
    address as a guessed key. `snapshot`: what a page gets when the frames it missed are
    gone or too many (without one, the page is told to reload). Called by a manifest."""
    CHANNELS.add(prefix, ChannelKind(authorize, ticketed, snapshot))


GUESSES_PER_15_MIN = 100  # refused ticketed channels asked for from one address


def authorize(
    session: Session, actor: Actor, channel: str, *, client_ip: str | None = None
) -> None:
    """Raises NotFound (a malformed name, an unknown kind, or the kind's own answer) or
    Forbidden / NotLoggedIn. A ticketed channel's key is a capability (a live session's
    code): with `client_ip`, each refusal is counted against the address, and past
    GUESSES_PER_15_MIN the address is refused (RateLimited) — the same guessing limit as
    typing codes, so listening is no way around it. (A valid ticket never comes here:
    Hub.admits.)"""
    match = CHANNEL_NAME.fullmatch(channel)
    kind = CHANNELS.get(match.group(1)) if match else None
    if match is None or kind is None:
        raise NotFound()
    check = kind.authorize
    counted = client_ip is not None and kind.ticketed
    key = f"live-channel:{client_ip}"
    if counted and attempts.recent_attempts(session, key, minutes=15) >= GUESSES_PER_15_MIN:
        raise RateLimited(
            "Too many wrong codes were typed from this connection. Please wait 15 minutes and try again."
        )
    try:
        check(session, actor, match.group(2))
    except NotFound:
        if counted:
            session.add(LoginAttempt(key=key))
            session.commit()
        raise


def marker_id(channel: str) -> str:
    """The id of the element keeping a page's last sequence number (components/live.html:
    the number the page was rendered at, then each message's, kept by static/js/wethi.js)."""
    return "live-seq-" + channel.replace(":", "-")


# -- frames and messages -------------------------------------------------------------

Render = Callable[["Connection | None"], str]  # a frame read in its transaction (append)


@dataclass(frozen=True)
class Frame:
    seq: int
    html: str


@dataclass(frozen=True)
class Message:
    """What one WebSocket message carries: a comment with the newest sequence number the
    page has once it is applied (`<!--42-->`: a few bytes on every message, which a phone
    on mobile data pays 2,000 times over), then the frames' fragments (each an
    hx-swap-oob element). static/js/wethi.js keeps the number in the page's marker."""

    seq: int
    text: str


def compose(
    channel: str, frames: list[Frame], *, seq: int | None = None, gap: bool = False
) -> Message:
    """`gap` (`<!--42 gap-->`): frames the page needed are gone and the channel has no
    snapshot: the page says so and offers a reload."""
    last = frames[-1].seq if frames else (seq or 0)
    position = f"<!--{last}{' gap' if gap else ''}-->"
    return Message(last, position + "".join(frame.html for frame in frames))


class FrameStore:
    """The stored frames of every channel (table `liveframe`), shared by all workers."""

    def __init__(
        self, engine: Engine, *, keep: int = KEEP_FRAMES, keep_for: timedelta = KEEP_FOR
    ) -> None:
        self.engine = engine
        self.keep = keep
        self.keep_for = keep_for
        self.table: sa.Table = LiveFrame.__table__  # type: ignore[attr-defined]

    def append(
        self,
        channel: str,
        html: str | Render,
        *,
        scrub: Iterable[str] = (),
        before_commit: Callable[[Connection, int, str], None] | None = None,
    ) -> int:
        """Store a frame under the channel's next number. Two publishers computing the same
        number collide on the unique (channel, seq): the later one retries. On PostgreSQL
        they first queue on the channel's advisory lock, held until the commit, so numbers
        are also committed in order (a frame is never visible before the ones under it),
        which the LISTEN/NOTIFY backend relies on. Older frames past the window are pruned
        in the same transaction (never the newest, so the numbering continues). `scrub`:
        the earlier frames containing any of these strings go first, in the same
        transaction (a hidden or corrected text: see `scrub_frames`).
        `before_commit(connection, seq, html)` runs last in the transaction (the backend's
        NOTIFY: sent if and only if the frame is stored).

        `html` may be a Render: called with the transaction's connection once the channel's
        lock is held (PostgreSQL), it reads what the frame says — a vote count — in the
        order the frames are numbered, so across workers the last frame says the last
        count; on SQLite (one process: its caller keeps the order) it is called with None
        before the transaction."""
        table = self.table
        for attempt in range(20):
            now = utcnow()
            try:
                # Writing first: SQLite takes its write lock before reading the maximum.
                with self.engine.begin() as connection:
                    on_postgres = connection.dialect.name == "postgresql"
                    if on_postgres:
                        lock = sa.func.pg_advisory_xact_lock(
                            NUMBERING_LOCK, sa.func.hashtext(channel)
                        )
                        connection.execute(sa.select(lock))
                    text = (
                        html if isinstance(html, str) else html(connection if on_postgres else None)
                    )
                    if scrub:
                        scrub_frames(connection, channel, scrub)
                    next_seq = sa.select(
                        sa.literal(channel, table.c.channel.type),
                        sa.func.coalesce(sa.func.max(table.c.seq), 0) + 1,
                        sa.literal(text, table.c.html.type),
                        sa.literal(now, table.c.created_at.type),
                    ).where(table.c.channel == channel)
                    insert = (
                        table.insert()
                        .from_select(["channel", "seq", "html", "created_at"], next_seq)
                        .returning(table.c.seq)
                    )
                    seq = connection.execute(insert).scalar_one()
                    connection.execute(
                        table.delete().where(
                            table.c.channel == channel,
                            (table.c.seq <= seq - self.keep)
                            | (table.c.created_at < now - self.keep_for),
                        )
                    )
                    if before_commit is not None:
                        before_commit(connection, seq, text)
                return seq
            except IntegrityError:
                if attempt == 19:
                    raise
        raise AssertionError("unreachable")

    def after(self, channel: str, seq: int, *, until: int | None = None) -> list[Frame]:
        """The frames after `seq` that are still there (a pruned or scrubbed one is missing:
        see `complete`)."""
        table = self.table
        query = sa.select(table.c.seq, table.c.html).where(
            table.c.channel == channel, table.c.seq > seq, table.c.html != ""
        )
        if until is not None:
            query = query.where(table.c.seq <= until)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(table.c.seq)).all()
        return [Frame(row.seq, row.html) for row in rows]

    def latest(self, channel: str) -> int:
        table = self.table
        query = sa.select(sa.func.max(table.c.seq)).where(table.c.channel == channel)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar() or 0

    def latest_of(self, channels: list[str]) -> dict[str, int]:
        """The newest number of each channel (0 for one with no frame), in few queries."""
        table = self.table
        found = dict.fromkeys(channels, 0)
        with self.engine.connect() as connection:
            for start in range(0, len(channels), 500):
                query = (
                    sa.select(table.c.channel, sa.func.max(table.c.seq))
                    .where(table.c.channel.in_(channels[start : start + 500]))
                    .group_by(table.c.channel)
                )
                found.update({name: seq for name, seq in connection.execute(query)})
        return found

    def catch_up(self, channel: str, after: int | None) -> tuple[int, list[Frame]]:
        """(the channel's newest number, the frames after `after`) in one visit."""
        latest = self.latest(channel)
        return latest, (self.after(channel, after) if after is not None and after < latest else [])

    def prune(self, *, now: datetime | None = None) -> int:
        """The sweep: every channel's frames older than `keep_for` go, in one transaction
        (a closed session's too, which no new frame would ever prune). A channel's newest
        frame keeps its number, so the numbering continues, but loses its text. Returns how
        many frames went or were emptied."""
        table = self.table
        cutoff = (now or utcnow()) - self.keep_for
        has_newer = _has_newer(table)
        with self.engine.begin() as connection:
            deleted = connection.execute(
                table.delete().where(table.c.created_at < cutoff, has_newer)
            ).rowcount
            emptied = connection.execute(
                table.update()
                .where(table.c.created_at < cutoff, table.c.html != "")
                .values(html="")
            ).rowcount
        return (deleted or 0) + (emptied or 0)


def scrub_frames(
    connection: Connection | Session, channel: str | None, marks: Iterable[str]
) -> int:
    """Remove from the store every frame of `channel` (None: of every channel) containing
    one of `marks` (an idea's id in its text element, an erased person's name), in the
    caller's transaction: what was hidden, corrected or erased is then readable by no one
    through the socket or /live/poll. A channel's newest frame keeps its number and loses
    its text (the numbering continues). A page that still needed those frames gets the
    channel's snapshot (or is told to reload). Returns how many went or were emptied."""
    table: sa.Table = LiveFrame.__table__  # type: ignore[attr-defined]
    marks = [mark for mark in marks if mark]
    if not marks:
        return 0
    mentions = sa.or_(*(table.c.html.contains(mark, autoescape=True) for mark in marks))
    where = [mentions] if channel is None else [table.c.channel == channel, mentions]
    deleted = connection.execute(table.delete().where(*where, _has_newer(table))).rowcount
    emptied = connection.execute(
        table.update().where(*where, table.c.html != "").values(html="")
    ).rowcount
    return (deleted or 0) + (emptied or 0)


def _has_newer(table: sa.Table) -> Any:
    """A frame that is not its channel's newest (which keeps the channel's numbering)."""
    newer = table.alias("newer")
    return (
        sa.select(newer.c.id)
        .where(newer.c.channel == table.c.channel, newer.c.seq > table.c.seq)
        .exists()
    )


def complete(frames: list[Frame], after: int, latest: int) -> bool:
    """Whether `frames` are every frame after `after` up to `latest`, none missing."""
    if after > latest:
        return False  # the page knows numbers the store does not (a reset database)
    expected = after + 1
    for frame in frames:
        if frame.seq != expected:
            return False
        expected += 1
    return expected == latest + 1


async def prune_frames(store: FrameStore, *, every: timedelta = PRUNE_EVERY) -> None:
    """Prune the frames past KEEP_FOR when the server starts and every PRUNE_EVERY after
    (the app's lifespan runs it); a failed sweep is logged and tried again next time."""
    while True:
        try:
            removed = await asyncio.to_thread(store.prune)
            if removed:
                log.info("live frames: %d past their time removed", removed)
        except SQLAlchemyError:
            log.exception("live frames: the sweep failed")
        await asyncio.sleep(every.total_seconds())


# -- backends -------------------------------------------------------------------------

Deliver = Callable[[str, int, "str | None"], None]
Resync = Callable[[], Awaitable[None]]


class Backend(Protocol):
    """How a frame stored by one worker reaches the hub of every worker. `stored` runs in
    the publisher's thread inside the transaction that stores the frame, `announce` right
    after its commit; neither may wait for sockets. The backend then calls `deliver(channel,
    seq, html)` in every worker, from any thread (html None: the hub reads the frame from
    the store; a number delivered twice is sent once). If it may have missed frames (a
    lost connection), it awaits `resync()` on the hub's loop: the hub catches every
    channel it serves up from the store."""

    def attach(self, deliver: Deliver, resync: Resync) -> None: ...
    def stored(self, connection: Connection, channel: str, seq: int, html: str) -> None: ...
    def announce(self, channel: str, seq: int, html: str) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class InProcessBackend:
    """One worker (the default): a stored frame goes straight to this process's hub."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    def attach(self, deliver: Deliver, resync: Resync) -> None:
        self._deliver = deliver

    def stored(self, connection: Connection, channel: str, seq: int, html: str) -> None:
        return None

    def announce(self, channel: str, seq: int, html: str) -> None:
        if self._deliver is not None:
            self._deliver(channel, seq, html)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


# -- subscriptions --------------------------------------------------------------------


class SubscriberTooSlow(Exception):
    """The socket fell too far behind; it reconnects and catches up from the store."""


class HubClosed(Exception):
    """The server is shutting down; the page reconnects to the next one."""


@dataclass(frozen=True)
class _Batch:
    first: int
    last: int
    frames: list[Frame]
    message: Message


_TOO_SLOW = object()
_CLOSED = object()


class Subscription:
    """`async with hub.subscribe(channel, after=n) as s: async for message in s: …` —
    the stored frames after `n` first, then the live ones, in order, each once."""

    def __init__(self, hub: Hub, channel: str, after: int | None) -> None:
        self.hub = hub
        self.channel = channel
        self.position = after
        self._waiting: deque[Any] = deque()
        self._wake = asyncio.Event()
        self._dropped = False

    async def __aenter__(self) -> Subscription:
        self.hub._add(self)  # before reading the store: no frame falls between the two
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.hub._remove(self)

    def _offer(self, item: Any) -> None:
        """Fan-out (on the loop): never waits for the socket."""
        if self._dropped:
            return
        if item is not _CLOSED and len(self._waiting) >= MAX_BEHIND:
            self._waiting.clear()
            item = _TOO_SLOW
        self._dropped = item is _TOO_SLOW or item is _CLOSED
        self._waiting.append(item)
        self._wake.set()

    async def _next(self) -> Any:
        while not self._waiting:
            self._wake.clear()
            await self._wake.wait()
        return self._waiting.popleft()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[Message]:
        store = self.hub.store
        latest, frames = await self.hub.replay(self.channel, self.position)
        position = self.position if self.position is not None else latest
        gap = self.position is not None and not complete(frames, position, latest)
        snapshot = None
        if gap or len(frames) > SNAPSHOT_BEYOND:  # far behind: the state, not the history
            snapshot = await self.hub.snapshot(self.channel)
        if snapshot is not None:
            yield snapshot
            position, gap = snapshot.seq, False
            frames = [frame for frame in frames if frame.seq > position]
        else:
            position = min(position, latest)
        if not frames and snapshot is None:  # the page learns its number, whatever comes next
            yield compose(self.channel, [], seq=position, gap=gap)
        for start in range(0, len(frames), REPLAY_CHUNK):
            chunk = frames[start : start + REPLAY_CHUNK]
            yield compose(self.channel, chunk, gap=gap and start == 0)
            position = chunk[-1].seq
        self.position = position
        while True:
            batch = await self._next()
            if batch is _CLOSED:
                raise HubClosed()
            if batch is _TOO_SLOW:
                raise SubscriberTooSlow()
            if batch.last <= position:
                continue  # already sent while catching up
            if batch.first == position + 1:
                message = batch.message  # the common case: composed once for everyone
            else:
                newer = [frame for frame in batch.frames if frame.seq > position]
                if batch.first > position + 1:
                    newer = (
                        await asyncio.to_thread(
                            store.after, self.channel, position, until=batch.first - 1
                        )
                        + newer
                    )
                message = compose(self.channel, newer)
            position = self.position = batch.last
            yield message


StateRender = Callable[[Connection, frozenset[Any]], str]


@dataclass
class _State:
    """State waiting for its frame (Hub.publish_state)."""

    keys: set[Any]
    render: StateRender


@dataclass
class _Channel:
    """A channel with subscribers in this process (loop side)."""

    name: str
    subscribers: set[Subscription] = field(default_factory=set)
    pending: dict[int, str | None] = field(default_factory=dict)
    flushed: int | None = None
    timer: asyncio.TimerHandle | None = None
    flushing: bool = False


# -- the hub --------------------------------------------------------------------------


class Hub:
    def __init__(
        self,
        store: FrameStore,
        backend: Backend | None = None,
        *,
        locale: str = "th",
        window: float = FLUSH_WINDOW,
        secret: str | None = None,
    ) -> None:
        """`secret`: the site's secret key (WETHI_SECRET_KEY): the tickets one worker signs
        are valid in every other (without it, in this hub only)."""
        self.store = store
        self.backend = backend or InProcessBackend()
        self.backend.attach(self._deliver, self._resync)
        self.locale = locale  # frames are rendered once, in the site's language
        self.window = window
        self._loop: asyncio.AbstractEventLoop | None = None
        self._channels: dict[str, _Channel] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._latest: dict[str, int] = {}
        self._latest_lock = threading.Lock()
        self._secret = (secret or secrets.token_hex(32)).encode()
        self._store_failed = False
        self._replays: dict[tuple[Any, ...], tuple[float, asyncio.Future]] = {}
        self._states: dict[tuple[str, str], _State] = {}
        self._states_lock = threading.Lock()  # the pending state (any thread)
        self._state_flushing = threading.Lock()  # one state frame read and stored at a time
        self.state_window = STATE_WINDOW

    # -- tickets --

    def ticket(self, channel: str, holder: str) -> str:
        """A pass to listen to a ticketed `channel` for TICKET_FOR, signed for `holder` (a
        live session's participant): `holder.expires.signature`, checked in memory."""
        expires = int(time.time() + TICKET_FOR.total_seconds())
        return f"{holder}.{expires}.{self._signature(channel, holder, expires)}"

    def admits(self, channel: str, ticket: str | None) -> bool:
        """Whether `ticket` is a valid, unexpired pass to this ticketed channel."""
        kind = CHANNELS.get(channel.partition(":")[0])
        if kind is None or not kind.ticketed or not ticket or len(ticket) > 200:
            return False
        holder, _, rest = ticket.partition(".")
        expires, _, signature = rest.partition(".")
        if not holder or not (expires.isascii() and expires.isdigit()) or int(expires) < time.time():
            return False
        return hmac.compare_digest(signature, self._signature(channel, holder, int(expires)))

    def _signature(self, channel: str, holder: str, expires: int) -> str:
        message = f"live-ticket\n{channel}\n{holder}\n{expires}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    # -- the publishing side (any thread) --

    def publish(self, channel: str, html: str | Render, *, scrub: Iterable[str] = ()) -> int:
        """Store a frame and hand it to the backend; returns its sequence number. Call it
        after the commit of the change it shows. Thread-safe; never waits for sockets.
        `html`: the frame, or a Render that reads what it shows in numbering order
        (FrameStore.append). `scrub`: the earlier frames containing any of these strings
        are removed first, in the same transaction (scrub_frames)."""
        if not CHANNEL_NAME.fullmatch(channel):
            raise ValueError(f"not a live channel name: {channel!r}")
        stored: list[str] = []

        def in_transaction(connection: Connection, seq: int, text: str) -> None:
            stored.append(text)
            self.backend.stored(connection, channel, seq, text)

        seq = self.store.append(channel, html, scrub=scrub, before_commit=in_transaction)
        self.backend.announce(channel, seq, stored[-1])
        return seq

    def publish_state(
        self, channel: str, part: str, keys: Iterable[Any], render: StateRender
    ) -> None:
        """State, not history (vote counts): the `keys` that changed within STATE_WINDOW go
        out as one frame saying how they are at its end — `render(connection, keys)` reads
        them as the frame is numbered (FrameStore.append), so whichever worker wrote last,
        the last frame says the last state. Fifty votes a second then make four frames, not
        fifty. `part` names the kind of state within the channel ("votes"). Thread-safe;
        returns at once. Without a running server loop (a script, a test) it is stored now.
        A failure is logged: the change itself is saved."""
        if not CHANNEL_NAME.fullmatch(channel):
            raise ValueError(f"not a live channel name: {channel!r}")
        with self._states_lock:
            pending = self._states.get((channel, part))
            if pending is not None:
                pending.keys.update(keys)
                pending.render = render
                return
            self._states[(channel, part)] = _State(set(keys), render)
        loop = self._loop
        try:
            if loop is None or not loop.is_running():
                raise RuntimeError("no loop")
            loop.call_soon_threadsafe(self._state_later, channel, part)
        except RuntimeError:  # no server running (or it has stopped): now, in this thread
            self.flush_state(channel, part)

    def _state_later(self, channel: str, part: str) -> None:
        assert self._loop is not None
        self._loop.call_later(self.state_window, self._start_state_flush, channel, part)

    def _start_state_flush(self, channel: str, part: str) -> None:
        task = asyncio.get_running_loop().create_task(
            asyncio.to_thread(self.flush_state, channel, part)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def flush_state(self, channel: str, part: str) -> int | None:
        """Store the pending state of (channel, part) as one frame; its number, or None
        (nothing pending, or it could not be stored: logged)."""
        with self._state_flushing:
            with self._states_lock:
                pending = self._states.pop((channel, part), None)
            if pending is None:
                return None
            keys = frozenset(pending.keys)

            def frame(connection: Connection | None) -> str:
                if connection is not None:  # PostgreSQL: under the channel's lock
                    return pending.render(connection, keys)
                with self.store.engine.connect() as reading:  # SQLite: just before
                    return pending.render(reading, keys)

            try:
                return self.publish(channel, frame)
            except SQLAlchemyError:
                log.exception("could not publish the %s of %s", part, channel)
                return None

    def flush_states(self) -> None:
        """Store every pending state now (the server is stopping)."""
        with self._states_lock:
            waiting = list(self._states)
        for channel, part in waiting:
            self.flush_state(channel, part)

    async def replay(self, channel: str, after: int | None) -> tuple[int, list[Frame]]:
        """(the channel's newest number, the frames after `after`), as FrameStore.catch_up,
        shared: sockets asking the same question at the same moment (a hall reconnecting
        after the network came back, each after the number it had) wait for one read of
        the store. A read is kept only while the channel's newest number stays the same."""
        known = self.position(channel) if after is not None else None
        return await self._shared(
            ("replay", channel, after, known),
            lambda: self.store.catch_up(channel, after),
            keep=known is not None,
        )

    async def snapshot(self, channel: str) -> Message | None:
        """The channel's snapshot (take_snapshot), shared like replays: a hall back after
        an outage of several minutes costs one."""
        kind = CHANNELS.get(channel.split(":", 1)[0])
        if kind is None or kind.snapshot is None:
            return None
        known = self.position(channel)
        return await self._shared(
            ("snapshot", channel, known), lambda: self.take_snapshot(channel), keep=True
        )

    async def _shared(self, key: tuple[Any, ...], read: Callable[[], T], *, keep: bool) -> T:
        """`read()` on a worker thread, its answer shared by whoever asks under `key` within
        SHARED_FOR seconds (never longer: a scrubbed text leaves these copies soon too)."""
        now = time.monotonic()
        entry = self._replays.get(key)
        found = entry[1] if entry is not None and now - entry[0] < SHARED_FOR else None
        if found is not None and found.get_loop() is not asyncio.get_running_loop():
            found = None  # made on another event loop (a server restarted in-process)
        if found is None or (found.done() and found.exception() is not None):
            found = asyncio.ensure_future(asyncio.to_thread(read))
            if keep:
                if len(self._replays) > 200:
                    self._replays.clear()
                self._replays[key] = (now, found)
        return await asyncio.shield(found)

    def take_snapshot(self, channel: str) -> Message | None:
        """The message that brings a page of `channel` to its current state, for a page the
        frames cannot bring there (gone, or too many); None when the channel's kind has no
        snapshot. Its number is read before its data: a frame stored meanwhile comes after
        it (shown twice at worst, never missed)."""
        prefix, _, key = channel.partition(":")
        kind = CHANNELS.get(prefix)
        if kind is None or kind.snapshot is None:
            return None
        seq = self.store.latest(channel)
        with Session(self.store.engine) as session:
            html = kind.snapshot(self, session, key)
        self._remember(channel, seq)
        return compose(channel, [Frame(seq, html)])

    def catch_up_message(self, channel: str, after: int) -> Message:
        """What a polling page gets: the frames after `after`, up to POLL_FRAMES of them
        (it asks again for the rest); the channel's snapshot when they are gone or too
        many, else the frames marked with a gap."""
        latest, frames = self.store.catch_up(channel, after)
        whole = complete(frames, after, latest)
        if not whole or len(frames) > SNAPSHOT_BEYOND:
            snapshot = self.take_snapshot(channel)
            if snapshot is not None:
                return snapshot
        return compose(channel, frames[:POLL_FRAMES], seq=min(after, latest), gap=not whole)

    def position_and(self, channel: str, read: Callable[[], T]) -> tuple[int | None, T]:
        """A page's live position on `channel`, then its data (`read()`), in that order: a
        frame committed while the page renders is after the position, so the page's socket
        replays it. The only way the pages read their position with their data."""
        position = self.position(channel)
        return position, read()

    def position(self, channel: str) -> int | None:
        """The channel's newest sequence number, for a page to subscribe after (read it
        before the page's data: a frame sent in between is then replayed, never lost).
        Kept in memory: a page view costs no query once the channel is known. None when
        the store cannot answer: the page then follows from the moment it connects."""
        with self._latest_lock:
            known = self._latest.get(channel)
        if known is not None:
            return known
        try:
            stored = self.store.latest(channel)
        except SQLAlchemyError:  # a page must not fail for its live part
            if not self._store_failed:  # once: the page's own queries report the rest
                self._store_failed = True
                log.exception("live channel %s: newest number unknown", channel)
            return None
        self._remember(channel, stored)
        return stored

    def _remember(self, channel: str, seq: int) -> None:
        with self._latest_lock:
            if len(self._latest) > 10_000:
                self._latest.clear()  # forgotten numbers are read again from the store
            self._latest[channel] = max(seq, self._latest.get(channel, 0))

    def _deliver(self, channel: str, seq: int, html: str | None) -> None:
        """The backend's callback, from any thread."""
        self._remember(channel, seq)
        loop = self._loop
        if loop is None or channel not in self._channels:
            return  # nobody listens here: the frame waits in the store
        with contextlib.suppress(RuntimeError):  # the loop has closed: shutting down
            loop.call_soon_threadsafe(self._on_frame, channel, seq, html)

    async def _resync(self) -> None:
        """The backend's other callback (on the loop), when announcements may have been
        lost: the remembered numbers may be behind (forgotten, read again when asked), and
        each channel served here is caught up from the store through the usual path (the
        flush reads the frames it was not given; a subscriber fills its own gap)."""
        with self._latest_lock:
            self._latest.clear()
        newest = await asyncio.to_thread(self.store.latest_of, list(self._channels))
        for name, latest in newest.items():
            self._remember(name, latest)
            if latest:
                self._on_frame(name, latest, None)

    # -- the listening side (on the event loop) --

    def subscribe(self, channel: str, *, after: int | None = None) -> Subscription:
        """`after`: the last number the page has (None: from now on)."""
        return Subscription(self, channel, after)

    def _add(self, subscription: Subscription) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop and not self._channels:
            self._loop = loop
        state = self._channels.setdefault(subscription.channel, _Channel(subscription.channel))
        state.subscribers.add(subscription)

    def _remove(self, subscription: Subscription) -> None:
        state = self._channels.get(subscription.channel)
        if state is None:
            return
        state.subscribers.discard(subscription)
        if not state.subscribers:
            if state.timer is not None:
                state.timer.cancel()
            del self._channels[subscription.channel]

    def _on_frame(self, channel: str, seq: int, html: str | None) -> None:
        state = self._channels.get(channel)
        if state is None or (state.flushed is not None and seq <= state.flushed):
            return
        state.pending[seq] = html
        self._schedule(state)

    def _schedule(self, state: _Channel) -> None:
        if state.timer is None and not state.flushing and self._loop is not None:
            state.timer = self._loop.call_later(self.window, self._start_flush, state)

    def _start_flush(self, state: _Channel) -> None:
        state.timer = None
        state.flushing = True
        task = asyncio.get_running_loop().create_task(self._flush(state))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush(self, state: _Channel) -> None:
        """Send the window's frames as one message to every subscriber of the channel."""
        try:
            pending, state.pending = state.pending, {}
            if not pending:
                return
            first = min(pending) if state.flushed is None else state.flushed + 1
            last = max(pending)
            known = {seq: html for seq, html in pending.items() if html is not None}
            if len(known) < last - first + 1:  # from another worker, or announced out of order
                for frame in await asyncio.to_thread(
                    self.store.after, state.name, first - 1, until=last
                ):
                    known.setdefault(frame.seq, frame.html)
            frames = [Frame(seq, known[seq]) for seq in range(first, last + 1) if seq in known]
            batch = _Batch(first, last, frames, compose(state.name, frames))
            state.flushed = last
            for subscription in list(state.subscribers):
                subscription._offer(batch)
        finally:
            state.flushing = False
            if state.pending and self._channels.get(state.name) is state:
                self._schedule(state)

    # -- life cycle --

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.backend.start()

    async def close(self) -> None:
        """Tell every socket to reconnect (to the next server) and stop the backend."""
        for state in list(self._channels.values()):
            if state.timer is not None:
                state.timer.cancel()
            for subscription in list(state.subscribers):
                subscription._offer(_CLOSED)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.to_thread(self.flush_states)  # the last counts are not lost
        await self.backend.stop()


# -- what a package's live module calls ----------------------------------------------------


def render_shared(hub: Hub, template: str, block: str, /, **context: Any) -> str:
    """A block of a page's own template rendered once for everyone on a channel, in the
    site's language: it must hold nothing that differs per reader (no CSRF token, no "you
    voted"; htmx sends the page's token in a header)."""
    token = i18n.current_locale.set(hub.locale)
    try:
        return render_block(ENVIRONMENTS[hub.locale], template, block, **context)
    finally:
        i18n.current_locale.reset(token)


def publish_safely(hub: Hub, channel: str, frame: str | Render) -> int | None:
    """Publish a frame after the commit of the change it shows. Returns its number; None
    if it could not be stored: live updates are a convenience and never fail the saved
    change (pages show it on their next load)."""
    try:
        return hub.publish(channel, frame)
    except SQLAlchemyError:
        log.exception("could not publish on %s", channel)
        return None


def make_hub(settings: Settings, engine: Engine) -> Hub:
    """The hub with the backend the settings choose (WETHI_LIVE_BACKEND): `memory`, or
    `postgres` (refused on SQLite), or `auto` (postgres on a PostgreSQL database)."""
    on_postgres = engine.dialect.name == "postgresql"
    kind = settings.live_backend
    if kind == "auto":
        kind = "postgres" if on_postgres else "memory"
    if kind == "postgres" and not on_postgres:
        raise ConfigError(POSTGRES_ONLY)
    backend: Backend = InProcessBackend()
    if kind == "postgres":
        from forum.live_postgres import PostgresBackend  # psycopg only when asked for

        backend = PostgresBackend(engine.url)
    store = FrameStore(engine, keep_for=timedelta(hours=settings.retain_live_frames_hours))
    return Hub(store, backend, locale=settings.default_locale, secret=settings.secret_key)


def get_hub(app: Any) -> Hub:
    """The application's hub (made by forum.app.create_app)."""
    return app.state.hub


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The app's lifespan: the hub starts with the server and closes its sockets cleanly."""
    hub = get_hub(app)
    await hub.start()
    pruning = asyncio.create_task(prune_frames(hub.store))
    try:
        yield
    finally:
        pruning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruning
        await hub.close()
