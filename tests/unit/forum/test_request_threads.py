"""A worker runs its requests' database work in a few threads (WETHI_REQUEST_THREADS): past
a few, Python's threads only take the interpreter's lock from each other (issue 11: a hall
joining at once got in at 260 joins/s with Starlette's 40 threads, 330 with 4)."""

from __future__ import annotations

import pytest
from anyio import to_thread

from forum.app import create_app
from forum.config import get_settings

pytestmark = pytest.mark.anyio


async def test_the_server_runs_requests_in_the_configured_threads(engine, session):
    settings = get_settings().model_copy(update={"request_threads": 3})
    app = create_app(settings, engine=engine)
    async with app.router.lifespan_context(app):
        assert to_thread.current_default_thread_limiter().total_tokens == 3


def test_the_default_is_a_few(tmp_path, monkeypatch):
    from forum.config import load_settings

    monkeypatch.setenv("WETHI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WETHI_REQUEST_THREADS", raising=False)
    assert 1 <= load_settings().request_threads <= 8
