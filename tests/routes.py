"""Every route of the app, HTML and JSON, as the tests that walk them all see them (the
permission matrix, the integer parameters)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.routing import APIRoute


def all_routes(app) -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) of every route, HEAD left out, sorted by path."""

    def walk(routes, prefix: str = "") -> Iterator[tuple[str, str, APIRoute]]:
        for route in routes:
            if hasattr(
                route, "original_router"
            ):  # an included router: its routes carry its own prefix
                yield from walk(
                    route.original_router.routes, prefix + (route.include_context.prefix or "")
                )
            elif isinstance(route, APIRoute):
                for method in route.methods - {"HEAD"}:
                    yield method, prefix + route.path, route

    return sorted(walk(app.routes), key=lambda found: (found[1], found[0]))


def parameters(route: APIRoute) -> list[tuple[str, str]]:
    """(where, name) of the route's path and query parameters, its dependencies' included."""

    def walk(dependant) -> Iterator[tuple[str, str]]:
        yield from (("path", param.name) for param in dependant.path_params)
        yield from (("query", param.alias or param.name) for param in dependant.query_params)
        for sub in dependant.dependencies:
            yield from walk(sub)

    return sorted(set(walk(route.dependant)))
