"""The app tries its routers busiest first (forum/app.py); that order must change no
route's answer: every route's own path, with sample values, reaches that route and no
earlier one."""

import re

from starlette.routing import Match, Route


def _routes(routes):
    """The routes in the order they are tried (the JSON API's /api/v1 router, mounted
    with a prefix no page shares, left out)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            if not route.include_context.prefix:
                yield from _routes(inner.routes)
        elif isinstance(route, Route):
            yield route


def test_every_route_is_reached_by_its_own_path(app):
    routes = list(_routes(app.router.routes))
    assert len(routes) > 50
    for route in routes:
        sample = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods or {"GET"}):
            scope = {"type": "http", "path": sample, "method": method}
            first = next(
                (other for other in routes if other.matches(scope)[0] == Match.FULL), None
            )
            assert first is route, f"{method} {sample}: {route.path} is shadowed by {first.path}"
