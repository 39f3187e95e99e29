"""Live fan-out benchmark (issue 4): thousands of phones in one live session.

    python tests/bench/live_fanout.py [--quick] [--no-postgres]

Builds a database in a temporary data directory with one live session, starts `wethi serve`
(one worker, SQLite, 127.0.0.1), joins 150 participants over HTTP (a nickname, the consent,
a device cookie each), connects 2,000 WebSocket clients to the session's channel from
separate processes (tests/bench/_live_clients.py), then for 30 s submits ideas at 10 per
second and upvotes at 50 per second over HTTP, as phones do (htmx requests with the CSRF
header), on an open-loop schedule. Figures:

- the delay from each idea's acknowledgement (its HTTP answer) to its arrival at every
  client: p50 and p99, and the pairs that never arrived;
- WebSocket messages sent per second (received by all clients) and frames published per
  second; the server's CPU (percent of one core) and largest RSS over the run;
- the same clients and submits against a bare broadcast endpoint on the same stack
  (tests/bench/_bare_broadcast.py: no database, no templates, one message fanned out per
  idea), measured in the same run, and the ratio of the two;
- a reconnect storm: every socket cut at once, 5 ideas submitted while they are away,
  then every client reconnecting at once after the last number it had; the time until
  every one is back with everything it missed, and the failures;
- the largest number of participants one worker holds with p99 at most 1 s, stepping up
  from 2,000 by 1,000 (10 s per step) until it breaks;
- the 2,000-participant run with 2 workers on a throwaway PostgreSQL (WETHI_LIVE_BACKEND
  postgres: LISTEN/NOTIFY between the workers).

The last line printed is one JSON object: {"bench": "live_fanout", "results": {...}, "env": {...}}.
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
PARTICIPANTS = 150  # who submit: at 10 ideas a second each sends one every 15 s (limit 6/min)
CLIENTS_PER_PROCESS = 1000
STORM_IDEAS = 5
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
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
    """`count` WebSocket clients on the channel, in processes of CLIENTS_PER_PROCESS."""

    def __init__(self, running, ws_url: str, count: int) -> None:
        self.processes = []
        for start in range(0, count, CLIENTS_PER_PROCESS):
            size = min(CLIENTS_PER_PROCESS, count - start)
            command = [
                sys.executable,
                str(BENCH_DIR / "_live_clients.py"),
                ws_url,
                "--count",
                str(size),
            ]
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
        histogram: dict[int, int] = {}
        for report in reports:
            for bucket, count in report["histogram"].items():
                histogram[int(bucket)] = histogram.get(int(bucket), 0) + count
        return {
            "connected": sum(r["connected"] for r in reports),
            "failed": sum(r["failed"] for r in reports),
            "messages": sum(r["messages"] for r in reports),
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


class Phones:
    """Participants who submit: each an HTTP client with its device cookie and CSRF token,
    like a phone that joined (against the bare endpoint: plain clients)."""

    def __init__(self, base: str, code: str | None, count: int) -> None:
        self.base, self.code = base, code
        self.count = count
        self.devices: list[tuple[httpx.Cookies, dict]] = []  # joined once, reused by each run
        self.clients: list[tuple[httpx.AsyncClient, dict]] = []

    async def open(self) -> None:
        """HTTP clients for this run (each run has its own event loop); the first run joins."""
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        if not self.devices:
            for number in range(self.count):
                async with httpx.AsyncClient(base_url=self.base, timeout=30, verify=TLS) as client:
                    headers: dict[str, str] = {}
                    if self.code is not None:
                        page = await client.get(f"/s/{self.code}")
                        token = CSRF_FIELD.search(page.text).group(1)
                        form = {
                            "nickname": f"ผู้ร่วมเวที {number}",
                            "consent": "1",
                            "csrf_token": token,
                        }
                        answer = await client.post(f"/s/{self.code}/join", data=form)
                        if answer.status_code != 303:
                            raise RuntimeError(
                                f"joining failed: {answer.status_code} {answer.text[:300]}"
                            )
                        headers = {"HX-Request": "true", "X-CSRF-Token": token}
                    self.devices.append((httpx.Cookies(client.cookies), headers))
        self.clients = [
            (
                httpx.AsyncClient(base_url=self.base, limits=limits, timeout=30, cookies=cookies),
                headers,
            )
            for cookies, headers in self.devices
        ]

    async def close(self) -> None:
        for client, _headers in self.clients:
            await client.aclose()
        self.clients = []

    async def idea(self, token: int, acks: dict[int, float], errors: list[str]) -> None:
        client, headers = self.clients[token % len(self.clients)]
        text = f"ติดตั้งโซลาร์เซลล์บนหลังคาโรงเรียนและวัดในตำบล BENCH{token}X"
        try:
            if self.code is None:
                answer = await client.post("/submit", content=text.encode())
            else:
                form = {"text": text, "key": f"bench-{token:08d}"}
                answer = await client.post(f"/s/{self.code}/ideas", data=form, headers=headers)
        except httpx.HTTPError as error:
            errors.append(f"idea: {error!r}")
            return
        if answer.status_code == 200:
            acks[token] = time.time()
        else:
            errors.append(f"idea: {answer.status_code}")

    async def vote(self, ideas: int, voted: set, errors: list[str]) -> None:
        for _try in range(20):
            who, idea_id = random.randrange(len(self.clients)), random.randint(1, max(ideas, 1))
            if (who, idea_id) not in voted:
                break
        voted.add((who, idea_id))
        client, headers = self.clients[who]
        try:
            if self.code is None:
                answer = await client.post("/vote")
            else:
                answer = await client.post(f"/s/{self.code}/ideas/{idea_id}/vote", headers=headers)
        except httpx.HTTPError as error:
            errors.append(f"vote: {error!r}")
            return
        if answer.status_code != 200:
            errors.append(f"vote on idea {idea_id} of {ideas}: {answer.status_code}")


async def drive(phones: Phones, seconds: float, first_token: int, state: dict) -> dict[int, float]:
    """Open-loop: ideas and votes leave on their schedule whatever the answers' speed."""
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
            votes_sent = math.ceil(now * VOTES_PER_SECOND)
        while ideas_sent < now * IDEAS_PER_SECOND:
            token = first_token + ideas_sent
            tasks.append(loop.create_task(phones.idea(token, acks, errors)))
            ideas_sent += 1
        while votes_sent < now * VOTES_PER_SECOND:
            tasks.append(loop.create_task(phones.vote(state.get("ideas", 0), voted, errors)))
            votes_sent += 1
        state["ideas"] = state.get("ideas_before", 0) + len(acks)
        await asyncio.sleep(0.005)
    await asyncio.gather(*tasks)
    state["ideas_before"] = state.get("ideas_before", 0) + len(acks)
    return acks


# -- runs ---------------------------------------------------------------------------


def measure(running, server_pid: int, ws_url: str, phones: Phones, clients: int, seconds: float,
            state: dict, *, storm: bool = False) -> dict:  # fmt: skip
    audience = Audience(running, ws_url, clients)
    log(
        f"  {audience.connected} clients connected ({audience.failed} failed); submitting for {seconds:.0f} s …"
    )
    frames_before = state.get("frames_published", 0)
    with Usage(server_pid) as usage:
        started = time.time()
        acks = asyncio.run(_drive_once(phones, seconds, state))
        time.sleep(2.0)  # the last frames' way to the clients
    storm_tokens: list[int] = []
    storm_at = None
    storm_back = storm_failed = None
    if storm:  # the network fails for everyone; ideas come in meanwhile; it comes back
        audience.command("drop")
        storm_acks = asyncio.run(_storm_ideas(phones, state))
        storm_tokens = list(storm_acks)
        time.sleep(0.5)
        storm_at = time.time()
        answers = audience.command("reconnect")
        storm_back = sum(int(words[1]) for words in answers)
        storm_failed = sum(int(words[2]) for words in answers)
        time.sleep(2.0)
    report = audience.report(acks, storm_tokens, storm_at)
    p50, p99 = percentile(report["histogram"], 0.50), percentile(report["histogram"], 0.99)
    figures = {
        "clients": clients,
        "connected": report["connected"],
        "connect_failures": report["failed"],
        "seconds": seconds,
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


async def _drive_once(phones: Phones, seconds: float, state: dict) -> dict[int, float]:
    await phones.open()
    try:
        first = state.get("next_token", 1)
        acks = await drive(phones, seconds, first, state)
        state["next_token"] = first + math.ceil(seconds * IDEAS_PER_SECOND) + 1
        if phones.code is not None:
            state["frames_published"] = await _frames(phones)
        return acks
    finally:
        await phones.close()


async def _frames(phones: Phones) -> int:
    """The channel's newest frame number, as a polling page asks for it."""
    async with httpx.AsyncClient(base_url=phones.base) as client:
        answer = await client.get(f"/live/poll?channel=session:{phones.code}")
        return int(re.search(r'data-seq="(\d+)"', answer.text).group(1))


async def _storm_ideas(phones: Phones, state: dict) -> dict[int, float]:
    await phones.open()
    try:
        acks: dict[int, float] = {}
        errors: list[str] = []
        first = state.get("next_token", 1)
        for n in range(STORM_IDEAS):
            await phones.idea(first + n, acks, errors)
            await asyncio.sleep(0.1)
        state["next_token"] = first + STORM_IDEAS
        return acks
    finally:
        await phones.close()


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
    results: dict = {}
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
            channel = f"ws://127.0.0.1:{port}/live/ws?channel=session:{code}"
            state: dict = {}
            phones = Phones(base, code, PARTICIPANTS)

            if args.steps_from is None:  # the 2,000-participant run and its baseline
                log(f"Wethi (pid {wethi.pid}), {clients} participants, one worker, SQLite:")
                results["wethi"] = measure(running, wethi.pid, channel, phones,
                                           clients, seconds, state, storm=True)  # fmt: skip
                log(f"  {json.dumps(results['wethi'])}")
                log(f"Bare broadcast (pid {bare.pid}), {clients} participants:")
                results["bare_broadcast"] = measure(running, bare.pid, f"ws://127.0.0.1:{bare_port}/live/ws?channel=x",
                                                    Phones(bare_base, None, 20), clients, seconds, {})  # fmt: skip
                log(f"  {json.dumps(results['bare_broadcast'])}")
                w, b = results["wethi"], results["bare_broadcast"]
                results["ratio_p99_wethi_to_bare"] = (
                    round(w["delivery_p99_ms"] / max(b["delivery_p99_ms"], 1.0), 2)
                    if w["delivery_p99_ms"] is not None and b["delivery_p99_ms"] is not None
                    else None
                )
                results["ratio_cpu_wethi_to_bare"] = round(
                    w["server_cpu_percent_of_one_core"]
                    / max(b["server_cpu_percent_of_one_core"], 0.1),
                    2,
                )
            running.started.remove(("bare", bare))
            bare.terminate()
            bare.wait(timeout=10)

            if not args.no_steps:
                results["steps"] = []
                held = None
                for count in steps:
                    log(f"Stepping up: {count} participants for {step_seconds:.0f} s …")
                    try:
                        step = measure(running, wethi.pid, channel, phones,
                                       count, step_seconds, state)  # fmt: skip
                    except (RuntimeError, httpx.HTTPError) as error:  # it broke: that is the answer
                        results["steps"].append({"clients": count, "broke": repr(error)})
                        log(f"  broke at {count}: {error!r}")
                        break
                    log(f"  {json.dumps(step)}")
                    results["steps"].append(step)
                    p99 = step["delivery_p99_ms"]
                    if (
                        p99 is None
                        or p99 > 1000
                        or step["connect_failures"]
                        or step["never_arrived"]
                    ):
                        break
                    held = count
                results["largest_with_p99_under_1s"] = held
            running.stop_all()

            if not args.no_postgres and args.steps_from is None:
                pg = start_postgres()
                if pg is None:
                    results["postgres_two_workers"] = "PostgreSQL server binaries not installed"
                else:
                    url = pg.url()
                    os.environ["WETHI_DATABASE_URL"] = url
                    pg_env = env | {"WETHI_DATABASE_URL": url, "WETHI_LIVE_BACKEND": "postgres"}
                    pg_code = prepare_database()
                    pg_port = free_port()
                    server = running.start(
                        "wethi-pg", wethi_command(pg_port, workers=2), env=pg_env
                    )
                    wait_until_serving(server, f"http://127.0.0.1:{pg_port}/", timeout=60)
                    log(
                        f"Wethi, 2 workers on PostgreSQL (pid {server.pid}), {clients} participants:"
                    )
                    results["postgres_two_workers"] = measure(
                        running, server.pid, f"ws://127.0.0.1:{pg_port}/live/ws?channel=session:{pg_code}",
                        Phones(f"http://127.0.0.1:{pg_port}", pg_code, PARTICIPANTS), clients, seconds, {},
                    )  # fmt: skip
                    log(f"  {json.dumps(results['postgres_two_workers'])}")
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps({
        "bench": "live_fanout",
        "results": results,
        "goals": {"delivery_p99_ms": 250, "server_cpu_percent_of_one_core": 70,
                  "server_peak_rss_mb": 400, "storm_all_back_s": 3, "largest_with_p99_under_1s": 5000},
        "env": {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
                "ideas_per_second": IDEAS_PER_SECOND, "votes_per_second": VOTES_PER_SECOND},
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
