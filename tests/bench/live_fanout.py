"""Live fan-out benchmark (issues 4 and 11): thousands of phones in one live session.

    python tests/bench/live_fanout.py [--quick] [--no-postgres] [--no-steps]

Builds a database in a temporary data directory with one live session and starts `wethi
serve` (one worker, SQLite, 127.0.0.1). Then, as a hall does:

- 2,000 phones join over HTTP from this one address (the venue's Wi-Fi), with the
  browser's Origin, 64 at a time: the page, then the join form (nickname, consent) as the
  page sends it (htmx), answered with the joined page. Figures: joins per second, each
  join's p50 and p99, how many got in.
- Each phone's socket connects to its own page's live address — the channel, its
  participant's ticket, the number it starts after — from separate processes
  (tests/bench/_live_clients.py, with the Origin header).
- For 30 s the phones submit ideas at 10 per second and upvotes at 50 per second (htmx
  requests with the CSRF header), on an open-loop schedule. Figures: the delay from each
  idea's acknowledgement to its arrival at every client (p50, p99, never arrived);
  messages, bytes per phone and frames per second; the server's CPU and largest RSS.
- The reconnect storm: every socket cut at once, the network gone for 10 s while ideas
  and votes go on, then every client back at once after the last number it had: the
  time until every one is back with everything it missed, and the failures.
- The same audience at the bandwidth goal's rates (5 ideas/s of 60-character Thai text,
  50 votes/s): bytes per phone per second, p99, CPU, RSS.
- The same clients and submits against a bare broadcast endpoint on the same stack
  (tests/bench/_bare_broadcast.py: no database, no templates), in the same run.
- Stepping the audience up from 2,000 by 1,000 (10 s a step) until p99 passes 1 s (beyond
  the 2,000 joined phones, a phone's page open twice: the same ticket again).
- A phone ten minutes behind in a busy session (6,000 ideas, 8,400 frames in, the earlier
  ones pruned): the snapshot it gets, its size and time, by polling and by its socket.
- The goal's rates once more on a second server with per-message compression the other
  way round from the default (WETHI_WS_COMPRESSION): bytes, CPU and RSS both ways.
Clients offer per-message compression as browsers do; bytes are counted on the wire.
- The 2,000-phone run with 2 workers on a throwaway PostgreSQL (LISTEN/NOTIFY between them).

The last line printed is one JSON object: {"bench": "live_fanout", "results": [{"name",
"value", "unit", "baseline", "ratio", "goal", "met"}, ...], "details": {...}, "env": {...}}.
Every process it starts is stopped by its PID, also on an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import contextlib
import html
from dataclasses import dataclass

import httpx  # noqa: E402
import psutil  # noqa: E402
from _common import (  # noqa: E402
    BENCH_DIR,
    ROOT,
    free_port,
    fresh_data_dir,
    install_packages,
    log,
    processes,
    wait_until_serving,
)

IDEAS_PER_SECOND = 10
VOTES_PER_SECOND = 50
GOAL_RATES = (5, 50)  # the bandwidth goal's ideas and votes per second (issue 11, part 6)

def _default_compression() -> bool:
    from forum.config import Settings

    return bool(Settings.model_fields["ws_compression"].default)


DEFAULT_COMPRESSION = _default_compression()  # WETHI_WS_COMPRESSION's default
CLIENTS_PER_PROCESS = 1000
JOIN_CONCURRENCY = 64  # phones joining at the same moment
OUTAGE_SECONDS = 10.0  # the reconnect storm: the whole hall's network gone this long
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
WS_CONNECT = re.compile(r'ws-connect="([^"]+)"')
# An idea as phones write them: 60 characters of Thai (a hall's own ideas, each different:
# what a compressed socket gains is then what it would gain in a real hall), the
# benchmark's token at the end.
IDEA_TEXT = "ติดตั้งโซลาร์เซลล์บนหลังคาโรงเรียนและวัดในตำบลของเราทุกแห่ง BENCH{token}X"


def idea_text(token: int) -> str:
    from tests.unit.deliberation.sessions.energy_ideas import BY_SUBJECT

    ideas = [text for texts in BY_SUBJECT.values() for text in texts]
    text = ideas[token % len(ideas)]
    while len(text) < 60:
        text += " " + ideas[(token * 7 + len(text)) % len(ideas)]
    return f"{text[:60]} BENCH{token}X"
TLS = ssl.create_default_context()  # made once: httpx would make one per client (~30 ms each)


# -- data -----------------------------------------------------------------------------


def prepare_database() -> str:
    """Migrate, load reference data, and open one live session; returns its code."""
    install_packages()
    from datetime import timedelta

    from _common import bench_people
    from sqlmodel import Session

    from deliberation.sessions.models import LiveSession
    from forum import db
    from forum.config import load_settings
    from forum.models import Body, BodyKind, Meeting, MeetingStatus

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        (facilitator,) = bench_people(session, 1)
        body = Body(kind=BodyKind.committee, name="คณะกรรมการพัฒนาพลังงานและสิ่งแวดล้อมชุมชน")
        session.add(body)
        session.flush()
        now = db.utcnow()
        meeting = Meeting(
            body_id=body.id,
            year_be=2569,
            number=1,
            title="สัมมนาระดับชาติ เครือข่ายพลังงานชุมชน",
            starts_at=now,
            ends_at=now + timedelta(hours=4),
            venue="ศูนย์ประชุมแห่งชาติสิริกิติ์ กรุงเทพมหานคร",
            status=MeetingStatus.live,
            checkin_code="731902",
        )
        session.add(meeting)
        session.flush()
        code = f"{secrets.randbelow(900_000) + 100_000}"
        session.add(
            LiveSession(
                meeting_id=meeting.id,
                prompt="ชุมชนของท่านอยากเห็นโครงการพลังงานแบบใดในปีหน้า",
                code=code,
                created_by=facilitator.id,
            )
        )
        session.commit()
    engine.dispose()
    return code


BIG_SESSION_IDEAS = 6_000  # ten minutes at 10 ideas a second
BIG_SESSION_FRAMES = 8_400  # and of frames (ideas, vote ticks): those before are pruned


def prepare_big_session() -> str:
    """A second session, ten minutes into a busy forum: 6,000 ideas from 300 participants
    with their votes, and its channel numbered 8,400 frames in, the earlier ones pruned.
    Returns its code. (Made after the main runs: their votes pick ideas by number.)"""
    import hashlib

    from sqlmodel import Session, select

    from deliberation.sessions.models import LiveIdea, LiveParticipant, LiveSession
    from forum import db
    from forum.config import load_settings
    from forum.models import LiveFrame

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        main = session.exec(select(LiveSession)).first()
        code = f"{secrets.randbelow(900_000) + 100_000}"
        big = LiveSession(
            meeting_id=main.meeting_id, prompt=main.prompt, code=code, created_by=main.created_by
        )
        session.add(big)
        session.flush()
        now = db.utcnow()
        people = [
            LiveParticipant(
                session_id=big.id,
                nickname=f"ผู้ร่วมเวที {n}",
                token_hash=hashlib.sha256(f"big-{n}-{code}".encode()).hexdigest(),
                consent_at=now,
            )
            for n in range(300)
        ]
        session.add_all(people)
        session.flush()
        session.add_all(
            LiveIdea(
                session_id=big.id,
                participant_id=people[n % 300].id,
                text=IDEA_TEXT.replace("{token}", f"9{n:06d}"),
                votes=random.randint(0, 40),
                idempotency_key=f"big-{n:08d}",
            )
            for n in range(BIG_SESSION_IDEAS)
        )
        session.add(LiveFrame(channel=f"session:{code}", seq=BIG_SESSION_FRAMES, html=""))
        session.commit()
    engine.dispose()
    return code


# -- servers --------------------------------------------------------------------------


def wethi_command(port: int, workers: int = 1) -> list[str]:
    return [sys.executable, "-c", "from forum.cli import main; main()", "serve",
            "--port", str(port), "--workers", str(workers)]  # fmt: skip


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "_bare_broadcast:app", "--app-dir", str(BENCH_DIR),
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-server-header", "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
            "--backlog", "4096"]  # fmt: skip


class Usage:
    """The server's CPU time (with its worker processes) and its largest RSS over a run."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _cpu(self) -> float:
        total = 0.0
        for process in self._tree():
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            rss = 0
            for process in self._tree():
                with contextlib.suppress(psutil.NoSuchProcess):
                    rss += process.memory_info().rss
            self.peak_rss = max(self.peak_rss, rss)

    def __enter__(self) -> Usage:
        self.started, self.cpu_before = time.monotonic(), self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.monotonic() - self.started
        self.cpu_seconds = self._cpu() - self.cpu_before
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict:
        return {
            "server_cpu_percent_of_one_core": round(100 * self.cpu_seconds / self.seconds, 1),
            "server_peak_rss_mb": round(self.peak_rss / 2**20, 1),
        }


# -- the audience ---------------------------------------------------------------------


class Audience:
    """WebSocket clients on the channel, in processes of CLIENTS_PER_PROCESS: `urls`, one
    per client (each a joined participant's address, with its ticket), or `count` clients
    on one address (the bare baseline)."""

    def __init__(
        self, running, urls: list[str], origin: str | None = None, deflate: bool = False
    ) -> None:
        self.processes = []
        self.files: list[Path] = []
        for start in range(0, len(urls), CLIENTS_PER_PROCESS):
            listed = Path(tempfile.mkstemp(prefix="wethi-bench-urls-", suffix=".txt")[1])
            listed.write_text("\n".join(urls[start : start + CLIENTS_PER_PROCESS]) + "\n")
            self.files.append(listed)
            command = [sys.executable, str(BENCH_DIR / "_live_clients.py"), "--urls", str(listed)]
            if origin:
                command += ["--origin", origin]
            if deflate:
                command += ["--deflate"]
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
            )
            running.started.append(("clients", process))
            self.processes.append(process)
        self.connected = self.failed = 0
        for process in self.processes:
            _ready, connected, failed = self._line(process, 180).split()
            self.connected += int(connected)
            self.failed += int(failed)

    def received_bytes(self) -> int:
        return sum(int(words[1]) for words in self.command("bytes"))

    @staticmethod
    def _line(process: subprocess.Popen, timeout: float) -> str:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(process.stdout.readline()))
        reader.start()
        reader.join(timeout)
        if not found or not found[0]:
            raise RuntimeError("a client process did not answer")
        return found[0].strip()

    def command(self, word: str) -> list[list[str]]:
        """Send a command to every client process; their answers, split into words."""
        for process in self.processes:
            process.stdin.write(f"{word}\n")
            process.stdin.flush()
        return [self._line(process, 60).split() for process in self.processes]

    def report(self, acks: dict[int, float], storm_tokens=(), storm_at=None) -> dict:
        order = json.dumps({"acks": acks, "storm_tokens": list(storm_tokens), "storm_at": storm_at})
        for process in self.processes:
            process.stdin.write(f"report {order}\n")
            process.stdin.flush()
        reports = [json.loads(self._line(process, 120)) for process in self.processes]
        for process in self.processes:
            process.wait(timeout=30)
        for listed in self.files:
            listed.unlink(missing_ok=True)
        histogram: dict[int, int] = {}
        for report in reports:
            for bucket, count in report["histogram"].items():
                histogram[int(bucket)] = histogram.get(int(bucket), 0) + count
        return {
            "connected": sum(r["connected"] for r in reports),
            "failed": sum(r["failed"] for r in reports),
            "messages": sum(r["messages"] for r in reports),
            "bytes": sum(r["bytes"] for r in reports),
            "missing": sum(r["missing"] for r in reports),
            "histogram": histogram,
            "storm_done": [d for r in reports for d in r["storm_done"]],
            "storm_reconnected": [d for r in reports for d in r["storm_reconnected"]],
            "slowest_tokens": sorted(
                (t for r in reports for t in r["slowest_tokens"]), reverse=True
            )[:8],
        }


def percentile(histogram: dict[int, int], share: float) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = math.ceil(total * share), 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return float(bucket)
    return float(max(histogram))


# -- the submits ----------------------------------------------------------------------


@dataclass
class Device:
    """A joined phone: its cookies as its browser sends them, its CSRF token, and its
    page's live address (the channel, its participant's ticket, the number it is at)."""

    cookie: str = ""
    token: str = ""
    address: str = ""


class Phones:
    """The hall's phones over HTTP, all from this one address (the venue's Wi-Fi), with
    the browser's Origin: they join (`join`), then send ideas and votes as htmx does (the
    CSRF header, the device's cookies). Against the bare endpoint: plain requests."""

    def __init__(self, base: str, code: str | None) -> None:
        self.base, self.code = base, code
        self.devices: list[Device] = []
        self.client: httpx.AsyncClient | None = None

    def _client(self, connections: int) -> httpx.AsyncClient:
        """An HTTP client many phones share, each sending its own cookies: its jar keeps
        nothing (a phone's cookies never go out with another's requests)."""
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        client = httpx.AsyncClient(
            base_url=self.base, limits=limits, timeout=60, verify=TLS, headers={"Origin": self.base}
        )

        async def forget(_response: httpx.Response) -> None:
            client.cookies.clear()

        client.event_hooks["response"] = [forget]
        return client

    async def join(self, count: int, concurrency: int = JOIN_CONCURRENCY) -> dict:
        """`count` phones join at once, as a hall scanning the QR code on the screen:
        `concurrency` at a time, each opening the page (its CSRF token) and sending the join
        form (a nickname, the consent) as the page does (htmx), which answers with the
        joined page (its live address). Returns the figures: joins per second, each join's
        p50 and p99."""
        numbers = iter(range(len(self.devices), len(self.devices) + count))
        joined: list[Device] = []
        took: list[float] = []
        errors: list[str] = []

        async def phone() -> None:
            async with self._client(1) as client:  # a phone at a time: its own connection
                await joining(client)

        async def joining(client: httpx.AsyncClient) -> None:
            for number in numbers:
                started = time.perf_counter()
                try:
                    device = await self._join_one(client, number)
                except (httpx.HTTPError, RuntimeError) as error:
                    errors.append(repr(error)[:200])
                    continue
                took.append(time.perf_counter() - started)
                joined.append(device)

        started = time.perf_counter()
        await asyncio.gather(*(phone() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        self.devices += joined
        took.sort()
        return {
            "joined": len(joined),
            "errors": len(errors),
            "error_kinds": sorted(set(errors))[:3],
            "seconds": round(seconds, 2),
            "joins_per_second": round(len(joined) / seconds, 1) if seconds else None,
            "join_p50_ms": round(took[len(took) // 2] * 1000, 1) if took else None,
            "join_p99_ms": round(took[min(len(took) - 1, int(len(took) * 0.99))] * 1000, 1)
            if took
            else None,
            "concurrency": concurrency,
            "from_one_address": True,
            "origin_sent": True,
        }

    async def _join_one(self, client: httpx.AsyncClient, number: int) -> Device:
        cookies: dict[str, str] = {}

        def header() -> dict[str, str]:
            return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}

        page = await client.get(f"/s/{self.code}", headers=header())
        cookies.update(page.cookies)
        token = CSRF_FIELD.search(page.text).group(1)
        form = {"nickname": f"ผู้ร่วมเวที {number}", "consent": "1", "csrf_token": token}
        # As the page's form sends it (htmx): the joined page comes back at once.
        headers = header() | {"HX-Request": "true", "HX-Current-URL": f"{self.base}/s/{self.code}"}
        page = await client.post(f"/s/{self.code}/join", data=form, headers=headers)
        if page.status_code != 200:
            text = re.sub(r"<[^>]+>", " ", page.text)[-400:]
            raise RuntimeError(f"joining failed: {page.status_code} {text}")
        cookies.update(page.cookies)
        connect = WS_CONNECT.search(page.text)
        if page.status_code != 200 or connect is None:
            raise RuntimeError(f"the joined page has no live address: {page.status_code}")
        ws_base = self.base.replace("http", "ws", 1)
        return Device(
            cookie=header().get("Cookie", ""),
            token=CSRF_FIELD.search(page.text).group(1),
            address=ws_base + html.unescape(connect.group(1)),
        )

    async def open(self) -> None:
        """The HTTP client of this run (each run has its own event loop)."""
        if self.code is None and not self.devices:
            self.devices = [Device() for _ in range(20)]
        self.client = self._client(64)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        self.client = None

    def _headers(self, device: Device) -> dict[str, str]:
        if self.code is None:
            return {}
        return {"HX-Request": "true", "X-CSRF-Token": device.token, "Cookie": device.cookie}

    async def idea(self, token: int, acks: dict[int, float], errors: list[str], *, text: str | None = None) -> None:
        device = self.devices[token % len(self.devices)]
        text = text or idea_text(token)
        try:
            if self.code is None:
                answer = await self.client.post("/submit", content=text.encode())
            else:
                form = {"text": text, "key": f"bench-{token:08d}"}
                answer = await self.client.post(
                    f"/s/{self.code}/ideas", data=form, headers=self._headers(device)
                )
        except httpx.HTTPError as error:
            errors.append(f"idea: {error!r}")
            return
        if answer.status_code == 200:
            acks[token] = time.time()
        else:
            errors.append(f"idea: {answer.status_code}")

    async def vote(self, ideas: int, voted: set, errors: list[str]) -> None:
        for _try in range(20):
            who, idea_id = random.randrange(len(self.devices)), random.randint(1, max(ideas, 1))
            if (who, idea_id) not in voted:
                break
        voted.add((who, idea_id))
        device = self.devices[who]
        try:
            if self.code is None:
                answer = await self.client.post("/vote")
            else:
                answer = await self.client.post(
                    f"/s/{self.code}/vote", data={"idea": idea_id}, headers=self._headers(device)
                )
        except httpx.HTTPError as error:
            errors.append(f"vote: {error!r}")
            return
        if answer.status_code != 200:
            errors.append(f"vote on idea {idea_id} of {ideas}: {answer.status_code}")


async def drive(
    phones: Phones, seconds: float, first_token: int, state: dict, rates: tuple[int, int]
) -> dict[int, float]:
    """Open-loop: ideas and votes leave on their schedule whatever the answers' speed."""
    ideas_per_second, votes_per_second = rates
    acks: dict[int, float] = {}
    errors: list[str] = state.setdefault("errors", [])
    voted: set = state.setdefault("voted", set())
    tasks: list[asyncio.Task] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    ideas_sent = 0
    votes_sent = 0
    while (now := loop.time() - start) < seconds:
        if not state.get("ideas"):  # a vote needs an idea: none until the first is in
            votes_sent = math.ceil(now * votes_per_second)
        while ideas_sent < now * ideas_per_second:
            token = first_token + ideas_sent
            tasks.append(loop.create_task(phones.idea(token, acks, errors)))
            ideas_sent += 1
        while votes_sent < now * votes_per_second:
            tasks.append(loop.create_task(phones.vote(state.get("ideas", 0), voted, errors)))
            votes_sent += 1
        state["ideas"] = state.get("ideas_before", 0) + len(acks)
        await asyncio.sleep(0.005)
    await asyncio.gather(*tasks)
    state["ideas_before"] = state.get("ideas_before", 0) + len(acks)
    state["next_token"] = first_token + ideas_sent + 1
    return acks


# -- runs ---------------------------------------------------------------------------


def measure(running, server_pid: int, urls: list[str], origin: str | None, phones: Phones,
            seconds: float, state: dict, *, storm: bool = False,
            rates: tuple[int, int] = (IDEAS_PER_SECOND, VOTES_PER_SECOND),
            deflate: bool = True) -> dict:  # fmt: skip
    """One run: the audience connects (each client a joined phone's address), the phones
    submit at `rates` (ideas, votes per second) for `seconds`; with `storm`, the whole
    hall's network then goes for OUTAGE_SECONDS while submits go on, and comes back."""
    if phones.code is not None:  # each page as loaded now: from the channel's newest number
        newest = asyncio.run(_newest(phones))
        urls = [re.sub(r"&after=\d+", f"&after={newest}", url) for url in urls]
    audience = Audience(running, urls, origin, deflate)
    log(
        f"  {audience.connected} clients connected ({audience.failed} failed); submitting for {seconds:.0f} s …"
    )
    frames_before = state.get("frames_published", 0)
    bytes_before = audience.received_bytes()
    with Usage(server_pid) as usage:
        started = time.time()
        acks = asyncio.run(_drive_once(phones, seconds, state, rates))
        time.sleep(2.0)  # the last frames' way to the clients
    received = audience.received_bytes() - bytes_before
    storm_tokens: list[int] = []
    storm_at = None
    storm_back = storm_failed = None
    if storm:  # the network fails for everyone; ideas and votes go on; it comes back
        audience.command("drop")
        storm_acks = asyncio.run(_drive_once(phones, OUTAGE_SECONDS, state, rates))
        storm_tokens = list(storm_acks)
        storm_at = time.time()
        answers = audience.command("reconnect")
        storm_back = sum(int(words[1]) for words in answers)
        storm_failed = sum(int(words[2]) for words in answers)
        time.sleep(2.0)
    report = audience.report(acks, storm_tokens, storm_at)
    p50, p99 = percentile(report["histogram"], 0.50), percentile(report["histogram"], 0.99)
    figures = {
        "clients": len(urls),
        "connected": report["connected"],
        "connect_failures": report["failed"],
        "seconds": seconds,
        "ideas_per_second": rates[0],
        "votes_per_second": rates[1],
        "ideas_acknowledged": len(acks),
        "submit_errors": len(state.get("errors", [])),
        "submit_error_kinds": sorted(set(state.get("errors", [])))[:5],
        "delivery_p50_ms": p50,
        "delivery_p90_ms": percentile(report["histogram"], 0.90),
        "delivery_p99_ms": p99,
        "delivery_max_ms": max(report["histogram"], default=None),
        "never_arrived": report["missing"],
        "slowest": [
            {
                "idea": token,
                "worst_ms": round(delay * 1000),
                "acked_at_s": round(acks[token] - started, 2),
            }
            for delay, token in report["slowest_tokens"]
        ],
        "messages_per_second": round(report["messages"] / (seconds + 2.0), 1),
        "bytes_per_phone_per_second": round(  # what the run's seconds of traffic sent
            received / max(report["connected"], 1) / seconds
        ),
        **usage.figures(),
    }
    if "frames_published" in state:
        figures["frames_per_second"] = round(
            (state["frames_published"] - frames_before) / seconds, 1
        )
    if storm:
        done = report["storm_done"]
        finished = [d for d in done if d is not None]
        figures["storm"] = {
            "outage_s": OUTAGE_SECONDS,
            "ideas_while_away": len(storm_tokens),
            "clients": len(done),
            "reconnected": storm_back,
            "failures": storm_failed
            + (len(done) - len(finished))
            + (report["connected"] - len(done)),
            "all_back_with_everything_s": round(max(finished), 2) if finished else None,
            "p50_s": round(sorted(finished)[len(finished) // 2], 2) if finished else None,
            "all_reconnected_s": round(max(report["storm_reconnected"]), 2)
            if report["storm_reconnected"]
            else None,
        }
    state["errors"] = []
    return figures


async def _drive_once(
    phones: Phones, seconds: float, state: dict, rates: tuple[int, int]
) -> dict[int, float]:
    await phones.open()
    try:
        acks = await drive(phones, seconds, state.get("next_token", 1), state, rates)
        if phones.code is not None:
            state["frames_published"] = await _frames(phones)
        return acks
    finally:
        await phones.close()


async def _newest(phones: Phones) -> int:
    await phones.open()
    try:
        return await _frames(phones)
    finally:
        await phones.close()


async def _frames(phones: Phones) -> int:
    """The channel's newest frame number, as a joined phone's polling page asks for it."""
    address = phones.devices[0].address
    ticket = re.search(r"ticket=([^&]+)", address).group(1)
    answer = await phones.client.get(
        f"/live/poll?channel=session:{phones.code}&ticket={ticket}",
        headers={"Cookie": phones.devices[0].cookie},
    )
    return int(re.match(r"<!--(\d+)", answer.text).group(1))


def snapshot_figures(base: str, code: str) -> dict:
    """A phone ten minutes behind in a busy session (6,000 ideas, its frames pruned): what
    it gets back, by polling and by its socket — one snapshot, its size and time."""
    from websockets.sync.client import connect

    async def join() -> Device:
        phones = Phones(base, code)
        await phones.join(1, concurrency=1)
        return phones.devices[0]

    device = asyncio.run(join())
    ticket = re.search(r"ticket=([^&]+)", device.address).group(1)
    url = f"{base}/live/poll?channel=session:{code}&ticket={ticket}&after=1"
    took, size = [], 0
    with httpx.Client(headers={"Cookie": device.cookie, "Origin": base}) as client:
        for _ in range(10):
            started = time.perf_counter()
            answer = client.get(url)
            took.append(time.perf_counter() - started)
            size = len(answer.content)
            if '<ol id="ideas" hx-swap-oob="innerHTML">' not in answer.text:
                raise RuntimeError("the phone far behind got no snapshot")
    address = re.sub(r"&after=\d+", "", device.address) + "&after=1"
    started = time.perf_counter()
    with connect(address, additional_headers={"Origin": base}, open_timeout=20) as socket:
        message = socket.recv(timeout=30)
    socket_ms = (time.perf_counter() - started) * 1000
    took.sort()
    return {
        "ideas_in_session": BIG_SESSION_IDEAS,
        "frames_behind": BIG_SESSION_FRAMES,
        "poll_bytes": size,
        "poll_ms_p50": round(took[len(took) // 2] * 1000, 1),
        "socket_first_message_ms": round(socket_ms, 1),
        "socket_bytes": len(message.encode() if isinstance(message, str) else message),
    }


def start_postgres():
    from tests.pg.conftest import PostgresServer, _bin_dir

    bin_dir = _bin_dir()
    if bin_dir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="wethi-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PostgresServer(bin_dir, root)
    server.start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run with fewer clients")
    parser.add_argument(
        "--no-postgres", action="store_true", help="skip the 2-worker PostgreSQL run"
    )
    parser.add_argument("--no-steps", action="store_true", help="skip stepping up the audience")
    parser.add_argument(
        "--steps-from",
        type=int,
        default=None,
        help="step up from this many participants, by 2,000 up to 20,000 (only the steps run)",
    )
    args = parser.parse_args()
    clients, seconds, step_seconds = (500, 8.0, 5.0) if args.quick else (2000, 30.0, 10.0)
    steps = [500, 1000] if args.quick else list(range(2000, 12001, 1000))
    if args.steps_from:
        steps = list(range(args.steps_from, 20001, 2000))
    details: dict = {}
    data_dir, env = fresh_data_dir("wethi-bench-live-")
    pg = None
    try:
        log(f"Preparing the database in {data_dir} …")
        code = prepare_database()
        with processes() as running:
            port, bare_port = free_port(), free_port()
            wethi = running.start("wethi", wethi_command(port), env=env)
            bare = running.start("bare", bare_command(bare_port), env=env)
            wait_until_serving(wethi, f"http://127.0.0.1:{port}/")
            wait_until_serving(bare, f"http://127.0.0.1:{bare_port}/")
            base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
            state: dict = {}
            phones = Phones(base, code)
            log(f"Joining {clients} phones over HTTP from one address (Origin {base}) …")
            details["joining"] = asyncio.run(phones.join(clients))
            log(f"  {json.dumps(details['joining'])}")
            urls = [device.address for device in phones.devices]

            if args.steps_from is None:  # the 2,000-participant run and its baseline
                log(f"Wethi (pid {wethi.pid}), {len(urls)} joined participants, one worker, SQLite:")
                details["wethi"] = measure(running, wethi.pid, urls, base, phones, seconds,
                                           state, storm=True)  # fmt: skip
                log(f"  {json.dumps(details['wethi'])}")
                log(f"Wethi at the bandwidth goal's rates ({GOAL_RATES[0]} ideas/s, {GOAL_RATES[1]} votes/s):")
                details["wethi_at_goal_rates"] = measure(running, wethi.pid, urls, base, phones,
                                                         seconds / 2, state, rates=GOAL_RATES)  # fmt: skip
                log(f"  {json.dumps(details['wethi_at_goal_rates'])}")
                log(f"Bare broadcast (pid {bare.pid}), {clients} participants:")
                bare_urls = [f"ws://127.0.0.1:{bare_port}/live/ws?channel=x"] * clients
                details["bare_broadcast"] = measure(running, bare.pid, bare_urls, bare_base,
                                                    Phones(bare_base, None), seconds, {})  # fmt: skip
                log(f"  {json.dumps(details['bare_broadcast'])}")
            running.started.remove(("bare", bare))
            bare.terminate()
            bare.wait(timeout=10)

            if not args.no_steps:
                details["steps"] = []
                held = None
                for count in steps:
                    log(f"Stepping up: {count} participants for {step_seconds:.0f} s …")
                    # Beyond the joined phones, a phone's page open twice (its ticket again).
                    addresses = [urls[n % len(urls)] for n in range(count)]
                    try:
                        step = measure(running, wethi.pid, addresses, base, phones,
                                       step_seconds, state)  # fmt: skip
                    except (RuntimeError, httpx.HTTPError) as error:  # it broke: that is the answer
                        details["steps"].append({"clients": count, "broke": repr(error)})
                        log(f"  broke at {count}: {error!r}")
                        break
                    log(f"  {json.dumps(step)}")
                    details["steps"].append(step)
                    p99 = step["delivery_p99_ms"]
                    if (
                        p99 is None
                        or p99 > 1000
                        or step["connect_failures"]
                        or step["never_arrived"]
                    ):
                        break
                    held = count
                details["largest_with_p99_under_1s"] = held

            if args.steps_from is None:  # (before the big session: votes pick ideas by number)
                details["wethi_at_goal_rates_other_compression"] = other_compression_run(
                    running, env, phones, seconds / 2, state
                )
                log("A phone ten minutes behind in a busy session:")
                details["snapshot"] = snapshot_figures(base, prepare_big_session())
                log(f"  {json.dumps(details['snapshot'])}")
            running.stop_all()

            if not args.no_postgres and args.steps_from is None:
                pg = start_postgres()
                if pg is None:
                    details["postgres_two_workers"] = "PostgreSQL server binaries not installed"
                else:
                    url = pg.url()
                    os.environ["WETHI_DATABASE_URL"] = url
                    pg_env = env | {"WETHI_DATABASE_URL": url, "WETHI_LIVE_BACKEND": "postgres"}
                    pg_code = prepare_database()
                    pg_port = free_port()
                    server = running.start(
                        "wethi-pg", wethi_command(pg_port, workers=2), env=pg_env
                    )
                    pg_base = f"http://127.0.0.1:{pg_port}"
                    wait_until_serving(server, f"{pg_base}/", timeout=60)
                    pg_phones = Phones(pg_base, pg_code)
                    log(f"Joining {clients} phones, 2 workers on PostgreSQL …")
                    pg_joining = asyncio.run(pg_phones.join(clients))
                    log(f"  {json.dumps(pg_joining)}")
                    log(f"Wethi, 2 workers on PostgreSQL (pid {server.pid}), {clients} participants:")
                    details["postgres_two_workers"] = measure(
                        running, server.pid, [d.address for d in pg_phones.devices], pg_base,
                        pg_phones, seconds, {},
                    ) | {"joining": pg_joining}  # fmt: skip
                    log(f"  {json.dumps(details['postgres_two_workers'])}")
    except Exception as error:
        traceback.print_exc()
        print(json.dumps({"bench": "live_fanout", "results": [], "error": f"{type(error).__name__}: {error}"}))
        return 1
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps({
        "bench": "live_fanout",
        "results": summary_results(details, clients),
        "details": details,
        "env": {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
                "ideas_per_second": IDEAS_PER_SECOND, "votes_per_second": VOTES_PER_SECOND,
                "goal_rates": GOAL_RATES, "quick": args.quick},
    }, ensure_ascii=False))  # fmt: skip
    return 0


def other_compression_run(running, env: dict, phones: Phones, seconds: float, state: dict) -> dict:
    """The bandwidth goal's rates again, on a second server over the same database with
    per-message compression the other way round from the default (WETHI_WS_COMPRESSION):
    the bytes on the wire and the server's CPU and memory both ways — the figures that
    decide the default."""
    port = free_port()
    compressed = "false" if DEFAULT_COMPRESSION else "true"
    server = running.start("wethi-plain", wethi_command(port), env=env | {"WETHI_WS_COMPRESSION": compressed})
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(server, f"{base}/")
    plain = Phones(base, phones.code)
    plain.devices = [
        Device(d.cookie, d.token, re.sub(r"//127\.0\.0\.1:\d+/", f"//127.0.0.1:{port}/", d.address))
        for d in phones.devices
    ]
    log(f"Wethi with WETHI_WS_COMPRESSION={compressed} (pid {server.pid}), at the goal's rates:")
    figures = measure(running, server.pid, [d.address for d in plain.devices], base, plain,
                      seconds, state, rates=GOAL_RATES)  # fmt: skip
    log(f"  {json.dumps(figures)}")
    running.started.remove(("wethi-plain", server))
    server.terminate()
    server.wait(timeout=10)
    return figures


def summary_results(details: dict, clients: int) -> list[dict]:
    """The figures in the benchmarks' common shape: each with its goal, its same-run
    baseline where it has one, and whether it was met."""
    wethi = details.get("wethi") or {}
    bare = details.get("bare_broadcast") or {}
    goal_run = details.get("wethi_at_goal_rates") or {}
    other = details.get("wethi_at_goal_rates_other_compression") or {}
    on, off = (goal_run, other) if DEFAULT_COMPRESSION else (other, goal_run)
    joining = details.get("joining") or {}
    storm = wethi.get("storm") or {}
    snapshot = details.get("snapshot") or {}

    def figure(name, value, unit, goal, met, baseline=None):
        ratio = round(value / baseline, 2) if value is not None and baseline else None
        return {"name": name, "value": value, "unit": unit, "baseline": baseline,
                "ratio": ratio, "goal": goal, "met": met}  # fmt: skip

    def at_most(value, limit):
        return value is not None and value <= limit

    def cpu_of(run):
        return run.get("server_cpu_percent_of_one_core")

    p99, cpu, rss = (wethi.get(key) for key in ("delivery_p99_ms", "server_cpu_percent_of_one_core", "server_peak_rss_mb"))
    rate = goal_run.get("bytes_per_phone_per_second")
    results = [
        figure("delivery_p99_ms", p99, "ms", "<= 250", at_most(p99, 250), bare.get("delivery_p99_ms")),
        figure("server_cpu_percent_of_one_core", cpu, "%", "<= 70", at_most(cpu, 70),
               bare.get("server_cpu_percent_of_one_core")),
        figure("server_peak_rss_mb", rss, "MB", "<= 400", at_most(rss, 400), bare.get("server_peak_rss_mb")),
        figure("storm_all_back_with_everything_s", storm.get("all_back_with_everything_s"), "s",
               f"<= 3 after a {OUTAGE_SECONDS:.0f} s outage, 0 failures",
               at_most(storm.get("all_back_with_everything_s"), 3) and storm.get("failures") == 0),
        figure("bytes_per_phone_per_second", rate, "B/s",
               f"<= 2048 at {GOAL_RATES[0]} ideas/s and {GOAL_RATES[1]} votes/s", at_most(rate, 2048),
               bare.get("bytes_per_phone_per_second")),
        figure("goal_rates_delivery_p99_ms", goal_run.get("delivery_p99_ms"), "ms", "<= 250",
               at_most(goal_run.get("delivery_p99_ms"), 250)),
        figure("compressed_bytes_per_phone_per_second", on.get("bytes_per_phone_per_second"), "B/s",
               "none (WETHI_WS_COMPRESSION=true; baseline: off)", None, off.get("bytes_per_phone_per_second")),
        figure("compressed_server_cpu_percent", cpu_of(on), "%",
               "<= 70 to be worth it (baseline: off)", at_most(cpu_of(on), 70), cpu_of(off)),
        figure("compressed_server_peak_rss_mb", on.get("server_peak_rss_mb"), "MB",
               "<= 400 to be worth it (baseline: off)", at_most(on.get("server_peak_rss_mb"), 400),
               off.get("server_peak_rss_mb")),
        figure("joins_per_second", joining.get("joins_per_second"), "joins/s", ">= 200",
               (joining.get("joins_per_second") or 0) >= 200),
        figure("joined_over_http_from_one_address", joining.get("joined"), "phones", f"== {clients}",
               joining.get("joined") == clients),
        figure("snapshot_bytes_10_min_behind", snapshot.get("poll_bytes"), "B", "bounded (300 ideas at most)", None),
        figure("snapshot_ms_10_min_behind", snapshot.get("poll_ms_p50"), "ms", "none", None),
    ]  # fmt: skip
    if "largest_with_p99_under_1s" in details:
        held = details["largest_with_p99_under_1s"]
        results.append(figure("largest_with_p99_under_1s", held, "phones", ">= 5000", (held or 0) >= 5000))
    return results


if __name__ == "__main__":
    sys.exit(main())
