"""Links from the map, the dashboard and the region pages: to a route's page
and to the route list filtered like a figure (drill-down), both owned by the
route register, and to a region page."""
from __future__ import annotations

from flask import url_for


def route_url(route_id: int) -> str:
    """The route's own page (owned by the route register)."""
    return url_for("learning_routes.detail", route_id=route_id)


def route_url_pattern() -> str:
    """A route's URL with "{}" for its id: url_for once for many routes."""
    marker = 987654321
    return route_url(marker).replace(str(marker), "{}")


def route_url_builder():
    """route_url for many routes at once (a page listing hundreds): url_for
    once, then string formatting."""
    return route_url_pattern().format


def route_list_url(**args) -> str:
    """The route list filtered like a figure (drill-down)."""
    return url_for("learning_routes.index", **{k: v for k, v in args.items() if v})


def region_url(code: str, school_year: str | None = None) -> str:
    return url_for("regions.show", code=code, school_year=school_year)
