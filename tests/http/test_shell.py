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


async def test_an_oversized_form_is_refused_before_any_route_runs(client):
    response = await client.post("/login", {"email": "x" * 1_100_000, "password": "x"})
    assert response.status_code == 413


async def test_an_unexpected_error_is_a_friendly_500_page(app, client):
    async def broken():
        raise RuntimeError("boom")

    app.add_api_route("/test-broken", broken)
    transport_client = client.http
    transport_client._transport = type(transport_client._transport)(app=app, raise_app_exceptions=False)
    response = await client.get("/test-broken")
    assert response.status_code == 500
    assert "boom" not in response.text
    assert '<html lang="th">' in response.text


async def test_htmx_request_gets_only_the_block_and_errors_go_to_main(client):
    page = await client.post("/login", {"email": "nobody@example.org", "password": "wrong"}, htmx=True)
    assert page.status_code == 422
    assert page.text.lstrip().startswith('<form id="login_form"')
    assert "Vary" in page.headers and "HX-Request" in page.headers["Vary"]
    missing = await client.get("/no-such-page", htmx=True)
    assert missing.status_code == 404
    assert missing.headers["HX-Retarget"] == "#main"
    assert "<html" not in missing.text


async def test_an_english_browser_still_gets_thai_until_switched(client):
    page = await client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="th">' in page.text


async def test_forms_carry_a_working_csrf_token_in_pages_and_blocks(client):
    import re

    page = await client.get("/login")
    tokens = set(re.findall(r'name="csrf_token" value="([^"]*)"', page.text))
    assert tokens == {await client.csrf_token()}
    block = await client.post("/login", {"email": "a@example.org", "password": "x"}, htmx=True)
    assert f'value="{await client.csrf_token()}"' in block.text


async def test_a_forged_flash_cookie_is_shown_as_text_not_html(client):
    client.http.cookies.set("wethi_flash", "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    page = await client.get("/login")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_missing_page_still_shows_the_person_logged_in(as_member):
    web = await as_member(None)
    page = await web.get("/no-such-page")
    assert page.status_code == 404
    assert 'action="/logout"' in page.text


async def test_a_page_number_that_is_not_a_number_is_a_404_not_a_form_error(as_member):
    web = await as_member(None)
    page = await web.get("/people/abc")
    assert page.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in page.text


async def test_the_privacy_notice_shows_the_person_logged_in(as_member):
    web = await as_member(None)
    page = await web.get("/privacy")
    assert 'action="/logout"' in page.text


async def test_meeting_pages_do_not_mark_my_data_as_the_current_page(session, as_member):
    from tests import factories

    web = await as_member("member")
    meeting = factories.meeting(session, web.body)
    page = await web.get(f"/meetings/{meeting.id}")
    assert 'href="/me" aria-current="page"' not in page.text


async def test_the_error_summary_names_each_field_and_a_wrong_password_has_no_field_heading(client):
    wrong = await client.post("/login", {"email": "nobody@example.org", "password": "wrong-password"})
    assert "กรุณาแก้ไขช่องที่ระบุไว้" not in wrong.text and "Please correct the highlighted fields." not in wrong.text
    await client.post("/language", {"locale": "en", "next": "/"})
    wrong = await client.post("/login", {"email": "nobody@example.org", "password": "wrong-password"})
    assert "The email or password is not right." in wrong.text
    assert "Please correct the highlighted fields." not in wrong.text


async def test_the_error_summary_says_which_field_each_message_is_about(as_member):
    web = await as_member("secretary")
    await web.post("/language", {"locale": "en", "next": "/"})
    page = await web.post(f"/bodies/{web.body.id}/meetings/new", {"title": "x"})
    assert page.status_code == 422
    assert '<a href="#starts_at">Starts: This field is required.</a>' in page.text
