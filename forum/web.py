"""The web layer's shared parts: templates, `render`, request dependencies, error pages.

One template serves both the page and its htmx fragment: `render(..., block="x")`
returns the whole page, or only block `x` when the request comes from htmx.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Depends, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, Template, nodes, select_autoescape
from jinja2.visitor import NodeTransformer
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from forum import accounts, config, dates, events, forms, i18n, labels, middleware, policy, static
from forum.errors import DomainError, FieldMessage, InvalidInput, NotLoggedIn
from forum.fragments import Filler, FragmentCache, cut, hole
from forum.models import MAX_ID
from forum.policy import ANONYMOUS, Actor

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
STATIC_VERSION = static.directory_version(STATIC_DIR)  # in every static address (forum/static.py)

SESSION_COOKIE = "wethi_session"
LANG_COOKIE = "wethi_lang"
FLASH_COOKIE = "wethi_flash"


class _FoldTranslations(NodeTransformer):
    """Replaces each `_("literal")` of a template by its translation, escaped, at compile
    time; `_("literal %(x)s", x=...)` keeps only the formatting for run time. A page's
    dozens of fixed texts then cost nothing per request."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = escape(i18n.translate(node.args[0].value, self.locale))
        if not node.kwargs:
            return nodes.MarkSafe(
                nodes.Const(str(text % {} if "%" in text else text)), lineno=node.lineno
            )
        call = nodes.Call(
            nodes.Name("_format", "load"),
            [nodes.MarkSafe(nodes.Const(str(text)))],
            node.kwargs,
            None,
            None,
            lineno=node.lineno,
        )
        return call


try:  # markupsafe's C escaper (what `escape` calls), without wrapping each result in Markup
    from markupsafe import _escape_inner as _escape_str  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another markupsafe: the public function

    def _escape_str(text: str) -> str:
        return str(escape(text))


def _escape_output(value: Any) -> str:
    """`{{ value }}` in a template. Jinja escapes each value into a Markup object, only to
    join them all into the page: a plain escaped str joins the same, at a fraction of the
    cost (a page of fifty attendees outputs some 700 values). Anything else (Markup, a
    macro's output, an object with __html__) goes through markupsafe as before."""
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is int:
        return str(value)
    return escape(value)


class _Template(Template):
    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # type: ignore[no-untyped-def]
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled template's functions look `escape` up in their module's namespace.
        template.root_render_func.__globals__["escape"] = _escape_output
        return template


class _LocaleEnvironment(Environment):
    """The templates of one language (see _FoldTranslations): each is compiled once per
    language."""

    def __init__(self, locale: str) -> None:
        super().__init__(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.locale = locale
        self.template_class = _Template

    def make_globals(self, d: Any = None) -> Any:
        """A template's globals as one plain dict rather than Jinja's ChainMap over the
        environment's: every render copies them into its context, and a dict copies in
        one step. The globals are all set when the environment is made (_make_environment)."""
        return {**self.globals, **(d or {})}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        folded = _FoldTranslations(self.locale).visit(tree)
        return folded.set_environment(self)


def _template_gettext(message: str, **variables: Any) -> Markup:
    """`_()` in templates with a text known only at run time (a flash message's msgid,
    which comes from a cookie): text and variables both escaped. Plain functions rather
    than Jinja's context-passing newstyle callables, which copy the template context on
    every call inside a loop."""
    return _format(escape(i18n.gettext(message)), **variables)


def _format(text: Markup, **variables: Any) -> Markup:
    """An escaped translation with its variables, escaped (folded `_()` calls)."""
    return text % variables if variables or "%" in text else text


def _template_ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
    variables.setdefault("num", num)
    return escape(i18n.plural_text(singular, plural, num)) % variables


def field_message(message: FieldMessage | None) -> str:
    return i18n.gettext(message.msgid, **message.params) if message else ""


def label(value: StrEnum | str, enum_type: type[StrEnum] | None = None) -> str:
    """The translated display name of an enum member: {{ label(meeting.status, MeetingStatus) }}."""
    kind = enum_type or type(value)
    return i18n.gettext(
        labels.label_msgid(kind, str(value.value if isinstance(value, StrEnum) else value))
    )


def label_options(enum_type: type[StrEnum]) -> list[tuple[str, str]]:
    return [(value, i18n.gettext(msgid)) for value, msgid in labels.options(enum_type)]


def _make_environment(locale: str) -> Environment:
    environment = _LocaleEnvironment(locale)
    environment.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        _format=_format,
        field_message=field_message,
        action_label=lambda code: (
            i18n.gettext(labels.ACTION_LABELS[code]) if code in labels.ACTION_LABELS else code
        ),
        field_label=lambda name: (
            i18n.gettext(labels.FIELD_LABELS[name]) if name in labels.FIELD_LABELS else ""
        ),
        # Macros imported without context (the Jinja default) still reach the request's token.
        current_csrf_token=lambda: middleware.current_csrf_token.get(),
        label=label,
        label_options=label_options,
        hole=hole,
        static_version=STATIC_VERSION,
        **{cls.__name__: cls for cls in labels.ENUMS},
    )
    environment.newstyle_gettext = True  # type: ignore[attr-defined]  ({% trans %} blocks call the above)
    environment.filters["datetime"] = lambda value, style="long": (
        dates.format_datetime(value, i18n.current_locale.get(), style) if value else ""
    )
    environment.filters["date"] = lambda value, style="short": (
        dates.format_date(value, i18n.current_locale.get(), style) if value else ""
    )
    environment.filters["time"] = lambda value: (
        dates.format_time(value, i18n.current_locale.get()) if value else ""
    )
    environment.filters["urlquote"] = lambda value: quote(str(value), safe="")
    return environment


ENVIRONMENTS = {locale: _make_environment(locale) for locale in i18n.LOCALES}


def template_environment() -> Environment:
    """The request's language's templates."""
    return ENVIRONMENTS[i18n.current_locale.get()]


# -- dependencies -------------------------------------------------------------------


_SESSION_KEY = middleware.SESSION_SCOPE_KEY


def _request_session(request: Request) -> Session:
    """The request's database session, opened by the first dependency that needs it and
    closed when the route returns, before the response is sent (a slow client never keeps
    a connection out of the pool). The close is a callback on FastAPI's per-route exit
    stack rather than a `yield` dependency: same moment, without the async context
    manager and the extra dependency node a generator costs on every request."""
    scope = request.scope
    session = scope.get(_SESSION_KEY)
    if session is None:
        session = Session(request.app.state.engine, expire_on_commit=False)
        # FastAPI's per-route exit stack (an internal of 0.121+) closes it early; without
        # it, forum.middleware closes it once the response is sent.
        if stack := scope.get("fastapi_function_astack"):
            stack.callback(_close_request_session, scope)
        scope[_SESSION_KEY] = session
    return session


def _close_request_session(scope: dict[str, Any]) -> None:
    if (session := scope.pop(_SESSION_KEY, None)) is not None:
        session.close()


async def get_db(request: Request) -> Session:
    return _request_session(request)


SessionDep = Annotated[Session, Depends(get_db)]
# A record id in a page's path: anything else is a page not found (see install_error_handlers).
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def _actor(request: Request) -> Actor:
    """The person behind the request (session cookie, or a bearer token on the API),
    looked up once per request."""
    state = request.scope.setdefault("state", {})  # request.state, without its exception on a miss
    if (cached := state.get("actor")) is not None:
        return cached
    actor = ANONYMOUS
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        actor = accounts.actor_for_api_token(_request_session(request), authorization[7:].strip())
    elif token := request.cookies.get(SESSION_COOKIE):
        actor = accounts.actor_for_session_token(_request_session(request), token)
    state["actor"] = actor
    return actor


# Each is one dependency node with no sub-dependencies (FastAPI's cost is per node): they
# share the request's session through `_request_session`, whichever runs first.
async def current_actor(request: Request) -> Actor:
    return _actor(request)


ActorDep = Annotated[Actor, Depends(current_actor)]


async def signed_in_actor(request: Request) -> Actor:
    actor = _actor(request)
    if not actor.is_authenticated:
        raise NotLoggedIn()
    return actor


MemberDep = Annotated[Actor, Depends(signed_in_actor)]


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


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


def form_int(text: str | None) -> int | None:
    """A whole number from a form or query field, or None (the service then answers, so a
    request is authorised before its input is judged)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def client_ip(request: Request) -> str:
    """The address the request came from (a hall's phones often share one)."""
    return request.client.host if request.client else ""


def hub(request: Request) -> Any:
    """The app's live hub (forum.live.Hub), for a route that publishes or reads a position."""
    return request.app.state.hub


def publish(request: Request, session: Session, actor: Actor) -> None:
    """After a service's commit: what it said happened goes out to the live pages
    (forum.events). Every route that calls a service with live effects ends with this."""
    events.publish(hub(request), session, actor)


def public_url() -> str:
    """The site's address for links that leave the browser, a QR code or a share link: the
    configured WETHI_BASE_URL, else the address the current request came to
    (forum.middleware.current_public_url); outside a request, the configured default."""
    return middleware.current_public_url.get() or str(config.get_settings().base_url).rstrip("/")


def form_values(form: Any) -> dict[str, Any]:
    """A submitted form as a dict (the last value of repeated names), csrf token dropped."""
    return {key: value for key, value in form.items() if key != "csrf_token"}


# -- errors -------------------------------------------------------------------------

_TITLES = {
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    409: "Not possible right now",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
}


def _resolve_actor_for_error_page(request: Request) -> None:
    """An error can stop a request before its dependencies ran (a 404 has no route): look
    the person up here, so the page still shows them logged in."""
    if getattr(request.state, "actor", None) is not None or SESSION_COOKIE not in request.cookies:
        return
    try:
        with Session(request.app.state.engine) as session:
            request.state.actor = accounts.actor_for_session_token(
                session, request.cookies[SESSION_COOKIE]
            )
    except SQLAlchemyError:  # the error page must render even when the database is down
        request.state.actor = ANONYMOUS


def error_response(
    request: Request, status: int, message: str, fields: dict[str, FieldMessage] | None = None
) -> Response:
    translated = i18n.gettext(message)
    if request.url.path.startswith("/api/"):
        body: dict[str, Any] = {"error": _TITLES.get(status, "Error"), "message": translated}
        if fields:
            body["fields"] = {name: field_message(value) for name, value in fields.items()}
        return JSONResponse(body, status_code=status)
    if status == 401 and request.method == "GET" and not is_htmx(request):
        next_url = quote(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""), safe=""
        )
        return RedirectResponse(f"/login?next={next_url}", status_code=303)
    _resolve_actor_for_error_page(request)
    context = {
        "status": status,
        "title": _TITLES.get(status, "Error"),
        "message": translated,
        "fields": fields or {},
    }
    # An htmx request that fails shows the error in the page's main area, not in the
    # small element (a table row, a button) it meant to replace.
    headers = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"} if is_htmx(request) else None
    return render(
        request, "error.html", context, block="error", status_code=status, headers=headers
    )


def install_error_handlers(app: Any) -> None:
    async def domain_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        message = i18n.gettext(error.message, **error.params) if error.params else error.message
        fields = error.fields if isinstance(error, InvalidInput) else None
        return error_response(request, error.status, message, fields)

    async def validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if not request.url.path.startswith("/api/") and any(
            problem["loc"][0] == "path" for problem in error.errors()
        ):
            # /people/abc names no page: a missing page, not a form to correct.
            return error_response(request, 404, "We could not find that page.")
        fields: dict[str, FieldMessage] = {}
        for problem in error.errors():
            # ("body", "name") -> "name"; a body that is not an object at all -> "__all__"
            name = next((part for part in problem["loc"][1:] if isinstance(part, str)), "__all__")
            fields.setdefault(name, forms.problem_message(problem))
        return error_response(request, 422, "Please correct the highlighted fields.", fields)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        message = {404: "We could not find that page.", 405: "That cannot be done here."}.get(
            error.status_code, "Something went wrong."
        )
        return error_response(request, error.status_code, message)

    async def server_error(request: Request, error: Exception) -> Response:
        return error_response(
            request, 500, "Something went wrong on our side. It has been logged; please try again."
        )

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
