"""forum.web.public_url: the address for links that leave the browser (QR codes, share
links) — WETHI_BASE_URL when it was set, else the address the request came to."""

from __future__ import annotations

import httpx
import pytest

from forum import middleware, web

pytestmark = pytest.mark.anyio


async def _seen(public_url: str, headers: dict[str, str]) -> str:
    seen: list[str] = []

    async def app(scope, receive, send):
        seen.append(web.public_url())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    wrapped = middleware.WebMiddleware(
        app, secret_key="k" * 40, default_locale="th", secure_cookies=False, public_url=public_url
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://testserver") as client:
        await client.get("/", headers=headers)
    return seen[0]


async def test_the_configured_address_wins():
    assert await _seen("https://wethi.example.org/", {"Host": "10.0.0.5:8000"}) == "https://wethi.example.org"


async def test_otherwise_the_address_the_request_came_to():
    assert await _seen("", {"Host": "192.168.1.20:8000"}) == "http://192.168.1.20:8000"
    assert await _seen("", {"Host": "10.0.0.5", "X-Forwarded-Host": "wethi.pea.example"}) == "http://wethi.pea.example"


def test_outside_a_request_the_configured_default():
    assert web.public_url().startswith("http")
