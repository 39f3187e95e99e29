"""The LISTEN/NOTIFY backend's parts that need no server (forum/live_postgres.py), and
which backend the settings give (forum.live.make_hub). The backend itself on a real
PostgreSQL: tests/pg/test_live_postgres_pg.py and test_live_servers_pg.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import live, live_postgres
from forum.config import ConfigError, Settings


def test_a_small_frame_travels_inside_its_notification():
    html = '<p id="x" hx-swap-oob="true">ผู้เข้าประชุม 12 คน</p>\n'
    text = live_postgres.payload("abc", "meeting:12", 7, html)
    assert live_postgres.parse(text) == ("abc", "meeting:12", 7, html)


def test_a_frame_too_large_for_a_notification_sends_only_its_number():
    html = "<p>" + "ก" * 2700 + "</p>"  # 8,100 bytes of UTF-8
    text = live_postgres.payload("abc", "agenda:3", 41, html)
    assert text == "abc agenda:3 41"
    assert live_postgres.parse(text) == ("abc", "agenda:3", 41, None)


def test_a_notification_this_version_did_not_send_is_ignored():
    for text in ("", "hello", "a meeting:1", "a meeting:1 x", "a Meeting:1 2", "a b c d"):
        assert live_postgres.parse(text) is None


def test_the_listener_connects_to_the_engines_database_under_its_own_name():
    url = sa.make_url("postgresql+psycopg://wethi:s%40cret@db.example:5433/wethi?sslmode=require")
    conninfo = live_postgres.listener_conninfo(url)
    for part in (
        "user=wethi",
        "password=s@cret",
        "host=db.example",
        "port=5433",
        "dbname=wethi",
        "sslmode=require",
        "application_name=wethi-live",
        "keepalives=1",
    ):
        assert part in conninfo.split(" ")


def test_the_postgres_backend_is_refused_on_sqlite_and_auto_stays_in_process(engine):
    with pytest.raises(ConfigError, match="WETHI_LIVE_BACKEND: 'postgres' needs a PostgreSQL"):
        live.make_hub(Settings(live_backend="postgres"), engine)
    for choice in ("auto", "memory"):
        hub = live.make_hub(Settings(live_backend=choice), engine)
        assert isinstance(hub.backend, live.InProcessBackend)
