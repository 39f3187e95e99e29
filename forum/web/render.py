"""One template, two uses: `render` returns the whole page, or only the block an htmx
request targets; `render_kept` serves a page from the fragment cache; `redirect` answers
a plain POST with 303 and its flash message."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2_fragments import render_block
from markupsafe import Markup, escape

from forum import i18n, middleware, policy
from forum.fragments import Filler, FragmentCache, cut, hole
from forum.policy import ANONYMOUS, Actor
from forum.web.dependencies import FLASH_COOKIE, is_htmx
from forum.web.templates import template_environment

# -- rendering ----------------------------------------------------------------------


def base_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    actor: Actor = state.get("actor") or ANONYMOUS
    locale = i18n.current_locale.get()
    flash = request.cookies.get(FLASH_COOKIE)
    path, query = request.scope["path"], request.scope["query_string"]
    return {
        "request": request,
        "actor": actor,
        "can": lambda action, target=None: policy.can(actor, action, target),
        "csrf_token": state.get("csrf_token", ""),
        "locale": locale,
        "other_locale": "en" if locale == "th" else "th",
        "flash": unquote(flash) if flash else "",
        "path": path,
        "section": path.split("/", 2)[1],  # the menu entry to mark current: "bodies", "me", …
        "kept": False,  # a render kept for many readers (render_kept): holes, not values
        "here": f"{path}?{query.decode('latin-1')}"
        if query
        else path,  # the language switch returns here
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The whole page, or only `block` of the same template for an htmx request."""
    values = base_context(request) | (context or {})
    # A block rendered alone skips the template's top-level imports: provide the macros.
    env = template_environment()
    values.setdefault("forms", env.get_template("components/forms.html").module)
    if block and is_htmx(request):
        html = render_block(env, template, block, **values)
    else:
        html = env.get_template(template).render(values)
    response = HTMLResponse(
        html, status_code=status_code, headers=(headers or {}) | {"Vary": "HX-Request, Cookie"}
    )
    if values["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def cached_fragment(
    request: Request,
    cache: FragmentCache,
    key: Hashable,
    template: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]],
    fillers: Mapping[str, Filler] | None = None,
    *,
    keep: bool = True,
    block: str | None = None,
) -> Markup:
    """`template` rendered once per `key` (which must name every value the template shows
    alike to everyone: the data's revision, the reader's class of controls) and kept in
    `cache`; each request fills the holes: its CSRF token, and `fillers` for the rest.
    `keep=False` renders the same template this once (a form kept with its errors);
    `block`: only that block of the template. `context` may be a function, called only
    when the fragment is rendered (its data is then read only on a miss)."""
    full_key = (template, i18n.current_locale.get(), key)
    fragment = cache.get(full_key) if keep else None
    if fragment is None:
        env = template_environment()
        made = context() if callable(context) else context
        values = base_context(request) | made | {"csrf_token": hole("csrf")}
        values.setdefault("forms", env.get_template("components/forms.html").module)
        # no reader's own token in a kept render, not even through a macro's lookup
        reset = middleware.current_csrf_token.set(str(hole("csrf")))
        try:
            if block:
                html = render_block(env, template, block, **values)
            else:
                html = env.get_template(template).render(values)
        finally:
            middleware.current_csrf_token.reset(reset)
        fragment = cache.put(full_key, html) if keep else cut(html)
    token = _csrf_token_of(request)
    return fragment.fill({"csrf": lambda _key: token} | dict(fillers or {}))


def _csrf_token_of(request: Request) -> str:
    return request.scope.get("state", {}).get("csrf_token", "")


def fragment_cache(request: Request) -> FragmentCache:
    """The process's cache of rendered fragments (forum.fragments)."""
    return request.app.state.fragments


def render_kept(
    request: Request,
    template: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]],
    *,
    key: Hashable,
    asks: Iterable[tuple[str, Any]] = (),
    fillers: Mapping[str, Filler] | None = None,
    block: str | None = None,
    keep: bool = True,
    status_code: int = 200,
) -> HTMLResponse:
    """As render, but the page (or `block`, for htmx) is rendered once per `key` and kept
    (forum.fragments): `key` must name everything the page shows alike to all readers of
    that key (the data's revision); what is the reader's own is a hole, filled on each
    request: the CSRF token, the navigation's notifications and return address, and
    `fillers` for the page's own. `asks` are the (action, target) permissions the page
    asks: the only ones `can` answers in a kept render, their answers part of the key (the
    layout's own are added). Not kept (`keep=False`, or a flash message to show): rendered
    this once, the same way. `context` may be a function, called only on a render."""
    values = base_context(request)
    if values["flash"]:
        keep = False
    block = block if is_htmx(request) else None
    reader, here = values["actor"], values["here"]
    answers = {
        action: policy.can(reader, action, target) for action, target in (*asks, *_LAYOUT_ASKS)
    }

    def page_values() -> dict[str, Any]:
        made = context() if callable(context) else context
        return (
            values
            | made
            | {
                "kept": True,
                "here": hole("here"),
                "can": lambda action, _target=None: answers[action],
            }
        )

    html = cached_fragment(
        request,
        fragment_cache(request),
        (block, key, tuple(answers.items())),
        template,
        page_values,
        {
            "notices": lambda _key: _notices_link(reader, values["section"]),
            "here": lambda _key: str(escape(here)),
        }
        | dict(fillers or {}),
        keep=keep,
        block=block,
    )
    response = HTMLResponse(html, status_code=status_code, headers={"Vary": "HX-Request, Cookie"})
    if values["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


_LAYOUT_ASKS = (("forum.admin.view", None),)  # what base.html asks


def _notices_link(actor: Actor, section: str) -> str:
    if not actor.is_authenticated:
        return ""
    macros = template_environment().get_template("components/nav.html").module
    return str(macros.notices(actor, section))  # type: ignore[attr-defined]


def redirect(request: Request, url: str, *, flash: str = "") -> Response:
    """303 after a plain POST; for htmx, a client-side redirect (HX-Redirect) instead."""
    if is_htmx(request):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), max_age=60, httponly=True, samesite="lax", path="/"
        )
    return response


def url_with_query(path: str, params: dict[str, Any]) -> str:
    """A list's URL with its filters (for pagination links), empty ones left out."""
    query = urlencode(
        {key: value for key, value in params.items() if value not in (None, "", False)}
    )
    return f"{path}?{query}" if query else path


def attachment(
    content: str | bytes, *, filename: str, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """A download (an export, a calendar): the browser saves it as `filename` (ASCII)."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=disposition | (headers or {}))


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths: never an open redirect."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url
