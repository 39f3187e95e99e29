"""Shared parts of the benchmarks: free ports, server processes that are always stopped,
and a keep-alive HTTP load generator that runs as its own process.

    python tests/bench/_common.py load URL --connections 32 --warmup 2 --seconds 10 \
        [--header "Cookie: a=b"]...

prints one JSON line: {"requests", "errors", "seconds", "rps", "p50_ms", "p99_ms"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent.parent


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- processes ------------------------------------------------------------------------


class Processes:
    """Every process a benchmark starts; `stop_all` ends each one by its PID."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(
        self, name: str, command: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT
    ) -> subprocess.Popen:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.started.append((name, process))
        return process

    def stop_all(self) -> None:
        for _name, process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(self.started):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.started.clear()


@contextmanager
def processes() -> Iterator[Processes]:
    """Processes stopped on the way out, also on an error, Ctrl+C or SIGTERM."""
    running = Processes()

    def terminated(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield running
    finally:
        running.stop_all()
        signal.signal(signal.SIGTERM, previous)


def wait_until_serving(process: subprocess.Popen, url: str, *, timeout: float = 30.0) -> None:
    """Poll `url` until the server answers (any HTTP status); fail if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read() if process.stderr else ""
            raise RuntimeError(
                f"the server exited ({process.returncode}) before serving {url}:\n{errors[-2000:]}"
            )
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own 127.0.0.1 server)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server at {url} did not answer within {timeout:.0f} s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects: (status, headers, body)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# -- load -----------------------------------------------------------------------------


def run_load(
    url: str,
    *,
    connections: int,
    warmup: float,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> dict:
    """Load `url` from a separate process and return its figures."""
    command = [
        sys.executable,
        str(BENCH_DIR / "_common.py"),
        "load",
        url,
        "--connections",
        str(connections),
        "--warmup",
        str(warmup),
        "--seconds",
        str(seconds),
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=warmup + seconds + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class _Connection(asyncio.Protocol):
    """One keep-alive connection sending the same GET again as soon as the answer is in."""

    def __init__(self, request: bytes, load: _Load) -> None:
        self.request, self.load = request, load
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        self.sent_at = time.perf_counter()
        assert self.transport is not None
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            size = _response_size(self.buffer)
            if size is None:
                return
            status = int(self.buffer[9:12])
            del self.buffer[:size]
            now = time.perf_counter()
            self.load.record(now, now - self.sent_at, ok=status == 200)
            if now >= self.load.stop_at:
                assert self.transport is not None
                self.transport.close()
                return
            self.send()

    def connection_lost(self, _exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


def _response_size(buffer: bytearray) -> int | None:
    """The length of the first complete response in `buffer`, or None if not all in."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).lower()
    body_start = end + 4
    marker = head.find(b"\r\ncontent-length:")
    if marker >= 0:
        line_end = head.find(b"\r\n", marker + 2)
        length = int(head[marker + 17 : line_end if line_end >= 0 else None].strip())
        return body_start + length if len(buffer) >= body_start + length else None
    if b"transfer-encoding: chunked" in head:
        final = buffer.find(b"\r\n0\r\n\r\n", body_start - 2)
        return final + 7 if final >= 0 else None
    return body_start


class _Load:
    def __init__(self, warmup: float, seconds: float) -> None:
        now = time.perf_counter()
        self.measure_from = now + warmup
        self.stop_at = self.measure_from + seconds
        self.latencies: list[float] = []
        self.errors = 0

    def record(self, now: float, latency: float, *, ok: bool) -> None:
        if self.measure_from <= now < self.stop_at:
            if ok:
                self.latencies.append(latency)
            else:
                self.errors += 1


async def _generate(
    url: str, connections: int, warmup: float, seconds: float, headers: list[str]
) -> dict:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Accept: text/html",
        *headers,
        "",
        "",
    ]
    request = "\r\n".join(lines).encode("latin-1")
    load = _Load(warmup, seconds)
    loop = asyncio.get_running_loop()
    made = [
        await loop.create_connection(lambda: _Connection(request, load), parts.hostname, parts.port)
        for _ in range(connections)
    ]
    await asyncio.gather(*(protocol.closed for _transport, protocol in made))
    latencies = sorted(load.latencies)
    count = len(latencies)
    return {
        "requests": count,
        "errors": load.errors,
        "seconds": seconds,
        "rps": round(count / seconds, 1),
        "p50_ms": round(latencies[count // 2] * 1000, 2) if count else None,
        "p99_ms": round(latencies[min(count - 1, int(count * 0.99))] * 1000, 2) if count else None,
    }


def _load_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="_common.py load")
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args(argv)
    work = _generate(args.url, args.connections, args.warmup, args.seconds, args.header)
    try:
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(work)))
    else:
        print(json.dumps(uvloop.run(work)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["load"]:
        _load_main(sys.argv[2:])
    else:
        sys.exit(__doc__)


def page_bench_options(description: str) -> tuple[float, float, int, int, bool]:
    """The page benchmarks' command line: (warmup s, seconds, rounds, connections, quick).
    Full runs measure each page in several rounds, interleaved with its floor, and keep the
    median: a busy machine then slows both sides alike instead of one."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", help="a short run (under a minute), for smoke tests"
    )
    parser.add_argument(
        "--connections", type=int, default=None, help="concurrent keep-alive connections"
    )
    args = parser.parse_args()
    warmup, seconds, rounds = (1.0, 3.0, 1) if args.quick else (2.0, 5.0, 3)
    return warmup, seconds, rounds, args.connections or 16, args.quick


def install_packages() -> None:
    """Make the app once, as `wethi serve` does: the packages' manifests fill forum's
    registries (rules, hooks) and every table joins the metadata, so the benchmark's data
    can be made through the services."""
    from forum.app import create_app

    create_app()


def fresh_data_dir(prefix: str) -> tuple[Path, dict[str, str]]:
    """A temporary data directory on the embedded SQLite default, set for this process
    (which prepares the data) and returned as the environment of the servers it starts."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    env = dict(os.environ) | {
        "WETHI_DATA_DIR": str(data_dir),
        "WETHI_SECRET_KEY": secrets.token_urlsafe(48),
    }
    env.pop("WETHI_DATABASE_URL", None)
    os.environ.update({key: env[key] for key in ("WETHI_DATA_DIR", "WETHI_SECRET_KEY")})
    os.environ.pop("WETHI_DATABASE_URL", None)
    return data_dir, env


def bench_people(session, count: int) -> list:
    """Load the reference data and add `count` people of a Provincial Energy Office (the
    benchmarks' members), in the caller's transaction."""
    from sqlmodel import select

    from forum import reference
    from forum.models import Organisation, OrganisationKind, Person

    reference.load_reference_data(session)
    office = session.exec(
        select(Organisation).where(Organisation.kind == OrganisationKind.provincial_energy_office)
    ).first()
    people = [
        Person(
            display_name=f"นายสมชาย ทดสอบประสิทธิภาพ{n}",
            position="อาสาสมัครพลังงาน (อส.พน.)",
            email=f"bench{n}@wethi.example",
            organisation_id=office.id,
        )
        for n in range(count)
    ]
    session.add_all(people)
    return people
