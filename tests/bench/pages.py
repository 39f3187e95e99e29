"""Page benchmark (DESIGN.md §7): requests per second of Wethi's busiest read pages,
against the framework's floor measured in the same run.

    python tests/bench/pages.py [--quick]

Builds a SQLite database in a temporary data directory (a body with 20 meetings, another
with 1,000, a meeting with 50 attendees, a logged-in member), starts `wethi serve`, a bare
FastAPI + Jinja2 table page and a raw ASGI "hello" (all uvicorn, one worker, 127.0.0.1,
separate processes), loads each from another process over keep-alive connections, and
prints as its last line one JSON object:

    {"bench": "pages", "results": [...], "env": {...}}

Every process it starts is stopped by its PID, also on an error.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import sys
import traceback
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_DIR,
    ROOT,
    bench_people,
    fetch,
    free_port,
    fresh_data_dir,
    install_packages,
    log,
    page_bench_options,
    processes,
    run_load,
    wait_until_serving,
)

WORKERS = 1


# -- data -----------------------------------------------------------------------------


def prepare_database() -> dict[str, object]:
    """Migrate, load reference data and the benchmark's bodies; returns what the load needs."""
    install_packages()
    from sqlalchemy import insert
    from sqlmodel import Session, select

    from forum import accounts, db
    from forum.config import load_settings
    from forum.dates import buddhist_year, to_local
    from forum.models import (
        Attendance,
        AttendanceStatus,
        Body,
        BodyKind,
        Meeting,
        MeetingStatus,
        Membership,
        Person,
        Region,
        Role,
    )
    from forum.web import SESSION_COOKIE

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        people = bench_people(session, 60)
        north = session.exec(select(Region).where(Region.code == "north")).one()
        small = Body(
            kind=BodyKind.working_group,
            name="คณะทำงานพลังงานและสิ่งแวดล้อมชุมชน ภาคเหนือ",
            region_id=north.id,
        )
        large = Body(kind=BodyKind.committee, name="คณะกรรมการพัฒนาพลังงานและสิ่งแวดล้อมชุมชน")
        session.add_all([small, large])
        session.flush()
        viewer = people[0]
        session.add_all(
            Membership(body_id=small.id, person_id=person.id, role=Role.member)
            for person in people[:50]
        )
        session.add_all(
            Membership(body_id=large.id, person_id=person.id, role=Role.member)
            for person in people[:10]
        )
        session.flush()

        codes = iter(f"{n:06d}" for n in range(100_000, 999_999))

        def add_meetings(
            body: Body, count: int, every_days: int, members: list[Person]
        ) -> list[int]:
            now = db.utcnow().replace(hour=2, minute=30, second=0, microsecond=0)
            starts = [now - timedelta(days=every_days * n) for n in range(count)][::-1]
            numbers: dict[int, int] = {}
            rows = []
            for moment in starts:
                year = buddhist_year(to_local(moment))
                numbers[year] = numbers.get(year, 0) + 1
                rows.append(
                    {
                        "body_id": body.id,
                        "year_be": year,
                        "number": numbers[year],
                        "title": "เวทีหารือและระดมความคิดเห็นการพัฒนาแนวทางการทำงานร่วมกันระหว่าง สพจ. และเครือข่าย",
                        "starts_at": moment,
                        "ends_at": moment + timedelta(hours=3),
                        "venue": "ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
                        "online_url": "",
                        "status": MeetingStatus.closed,
                        "checkin_code": next(codes),
                        "created_at": moment,
                        "version": 1,
                    }
                )
            session.execute(insert(Meeting), rows)
            ids = list(
                session.exec(
                    select(Meeting.id).where(Meeting.body_id == body.id).order_by(Meeting.starts_at)
                )
            )
            lines = []
            for meeting_id in ids:
                for index, person in enumerate(members):
                    absent = index % 9 == 4
                    lines.append(
                        {
                            "meeting_id": meeting_id,
                            "person_id": person.id,
                            "guest_name": "",
                            "guest_organisation": "",
                            "status": AttendanceStatus.absent
                            if absent
                            else AttendanceStatus.present,
                            "absence_reason": "ติดราชการ" if absent else "",
                            "checked_in_at": None if absent else db.utcnow(),
                            "updated_at": db.utcnow(),
                        }
                    )
            session.execute(insert(Attendance), lines)
            return ids

        small_ids = add_meetings(small, 20, 14, people[:50])
        add_meetings(large, 1000, 3, people[:10])
        token = accounts.start_session(session, viewer, user_agent="bench")
        session.commit()
        body_ids = (small.id, large.id)
    engine.dispose()
    nonce = secrets.token_urlsafe(24)
    return {
        "small_body": body_ids[0],
        "large_body": body_ids[1],
        "meeting": small_ids[-1],  # 50 attendees
        "cookie": f"{SESSION_COOKIE}={token}; wethi_csrf={nonce}",
    }


# -- servers --------------------------------------------------------------------------


def uvicorn_command(app: str, port: int, *extra: str) -> list[str]:
    """The floors on the stack `wethi serve` uses: uvicorn (uvloop, httptools), one worker."""
    return [sys.executable, "-m", "uvicorn", app, "--app-dir", str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(WORKERS), "--log-level", "warning", "--no-server-header", *extra]  # fmt: skip


def main() -> int:
    warmup, seconds, rounds, connections, quick = page_bench_options(__doc__.split("\n\n")[0])
    data_dir, env = fresh_data_dir("wethi-bench-pages-")
    try:
        log(f"Preparing the database in {data_dir} …")
        data = prepare_database()
        with processes() as running:
            ports = {"wethi": free_port(), "floor": free_port(), "hello": free_port()}
            servers = {
                "wethi": running.start(
                    "wethi",
                    [
                        sys.executable,
                        "-c",
                        "from forum.cli import main; main()",
                        "serve",
                        "--port",
                        str(ports["wethi"]),
                    ],
                    env=env,
                ),
                "floor": running.start(
                    "floor", uvicorn_command("_floor:app", ports["floor"]), env=env
                ),
                "hello": running.start(
                    "hello",
                    uvicorn_command("_floor:hello", ports["hello"], "--lifespan", "off"),
                    env=env,
                ),
            }
            for name, process in servers.items():
                wait_until_serving(process, f"http://127.0.0.1:{ports[name]}/")
            log(
                f"Servers up (pids {', '.join(str(p.pid) for p in servers.values())}): wethi :{ports['wethi']}, floor :{ports['floor']}, hello :{ports['hello']}"
            )
            wethi, floor = (
                f"http://127.0.0.1:{ports['wethi']}",
                f"http://127.0.0.1:{ports['floor']}",
            )
            cookie = {"Cookie": str(data["cookie"])}
            targets = {  # in measuring order: each page next to its floor
                "list20": (
                    "meeting list (20 meetings)",
                    f"{wethi}/bodies/{data['small_body']}/meetings",
                    cookie,
                ),
                "floor20": ("floor: FastAPI + Jinja2, 20-row table", f"{floor}/table/20", {}),
                "list1000": (
                    "meeting list, page 1 of 1,000 meetings",
                    f"{wethi}/bodies/{data['large_body']}/meetings",
                    cookie,
                ),
                "page50": (
                    "meeting page (50 attendees)",
                    f"{wethi}/meetings/{data['meeting']}",
                    cookie,
                ),
                "floor50": ("floor: FastAPI + Jinja2, 50-row table", f"{floor}/table/50", {}),
                "hello": ("raw ASGI hello", f"http://127.0.0.1:{ports['hello']}/", {}),
            }
            samples: dict[str, list[float | None]] = {key: [] for key in targets}
            for round_number in range(1, rounds + 1):
                if rounds > 1:
                    log(f"Round {round_number} of {rounds}:")
                for key, (name, url, headers) in targets.items():
                    samples[key].append(
                        measure(
                            name,
                            url,
                            headers,
                            connections=connections,
                            warmup=warmup,
                            seconds=seconds,
                        )
                    )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    rps = {key: median(values) for key, values in samples.items()}
    results = [
        result("meeting_list_rps", rps["list20"], rps["floor20"], 0.5),
        result("meeting_page_rps", rps["page50"], rps["floor50"], 0.5),
        result("meeting_list_1000_vs_20", rps["list1000"], rps["list20"], 0.9),
        {
            "name": "raw_asgi_hello_rps",
            "value": rps["hello"],
            "unit": "req/s",
            "baseline": None,
            "ratio": None,
            "goal": "none (the server's absolute floor)",
            "met": None,
        },
    ]
    environment = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "db": "sqlite",
        "workers": WORKERS,
        "connections": connections,
        "seconds": seconds,
        "rounds": rounds,
        "quick": quick,
    }
    print(
        json.dumps({"bench": "pages", "results": results, "env": environment}, ensure_ascii=False),
        flush=True,
    )
    return 0


def measure(
    name: str, url: str, headers: dict[str, str], *, connections: int, warmup: float, seconds: float
) -> float | None:
    """req/s of one page, after checking it answers 200 (None when it does not)."""
    status, _headers, body = fetch(url, headers)
    if status != 200:
        log(f"  {name}: HTTP {status} from {url}; not measured")
        return None
    figures = run_load(
        url, connections=connections, warmup=warmup, seconds=seconds, headers=headers
    )
    log(
        f"  {name}: {figures['rps']:.0f} req/s  (p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, {len(body):,} bytes, {figures['errors']} errors)"
    )
    return figures["rps"]


def median(values: list[float | None]) -> float | None:
    known = sorted(value for value in values if value is not None)
    return known[len(known) // 2] if known else None


def result(
    name: str, value: float | None, baseline: float | None, goal: float
) -> dict[str, object]:
    ratio = round(value / baseline, 3) if value and baseline else None
    return {
        "name": name,
        "value": value,
        "unit": "req/s",
        "baseline": baseline,
        "ratio": ratio,
        "goal": f"ratio >= {goal}",
        "met": ratio is not None and ratio >= goal,
    }


if __name__ == "__main__":
    os.chdir(ROOT)
    try:
        sys.exit(main())
    except Exception as error:  # the last line stays one JSON object, for CI
        traceback.print_exc()
        print(
            json.dumps(
                {"bench": "pages", "results": [], "error": f"{type(error).__name__}: {error}"}
            ),
            flush=True,
        )
        sys.exit(1)
