"""One ASGI middleware for what every request needs before a route runs: the locale,
the CSRF check on state-changing requests, a body size cap, and the security headers."""

from __future__ import annotations

import json
import secrets
from contextvars import ContextVar
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import i18n, security

CSRF_COOKIE = "wethi_csrf"
SESSION_COOKIE = "wethi_session"  # the log-in (forum.web.dependencies reads it)
SESSION_SCOPE_KEY = "wethi.session"  # the request's database session (forum.web)
current_csrf_token: ContextVar[str] = ContextVar("current_csrf_token", default="")
# The site's address for links that leave the browser (a QR code, a share link): the
# configured WETHI_BASE_URL when it was set; otherwise the address this request came to
# (a facilitator on the hall's network at http://192.168.1.20:8000: phones can reach that,
# not the default 127.0.0.1). Read it with forum.web.public_url().
current_public_url: ContextVar[str] = ContextVar("current_public_url", default="")
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 1_000_000
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def websocket_origin(base_url: str) -> str:
    """The site's own WebSocket origin ("wss://host" for an https site, "ws://host" for
    http), or "" when the base URL names no host."""
    parts = urlsplit(base_url or "")
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme.lower())
    return f"{scheme}://{parts.netloc.lower()}" if scheme and parts.netloc else ""


def content_security_policy(base_url: str = "") -> str:
    """The policy of every page. connect-src names the site's WebSocket origin besides
    'self': WebKit before Safari 15.4 (older iPhones, so LINE's in-app browser there) does
    not let 'self' cover ws:/wss:, and the live pages' socket would be refused."""
    connect = " ".join(filter(None, ["connect-src 'self'", websocket_origin(base_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            connect,
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()  # error pages answered here: no socket


class WebMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        default_locale: str,
        secure_cookies: bool,
        base_url: str = "",
        public_url: str = "",
    ) -> None:
        self.app = app
        self.public_url = public_url.rstrip("/")
        self.secret_key = secret_key
        self.default_locale = default_locale
        self.secure_cookies = secure_cookies
        self.security_headers = _security_headers(secure_cookies, content_security_policy(base_url))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie = cookie_parser(headers.get("cookie", ""))

        locale = i18n.pick_locale(
            cookie.get("wethi_lang"),
            self.default_locale,
            accept_language=headers.get("accept-language")
            if scope["path"].startswith("/api/")
            else None,
        )
        token = i18n.current_locale.set(locale)
        nonce = cookie.get(CSRF_COOKIE, "")
        new_nonce = "" if nonce else secrets.token_urlsafe(24)
        state = scope.setdefault("state", {})
        state["locale"] = locale
        state["csrf_token"] = security.csrf_token(self.secret_key, nonce or new_nonce)
        csrf_reset = current_csrf_token.set(state["csrf_token"])
        public_reset = current_public_url.set(self.public_url or _address(scope, headers))
        try:
            if scope["method"] in UNSAFE_METHODS:
                as_json = scope["path"].startswith("/api/")
                body = await _read_body(
                    receive, headers
                )  # bearer calls too: the cap applies to all
                if body is None:
                    await _plain_error(
                        send,
                        413,
                        "Request too large.",
                        "คำขอมีขนาดใหญ่เกินไป",
                        locale,
                        as_json=as_json,
                    )
                    return
                if not _carries_no_cookie_authority(
                    headers, cookie, as_json
                ) and not security.csrf_matches(
                    self.secret_key, nonce, _submitted_token(scope, headers, body)
                ):
                    await _plain_error(
                        send,
                        403,
                        "This form has expired. Go back, reload the page and try again.",
                        "แบบฟอร์มนี้หมดอายุแล้ว กรุณากลับไป โหลดหน้าใหม่ แล้วลองอีกครั้ง",
                        locale,
                        as_json=as_json,
                    )
                    return
                receive = _replay(body)
            await self.app(scope, receive, self._sending(send, new_nonce))
        finally:
            if (session := scope.pop(SESSION_SCOPE_KEY, None)) is not None:
                session.close()  # not closed by the route (forum.web.dependencies._request_session)
            i18n.current_locale.reset(token)
            current_csrf_token.reset(csrf_reset)
            current_public_url.reset(public_reset)

    def _sending(self, send: Send, new_nonce: str) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                names = {name.lower() for name, _ in raw}
                for name, value in self.security_headers:
                    if name not in names:
                        raw.append((name, value))
                if new_nonce:
                    secure = "; Secure" if self.secure_cookies else ""
                    cookie = f"{CSRF_COOKIE}={new_nonce}; Path=/; HttpOnly; SameSite=Lax{secure}"
                    raw.append((b"set-cookie", cookie.encode()))
                message["headers"] = raw
            await send(message)

        return send_with_headers


def _address(scope: Scope, headers: Headers) -> str:
    """scheme://host the request was addressed to (behind a proxy: as it forwarded them)."""
    host = headers.get("x-forwarded-host", "").split(",")[0].strip() or headers.get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}" if host else ""


def _carries_no_cookie_authority(headers: Headers, cookie: dict[str, str], as_json: bool) -> bool:
    """Bearer-token API calls carry no cookies to forge, so they need no CSRF token; nor
    does an API call without a log-in cookie (it is told to log in: 401, not "this form
    has expired"). A page's form always does: logging in is a form too."""
    if headers.get("authorization", "").lower().startswith("bearer "):
        return True
    return as_json and SESSION_COOKIE not in cookie


def _submitted_token(scope: Scope, headers: Headers, body: bytes) -> str:
    if value := headers.get(CSRF_HEADER):
        return value
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if CSRF_FIELD in query:  # multipart forms put the token in their action URL
        return query[CSRF_FIELD][-1]
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        fields = parse_qs(body.decode("utf-8", "replace"))
        if CSRF_FIELD in fields:
            return fields[CSRF_FIELD][-1]
    return ""


async def _read_body(receive: Receive, headers: Headers) -> bytes | None:
    """The whole body (None when it is over the cap for a form)."""
    limit = MAX_FORM_BYTES * (20 if headers.get("content-type", "").startswith("multipart/") else 1)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _security_headers(
    secure: bool, policy: str = CONTENT_SECURITY_POLICY
) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if secure:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


async def _plain_error(
    send: Send, status: int, english: str, thai: str, locale: str = "th", *, as_json: bool = False
) -> None:
    text = thai if locale == "th" else english
    if as_json:  # the API's error shape (forum.web.error_response)
        payload = {
            "error": {403: "Not allowed", 413: "Too large"}.get(status, "Error"),
            "message": text,
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": headers + _security_headers(False),
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    body = (
        f"<!doctype html><html lang='{locale}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<link rel='stylesheet' href='/static/css/wethi.css'><title>{text}</title></head>"
        f"<body><main class='container'><h1>{text}</h1><p><a href='/'>เวที · Wethi</a></p></main></body></html>"
    ).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += _security_headers(False)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
