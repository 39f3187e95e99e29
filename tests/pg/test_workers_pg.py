"""The operator's setup: `wethi serve --workers 2` on PostgreSQL. Every request may land on
either worker, so a log-in made by one must hold on the other, and every check-in lands
once in the shared database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

from sqlmodel import Session, select

from forum import db
from forum.models import Attendance, AttendanceEvent, Role
from tests import factories
from tests.unit.forum.test_migrations import CLI, free_port, run_cli


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def test_two_workers_share_sessions_and_records(empty_database, tmp_path):
    assert run_cli("migrate", database_url=empty_database, data_dir=tmp_path).returncode == 0
    engine = db.make_engine(empty_database)
    with Session(engine, expire_on_commit=False) as session:
        body = factories.body(session)
        members = [factories.member(session, body, Role.member) for _ in range(6)]
        meeting = factories.meeting(session, body, starts_in=timedelta(minutes=20))
    port = free_port()
    env = os.environ | {"WETHI_DATABASE_URL": empty_database, "WETHI_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, server.stderr.read1().decode()
                time.sleep(0.2)
        for member in members:
            browser = _opener()
            token = _form_token(browser.open(base + "/login").read().decode())
            login = urllib.parse.urlencode(
                {"email": member.email, "password": factories.PASSWORD, "csrf_token": token}
            )
            browser.open(base + "/login", data=login.encode()).read()
            # Several requests, so both workers answer some of them with this session.
            for _ in range(4):
                page = browser.open(f"{base}/meetings/{meeting.id}").read().decode()
                assert member.display_name in page
            check_in = urllib.parse.urlencode(
                {"code": meeting.checkin_code, "csrf_token": _form_token(page)}
            )
            browser.open(base + "/checkin", data=check_in.encode()).read()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    with Session(engine) as session:
        checked_in = session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.checked_in_at.is_not(None)
            )
        ).all()
        events = session.exec(
            select(AttendanceEvent).where(AttendanceEvent.meeting_id == meeting.id)
        ).all()
    engine.dispose()
    assert sorted(a.person_id for a in checked_in) == sorted(m.id for m in members)
    assert len(events) == len(members)
