"""The web shell: security headers, CSRF, language switch, error pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_start_page_is_thai_by_default_with_security_headers(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="th">' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_post_without_csrf_token_is_refused_and_changes_nothing(client):
    response = await client.post("/login", {"email": "a@example.org", "password": "x"}, csrf=False)
    assert response.status_code == 403
    assert "แบบฟอร์มนี้หมดอายุแล้ว" in response.text


async def test_language_switch_sticks(client):
    response = await client.post("/language", {"locale": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    page = await client.get("/login")
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text


async def test_language_switch_never_redirects_off_site(client):
    response = await client.post("/language", {"locale": "en", "next": "https://evil.example/"})
    assert response.headers["location"] == "/"


async def test_unknown_page_is_a_friendly_404_in_thai(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.text
