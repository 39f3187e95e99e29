"""Static files for phones on weak networks (forum/static.py): versioned addresses kept a
year, text files compressed, an address without the version revalidated each time."""

from __future__ import annotations

import re

import pytest

from forum.web import STATIC_DIR, STATIC_VERSION

pytestmark = pytest.mark.anyio


async def test_pages_name_static_files_with_the_release_version(make_client):
    page = await make_client().get("/login")
    addresses = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert addresses and all(address.endswith(f"?v={STATIC_VERSION}") for address in addresses)


async def test_a_versioned_file_is_kept_a_year_and_compressed(make_client):
    client = make_client()
    response = await client.get(f"/static/vendor/htmx/htmx.min.js?v={STATIC_VERSION}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip" and response.headers["vary"] == "Accept-Encoding"
    original = (STATIC_DIR / "vendor/htmx/htmx.min.js").read_bytes()
    raw = await client.get(f"/static/vendor/htmx/htmx.min.js?v={STATIC_VERSION}", headers={"Accept-Encoding": "identity"})
    assert raw.content == original and "content-encoding" not in raw.headers
    assert int(response.headers["content-length"]) < len(original) / 2


async def test_without_the_version_a_file_is_revalidated(make_client):
    client = make_client()
    response = await client.get("/static/css/wethi.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert b"Live sessions" in response.content  # httpx decodes the gzip body
    again = await client.get("/static/css/wethi.css", headers={"If-None-Match": response.headers["etag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304


async def test_fonts_are_sent_as_they_are(make_client):
    font = next(STATIC_DIR.glob("vendor/sarabun/**/*.woff2"))
    response = await make_client().get(f"/static/{font.relative_to(STATIC_DIR).as_posix()}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert response.content == font.read_bytes()
