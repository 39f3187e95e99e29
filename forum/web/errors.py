"""Domain errors as pages or fragments in the user's language: 403 / 404 / 409 / 422,
and the framework's own (an unknown path, a malformed id)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from forum import accounts, forms, i18n
from forum.errors import DomainError, FieldMessage, InvalidInput
from forum.policy import ANONYMOUS
from forum.web.dependencies import SESSION_COOKIE, is_htmx
from forum.web.render import render
from forum.web.templates import field_message

# -- errors -------------------------------------------------------------------------

_TITLES = {
    400: "Bad request",
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


def _allowed(routes: Any, path: str, prefix: str = "") -> list[str]:
    """The methods of every route whose path is `path` (the router names only the first)."""
    methods: set[str] = set()
    for route in routes:
        if hasattr(route, "original_router"):  # an included router: its routes carry its prefix
            inner = prefix + (route.include_context.prefix or "")
            methods.update(_allowed(route.original_router.routes, path, inner))
        elif (
            getattr(route, "methods", None)
            and (regex := getattr(route, "path_regex", None))
            and path.startswith(prefix)
            and regex.match(path[len(prefix) :])
        ):
            methods.update(route.methods)
    return sorted(methods)


def install_error_handlers(app: Any) -> None:
    async def domain_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        message = i18n.gettext(error.message, **error.params) if error.params else error.message
        fields = error.fields if isinstance(error, InvalidInput) else None
        status = error.status
        if isinstance(error, InvalidInput) and request.url.path.startswith("/api/"):
            status = error.api_status  # a missing record 404, a taken name 409
        return error_response(request, status, message, fields)

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
        message = {
            400: "The request could not be read: please send a JSON object.",
            404: "We could not find that page.",
            405: "That cannot be done here.",
        }.get(error.status_code, "Something went wrong.")
        response = error_response(request, error.status_code, message)
        for name, value in (error.headers or {}).items():
            response.headers.setdefault(name, value)
        if error.status_code == 405:  # RFC 9110: every method the path answers
            response.headers["Allow"] = ", ".join(_allowed(request.app.routes, request.url.path))
        return response

    async def server_error(request: Request, error: Exception) -> Response:
        return error_response(
            request, 500, "Something went wrong on our side. It has been logged; please try again."
        )

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
