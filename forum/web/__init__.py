"""The web layer's shared parts, one concept a module: `templates` (an environment per
language), `dependencies` (what a route asks of the request), `render` (a page or its htmx
block, redirects) and `errors` (domain errors as pages). Routes import them from here.

One template serves both the page and its htmx fragment: `render(..., block="x")` returns
the whole page, or only block `x` when the request comes from htmx.
"""

from forum.web.dependencies import (
    FLASH_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    ActorDep,
    Id,
    MemberDep,
    PageNumber,
    SessionDep,
    client_ip,
    current_actor,
    form_int,
    form_values,
    get_db,
    hub,
    is_htmx,
    public_url,
    publish,
    signed_in_actor,
)
from forum.web.errors import error_response, install_error_handlers
from forum.web.render import (
    attachment,
    base_context,
    cached_fragment,
    fragment_cache,
    redirect,
    render,
    render_kept,
    safe_next,
    url_with_query,
)
from forum.web.templates import (
    ENVIRONMENTS,
    ROOT,
    STATIC_DIR,
    STATIC_VERSION,
    TEMPLATES_DIR,
    field_message,
    label,
    label_options,
    template_environment,
)

__all__ = [
    "ENVIRONMENTS",
    "FLASH_COOKIE",
    "LANG_COOKIE",
    "ROOT",
    "SESSION_COOKIE",
    "STATIC_DIR",
    "STATIC_VERSION",
    "TEMPLATES_DIR",
    "ActorDep",
    "Id",
    "MemberDep",
    "PageNumber",
    "SessionDep",
    "attachment",
    "base_context",
    "cached_fragment",
    "client_ip",
    "current_actor",
    "error_response",
    "field_message",
    "form_int",
    "form_values",
    "fragment_cache",
    "get_db",
    "hub",
    "install_error_handlers",
    "is_htmx",
    "label",
    "label_options",
    "public_url",
    "publish",
    "redirect",
    "render",
    "render_kept",
    "safe_next",
    "signed_in_actor",
    "template_environment",
    "url_with_query",
]
