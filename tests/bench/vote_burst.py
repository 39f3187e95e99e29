"""Vote burst benchmark (issue 13): 2,000 members cast in a secret ballot at once.

    python tests/bench/vote_burst.py [--quick]

Builds a database in a temporary data directory: a committee of 2,000 voting members, each
with their own API token, and open secret approval ballots. Starts `wethi serve` (one
worker, SQLite) and the baseline (tests/bench/_bare_cast.py: the same stack and the same
token lookup, one durable insert per POST) on 127.0.0.1. Then, from 4 client processes with
many connections each:

- burst: all 2,000 press at once (a cast each, through POST /api/v1/ballots/<id>/votes):
  the time until the last is acknowledged, casts per second, each cast's p50 and p99;
- hall: 2,000 casts arriving evenly over 10 s: p50 and p99;
- baseline: the same burst against the bare endpoint: POSTs per second;
- lost (acknowledged but not on the roll, must be 0) and duplicated (roll lines beyond one
  per voter, must be 0), read from the database afterwards;
- the disk's flush: an fsync of a 4 KiB write in the data directory, the median of 50 (every
  acknowledged cast waits for one: forum.db.durable).

The last line printed is one JSON object: {"bench": "vote_burst", "results": [{"name",
"value", "unit", "baseline", "ratio", "goal", "met"}, ...], "details": {...}, "env": {...}}.
Not measured yet (issue 13's notes say what comes next): the same with all 2,000 holding
the live session open, and two workers on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import (  # noqa: E402
    BENCH_DIR,
    ROOT,
    bench_people,
    free_port,
    fresh_data_dir,
    install_packages,
    log,
    processes,
    wait_until_serving,
)

VOTERS = 2000
CLIENTS = 4  # client processes
CONNECTIONS = 128  # per client process


# -- data ------------------------------------------------------------------------------------


def prepare_database(
    voters: int, ballots_wanted: int
) -> tuple[list[str], list[tuple[int, list[int]]]]:
    """Migrate; a committee of `voters` members with their own API tokens (used before: the
    run measures casts, not a token's first use); open secret approval ballots. Returns the
    tokens, their people's ids and each ballot's (id, option ids)."""
    install_packages()
    from sqlmodel import Session

    from forum import accounts, db
    from forum.app import create_app
    from forum.config import load_settings
    from forum.models import ApiToken, Body, BodyKind, Membership, Role
    from forum.security import new_token, token_hash
    from voting import ballots
    from voting.ballots import OptionSpec
    from voting.models import BallotMethod

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    create_app(settings, engine=engine)  # the packages' rules
    tokens: list[str] = []
    seats: list[int] = []
    made: list[tuple[int, list[int]]] = []
    with Session(engine, expire_on_commit=False) as session:
        people = bench_people(session, voters + 1)
        body = Body(kind=BodyKind.committee, name="คณะกรรมการพัฒนาพลังงานและสิ่งแวดล้อมชุมชน")
        session.add(body)
        session.flush()
        for number, person in enumerate(people):
            role = Role.chair if number == 0 else Role.member
            session.add(Membership(body_id=body.id, person_id=person.id, role=role))
            if number:
                token = "wethi_" + new_token()
                used = db.utcnow()  # as a phone's token is: its first use is not the cast
                session.add(
                    ApiToken(
                        person_id=person.id,
                        name="bench",
                        token_hash=token_hash(token),
                        last_used_at=used,
                    )
                )
                tokens.append(token)
                seats.append(person.id)
        session.commit()
        chair = accounts.actor_for(session, people[0])
        options = [
            OptionSpec("โซลาร์เซลล์บนหลังคาโรงเรียน"),
            OptionSpec("เตาชีวมวล"),
            OptionSpec("ไบโอแก๊ส"),
        ]
        for number in range(ballots_wanted):
            ballot = ballots.create_ballot(
                session, chair, body_id=body.id, title=f"เลือกโครงการนำร่อง {number + 1}",
                method=BallotMethod.approval, options=options, most=2,
            )  # fmt: skip
            ballots.open_ballot(session, chair, ballot_id=ballot.id)
            made.append(
                (ballot.id, [option.id for option in ballots.options_of(session, ballot.id)])
            )  # type: ignore[misc]
    engine.dispose()
    return tokens, seats, made


def roll_figures(ballot_id: int, acknowledged: set[int]) -> dict:
    """What the database holds after a run: lost casts (acknowledged seats not on the roll)
    and duplicated ones (roll lines, sealed choices or receipts beyond one per seat)."""
    from sqlmodel import Session, func, select

    from forum import db
    from forum.config import load_settings
    from voting.models import BallotReceipt, BallotSealed, BallotVoter

    engine = db.make_engine(load_settings().database_url)
    with Session(engine) as session:

        def count(model):
            return session.exec(
                select(func.count()).select_from(model).where(model.ballot_id == ballot_id)
            ).one()

        roll, sealed, receipts = count(BallotVoter), count(BallotSealed), count(BallotReceipt)
        on_roll = set(
            session.exec(
                select(BallotVoter.seat_id).where(BallotVoter.ballot_id == ballot_id)
            ).all()
        )
    engine.dispose()
    return {
        "on_the_roll": roll,
        "sealed": sealed,
        "receipts": receipts,
        "lost": len(acknowledged - on_roll),
        "duplicated": (roll - len(on_roll)) + abs(sealed - roll) + abs(receipts - roll),
    }


def flush_ms(directory: Path, times: int = 50) -> float:
    """The median time of one fsync of a 4 KiB write in `directory` (the disk under the data)."""
    path = directory / "flush-probe"
    took = []
    with path.open("wb") as probe:
        for _ in range(times):
            probe.write(os.urandom(4096))
            start = time.perf_counter()
            probe.flush()
            os.fsync(probe.fileno())
            took.append(time.perf_counter() - start)
    path.unlink()
    return round(statistics.median(took) * 1000, 3)


# -- the clients -----------------------------------------------------------------------------


def client_main(spec: dict) -> None:
    """One client process: its share of the voters, each one cast, at `start` (all at once)
    or spread evenly over `spread` seconds from it. Prints {"took": [...], "errors": [...]}."""
    import httpx

    async def run() -> dict:
        limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
        async with httpx.AsyncClient(base_url=spec["base"], limits=limits, timeout=60) as client:
            await client.get("/")  # connected before the start
            took: list[float] = []
            errors: list[str] = []
            acked: list[int] = []

            async def one(number: int, token: str) -> None:
                delay = spec["start"] + spec["spread"] * number / spec["total"] - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                began = time.perf_counter()
                choice = [spec["options"][number % 3], spec["options"][(number + 1) % 3]][
                    : 1 + number % 2
                ]
                try:
                    answer = await client.post(
                        spec["path"],
                        json={"choice": choice, "key": f"burst-{number}"},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.HTTPError as error:
                    errors.append(type(error).__name__)
                    return
                if answer.status_code in (200, 201):
                    took.append(time.perf_counter() - began)
                    acked.append(number)
                else:
                    errors.append(f"{answer.status_code} {answer.text[:120]}")

            await asyncio.gather(*(one(number, token) for number, token in spec["voters"]))
            return {"took": took, "errors": errors, "acked": acked, "ended": time.time()}

    print(json.dumps(asyncio.run(run())))


def drive(base: str, path: str, tokens: list[str], options: list[int], *, spread: float) -> dict:
    """All voters cast from CLIENTS processes, starting together 2 s from now."""
    start = time.time() + 2.0 + 0.3 * CLIENTS
    shares = [list(enumerate(tokens))[n::CLIENTS] for n in range(CLIENTS)]
    running = []
    for share in shares:
        spec = {
            "base": base,
            "path": path,
            "voters": share,
            "options": options,
            "start": start,
            "spread": spread,
            "total": len(tokens),
        }
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--client"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        process.stdin.write(json.dumps(spec))
        process.stdin.close()
        running.append(process)
    outputs = [json.loads(process.stdout.read()) for process in running]
    for process in running:
        process.wait()
    took = sorted(t for output in outputs for t in output["took"])
    acked = {number for output in outputs for number in output["acked"]}
    errors = [e for output in outputs for e in output["errors"]]
    seconds = max(output["ended"] for output in outputs) - start
    return {
        "acknowledged": len(took),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "seconds": round(seconds, 3),
        "per_second": round(len(took) / seconds, 1) if seconds > 0 else None,
        "p50_ms": round(took[len(took) // 2] * 1000, 1) if took else None,
        "p99_ms": round(took[min(len(took) - 1, int(len(took) * 0.99))] * 1000, 1)
        if took
        else None,
        "acked": acked,
    }


# -- the run -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 voters")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(json.loads(sys.stdin.read()))
        return 0
    voters = 500 if args.quick else VOTERS
    data_dir, env = fresh_data_dir("wethi-bench-votes-")
    log(f"Preparing {voters} voters in {data_dir} …")
    tokens, seats, made = prepare_database(voters, ballots_wanted=2)
    details: dict = {"voters": voters, "flush_ms_median": flush_ms(data_dir)}
    with processes() as running:
        port, bare_port = free_port(), free_port()
        wethi = running.start(
            "wethi",
            [
                sys.executable,
                "-c",
                "from forum.cli import main; main()",
                "serve",
                "--port",
                str(port),
            ],
            env=env,
        )
        bare = running.start(
            "bare",
            [sys.executable, "-m", "uvicorn", "_bare_cast:app", "--app-dir", str(BENCH_DIR), "--host", "127.0.0.1",
             "--port", str(bare_port), "--log-level", "warning", "--no-server-header", "--backlog", "4096"],
            env=env,
        )  # fmt: skip
        base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        wait_until_serving(wethi, base + "/")
        wait_until_serving(bare, bare_base + "/")
        (burst_id, burst_options), (hall_id, hall_options) = made
        log(f"Burst: {voters} casts at once …")
        details["burst"] = drive(
            base, f"/api/v1/ballots/{burst_id}/votes", tokens, burst_options, spread=0.0
        )
        details["burst"] |= roll_figures(
            burst_id, {seats[n] for n in details["burst"].pop("acked")}
        )
        log(f"  {json.dumps(details['burst'])}")
        log(f"Hall: {voters} casts over 10 s …")
        details["hall"] = drive(
            base, f"/api/v1/ballots/{hall_id}/votes", tokens, hall_options, spread=10.0
        )
        details["hall"] |= roll_figures(hall_id, {seats[n] for n in details["hall"].pop("acked")})
        log(f"  {json.dumps(details['hall'])}")
        log("Baseline: the same burst against the bare endpoint …")
        details["baseline"] = drive(bare_base, "/cast", tokens, burst_options, spread=0.0)
        details["baseline"].pop("acked")
        log(f"  {json.dumps(details['baseline'])}")
    burst, hall, bare_run = details["burst"], details["hall"], details["baseline"]
    ratio = (
        round(burst["per_second"] / bare_run["per_second"], 3)
        if burst["per_second"] and bare_run["per_second"]
        else None
    )

    def figure(name, value, unit, goal, met, baseline=None, ratio=None):
        return {
            "name": name,
            "value": value,
            "unit": unit,
            "baseline": baseline,
            "ratio": ratio,
            "goal": goal,
            "met": met,
        }

    results = [
        figure(
            "burst_all_acknowledged_s",
            burst["seconds"],
            "s",
            "<= 2 for 2,000",
            burst["seconds"] <= 2 and burst["acknowledged"] == voters,
        ),
        figure(
            "burst_casts_per_second",
            burst["per_second"],
            "casts/s",
            ">= 1000 and >= 0.5 x baseline",
            (burst["per_second"] or 0) >= 1000 and (ratio or 0) >= 0.5,
            bare_run["per_second"],
            ratio,
        ),
        figure("burst_p99_ms", burst["p99_ms"], "ms", "none", None),
        figure(
            "hall_p99_ms",
            hall["p99_ms"],
            "ms",
            "<= 300 (2,000 over 10 s)",
            hall["p99_ms"] is not None and hall["p99_ms"] <= 300 and hall["acknowledged"] == voters,
        ),
        figure(
            "lost", burst["lost"] + hall["lost"], "casts", "== 0", burst["lost"] + hall["lost"] == 0
        ),
        figure(
            "duplicated",
            burst["duplicated"] + hall["duplicated"],
            "casts",
            "== 0",
            burst["duplicated"] + hall["duplicated"] == 0,
        ),
        figure(
            "flush_ms_median",
            details["flush_ms_median"],
            "ms",
            "none (the disk under the data)",
            None,
        ),
    ]
    env_info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "voters": voters,
    }
    print(
        json.dumps(
            {"bench": "vote_burst", "results": results, "details": details, "env": env_info},
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
