"""Static files for phones on weak networks: each file's address carries the version of the
whole static directory (`/static/js/wethi.js?v=<STATIC_VERSION>`, templates' `static_version`),
so a browser keeps it a year without asking again, and a new release is new addresses;
text files (CSS, JavaScript, SVG) go compressed with gzip when the browser accepts it, each
compressed once per process. Without the version (an old page, a hand-typed address) a file
is revalidated on each use (ETag)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

COMPRESSED = {".css", ".js", ".svg", ".json", ".txt", ".map"}
KEEP_A_YEAR = "public, max-age=31536000, immutable"
ASK_EACH_TIME = "no-cache"


def directory_version(directory: Path) -> str:
    """A short hash of every file's path and content: the same on every worker and machine
    serving the same release."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(directory)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


class Static(StaticFiles):
    def __init__(self, *, directory: Path, version: str) -> None:
        super().__init__(directory=directory)
        self.version = version
        self._gzipped: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 304):
            return response
        query = scope.get("query_string", b"").decode("latin-1")
        versioned = f"v={self.version}" in query.split("&")
        response.headers["Cache-Control"] = KEEP_A_YEAR if versioned else ASK_EACH_TIME
        if response.status_code == 200 and isinstance(response, FileResponse):
            return self._compressed(response, scope) or response
        return response

    def _compressed(self, response: FileResponse, scope: Scope) -> Response | None:
        source = Path(response.path)
        accepts = Headers(scope=scope).get("accept-encoding", "")
        if source.suffix not in COMPRESSED or "gzip" not in accepts:
            return None
        stat = source.stat()
        key = (str(source), stat.st_mtime_ns)
        with self._lock:
            body = self._gzipped.get(key)
        if body is None:
            body = gzip.compress(source.read_bytes(), compresslevel=9, mtime=0)
            with self._lock:
                self._gzipped[key] = body
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "content-encoding", "accept-ranges")
        }
        headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
        return Response(body, status_code=200, headers=headers, media_type=response.media_type)
