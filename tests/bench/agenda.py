"""Agenda benchmark (DESIGN.md §7, issue 3): requests per second of a meeting's agenda page
and its busiest item page, against the framework's floor measured in the same run.

    python tests/bench/agenda.py [--quick]

Builds a SQLite database in a temporary data directory (a body with a published agenda of
25 items in the customary parts and 200 posts spread over them, a second body whose one
item carries 200 posts, a logged-in member), starts `wethi serve` and the bare FastAPI +
Jinja2 table page of tests/bench/_floor.py (both uvicorn, one worker, 127.0.0.1, separate
processes), loads each from another process over keep-alive connections, and prints as
its last line one JSON object:

    {"bench": "agenda", "results": [...], "env": {...}}

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
    ROOT,
    bench_people,
    free_port,
    fresh_data_dir,
    install_packages,
    log,
    page_bench_options,
    processes,
    wait_until_serving,
)
from pages import WORKERS, measure, median, result, uvicorn_command  # noqa: E402

ITEMS = 25
POSTS = 200
# Posts per item, busiest first (sums to POSTS); the last item has no discussion.
SHARES = [44, 25, 20, 15, 12, 10, 8, 8, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 1, 0]
# Items added to each part (part 2 also gets the previous meeting's minutes: 24 + 1 = 25).
PARTS = [("information", 4), ("follow_up", 4), ("consideration", 12), ("other", 4)]
TEXT = (
    "เห็นด้วยในหลักการ แต่ขอให้ สพจ. ชี้แจงแหล่งงบประมาณและแผนการดูแลรักษาระบบหลังติดตั้ง "
    "โดยเฉพาะการอบรม **อส.พน.** ในพื้นที่ให้สามารถดูแลได้เอง\n\n"
    "- ค่าบำรุงรักษารายปี\n- ผู้รับผิดชอบหลังส่งมอบ"
)


# -- data -----------------------------------------------------------------------------


def prepare_database() -> dict[str, object]:
    """Migrate, load reference data and the benchmark's agendas through the services."""
    install_packages()
    from sqlmodel import Session, select

    import forum.app  # noqa: F401 (the composition root: every package's rules and hooks)
    from deliberation.agenda import agendas, publishing
    from deliberation.agenda.models import AgendaItemKind, AgendaPart
    from deliberation.discussion import threads
    from deliberation.discussion.models import PostStance
    from forum import accounts, db
    from forum.config import load_settings
    from forum.dates import buddhist_year, to_local
    from forum.models import (
        Body,
        BodyKind,
        Meeting,
        MeetingStatus,
        Membership,
        Region,
        Role,
    )
    from forum.security import new_numeric_code
    from forum.web import SESSION_COOKIE

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        people = bench_people(session, 21)
        north = session.exec(select(Region).where(Region.code == "north")).one()
        bodies = [
            Body(kind=BodyKind.working_group, name=name, region_id=north.id)
            for name in (
                "คณะทำงานพลังงานและสิ่งแวดล้อมชุมชน ภาคเหนือ",
                "คณะทำงานพลังงานชุมชน ภาคเหนือตอนล่าง",
            )
        ]
        session.add_all(bodies)
        session.flush()
        secretary, viewer, speakers = people[0], people[1], people[1:]
        for body in bodies:
            session.add(Membership(body_id=body.id, person_id=secretary.id, role=Role.secretary))
            session.add_all(
                Membership(body_id=body.id, person_id=person.id, role=Role.member)
                for person in speakers
            )
        session.commit()

        def add_meeting(body: Body, starts_at, status: MeetingStatus) -> Meeting:
            row = Meeting(
                body_id=body.id,
                year_be=buddhist_year(to_local(starts_at)),
                number=1 if status == MeetingStatus.closed else 2,
                title="เวทีหารือและระดมความคิดเห็นการพัฒนาแนวทางการทำงานร่วมกันระหว่าง สพจ. และเครือข่าย",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                venue="ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
                status=status,
                checkin_code=new_numeric_code(6),
            )
            session.add(row)
            session.commit()
            return row

        boss = accounts.actor_for(session, secretary)

        def add_items(meeting: Meeting, parts: list[tuple[str, int]]) -> None:
            for kind, count in parts:
                for n in range(1, count + 1):
                    agenda, _meeting = agendas.ensure_agenda(session, boss, meeting_id=meeting.id)
                    part_id = session.exec(
                        select(AgendaPart.id).where(
                            AgendaPart.agenda_id == agenda.id,
                            AgendaPart.kind == AgendaItemKind(kind),
                        )
                    ).first()
                    agendas.add_item(
                        session,
                        boss,
                        meeting_id=meeting.id,
                        version=agenda.version,
                        part_id=part_id,
                        title=f"ขออนุมัติโครงการพลังงานชุมชนต้นแบบ ลำดับที่ {n} ประจำปีงบประมาณ 2569",
                        description="ติดตั้งระบบผลิตไฟฟ้าจากพลังงานแสงอาทิตย์บนหลังคาศูนย์เรียนรู้ชุมชน",
                        presenter_id=speakers[n % len(speakers)].id,
                        time_box_minutes=15,
                    )
            agenda, _meeting = agendas.ensure_agenda(session, boss, meeting_id=meeting.id)
            publishing.publish_agenda(session, boss, meeting_id=meeting.id, version=agenda.version)

        stances = list(PostStance)

        def discuss(meeting: Meeting, item_id: int, count: int) -> None:
            """`count` posts; every third one a reply to the latest top-level post."""
            top = None
            for n in range(count):
                author = speakers[n % len(speakers)]
                reply = top is not None and n % 3 == 2
                post = threads.create_post(
                    session,
                    accounts.actor_for(session, author),
                    meeting_id=meeting.id,
                    item_id=item_id,
                    body=TEXT,
                    stance=None if reply else stances[n % len(stances)],
                    parent_id=top.id if reply else None,
                )
                if not reply:
                    top = post

        now = db.utcnow().replace(hour=2, minute=30, second=0, microsecond=0)
        add_meeting(bodies[0], now - timedelta(days=30), MeetingStatus.closed)
        meeting = add_meeting(bodies[0], now + timedelta(days=7), MeetingStatus.agenda_open)
        add_items(meeting, PARTS)
        items = agendas.items_of(session, agendas.agenda_of(session, meeting.id).id)
        assert len(items) == ITEMS, len(items)
        for item, count in zip(items, SHARES, strict=True):
            discuss(meeting, item.id, count)
        busiest = items[0].id

        single = add_meeting(bodies[1], now + timedelta(days=7), MeetingStatus.agenda_open)
        add_items(single, [("consideration", 1)])
        only = agendas.items_of(session, agendas.agenda_of(session, single.id).id)[0].id
        discuss(single, only, POSTS)

        token = accounts.start_session(session, viewer, user_agent="bench")
        session.commit()
        ids = (meeting.id, busiest, single.id, only)
    engine.dispose()
    nonce = secrets.token_urlsafe(24)
    return {
        "meeting": ids[0],
        "busiest_item": ids[1],
        "single_meeting": ids[2],
        "single_item": ids[3],
        "cookie": f"{SESSION_COOKIE}={token}; wethi_csrf={nonce}",
    }


# -- servers --------------------------------------------------------------------------


def main() -> int:
    warmup, seconds, rounds, connections, quick = page_bench_options(__doc__.split("\n\n")[0])
    data_dir, env = fresh_data_dir("wethi-bench-agenda-")
    try:
        log(f"Preparing the database in {data_dir} …")
        data = prepare_database()
        with processes() as running:
            ports = {"wethi": free_port(), "floor": free_port()}
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
            }
            for name, process in servers.items():
                wait_until_serving(process, f"http://127.0.0.1:{ports[name]}/")
            log(
                f"Servers up (pids {', '.join(str(p.pid) for p in servers.values())}): wethi :{ports['wethi']}, floor :{ports['floor']}"
            )
            wethi, floor = (
                f"http://127.0.0.1:{ports['wethi']}",
                f"http://127.0.0.1:{ports['floor']}",
            )
            cookie = {"Cookie": str(data["cookie"])}
            meeting, single = data["meeting"], data["single_meeting"]
            busiest_posts, all_posts = SHARES[0], POSTS
            targets = {  # in measuring order: each page next to its floor
                "agenda": (
                    f"agenda page ({ITEMS} items, {POSTS} posts)",
                    f"{wethi}/meetings/{meeting}/agenda",
                    cookie,
                ),
                "floor_agenda": (
                    f"floor: FastAPI + Jinja2, {ITEMS}-row table",
                    f"{floor}/table/{ITEMS}",
                    {},
                ),
                "item": (
                    f"busiest item page ({busiest_posts} of {POSTS} posts)",
                    f"{wethi}/meetings/{meeting}/agenda/items/{data['busiest_item']}",
                    cookie,
                ),
                "floor_item": (
                    f"floor: FastAPI + Jinja2, {busiest_posts}-row table",
                    f"{floor}/table/{busiest_posts}",
                    {},
                ),
                "item_all": (
                    f"item page carrying all {all_posts} posts",
                    f"{wethi}/meetings/{single}/agenda/items/{data['single_item']}",
                    cookie,
                ),
                "floor_all": (
                    f"floor: FastAPI + Jinja2, {all_posts}-row table",
                    f"{floor}/table/{all_posts}",
                    {},
                ),
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
        result("agenda_page_rps", rps["agenda"], rps["floor_agenda"], 0.5)
        | {"items": ITEMS, "posts": POSTS, "floor_rows": ITEMS},
        result("agenda_item_page_rps", rps["item"], rps["floor_item"], 0.5)
        | {
            "item": "busiest",
            "posts": busiest_posts,
            "of_posts": POSTS,
            "floor_rows": busiest_posts,
        },
        result("agenda_item_all_posts_rps", rps["item_all"], rps["floor_all"], 0.5)
        | {"item": "single item", "posts": all_posts, "of_posts": POSTS, "floor_rows": all_posts},
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
        json.dumps({"bench": "agenda", "results": results, "env": environment}, ensure_ascii=False),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    try:
        sys.exit(main())
    except Exception as error:  # the last line stays one JSON object, for CI
        traceback.print_exc()
        print(
            json.dumps(
                {"bench": "agenda", "results": [], "error": f"{type(error).__name__}: {error}"}
            ),
            flush=True,
        )
        sys.exit(1)
