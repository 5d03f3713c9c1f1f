"""Template helpers: page-or-fragment rendering for htmx, filters, globals."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, has_request_context, make_response, render_template, request, url_for
from flask_login import current_user

from portal.core import local_time, settings
from portal.domain import vocab
from portal.permissions import visible_routes


def is_htmx_fragment_request() -> bool:
    """True for an htmx request that wants a fragment (not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page: str, fragment: str, **context: Any) -> Response:
    """Render the whole page, or only its fragment for htmx; vary on HX-Request."""
    template = fragment if is_htmx_fragment_request() else page
    response = make_response(render_template(template, **context))
    response.headers.add("Vary", "HX-Request")
    return response


def url_with(**changes: Any) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    query = urlencode(args, doseq=True)
    return request.path + (f"?{query}" if query else "")


_PLAIN_URLS: dict[tuple[str, str, str | None], str] = {}
_PLAIN_URLS_MAX = 512
# An address with one id (a row's link: /organisaties/17) as the text before and after the id.
_ID_URLS: dict[tuple[str, str, str], tuple[str, str]] = {}
_ID_MARKER = 987654321


def _template_url_for(endpoint: str, **values: Any) -> str:
    """url_for in templates. An address without arguments (the layout's
    navigation) or of a static file is the same on every request under the
    same script root, so it is built once per process, not ~20 times a page.
    So is the pattern of an address with one integer id (the rows of a list,
    each with its link): built once, then the id put in (url_for costs as
    much as rendering the row)."""
    if endpoint.startswith(".") or not has_request_context():
        return url_for(endpoint, **values)
    if len(values) == 1:
        ((name, value),) = values.items()
        if type(value) is int and value >= 0 and not name.startswith("_"):
            return _id_url(endpoint, name, value)
    plain = not values or (endpoint == "static" and values.keys() == {"filename"})
    if not plain:
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, values.get("filename"))
    found = _PLAIN_URLS.get(key)
    if found is None:
        found = url_for(endpoint, **values)
        if len(_PLAIN_URLS) < _PLAIN_URLS_MAX:
            _PLAIN_URLS[key] = found
    return found


def _id_url(endpoint: str, name: str, value: int) -> str:
    key = (request.script_root, endpoint, name)
    parts = _ID_URLS.get(key)
    if parts is None:
        built = url_for(endpoint, **{name: _ID_MARKER})
        if built.count(str(_ID_MARKER)) != 1:  # not a plain id in the address: build each one
            return url_for(endpoint, **{name: value})
        before, _, after = built.partition(str(_ID_MARKER))
        parts = (before, after)
        if len(_ID_URLS) < _PLAIN_URLS_MAX:
            _ID_URLS[key] = parts
    return f"{parts[0]}{value}{parts[1]}"


def _format_date(value, fmt: str = "%d-%m-%Y") -> str:
    return value.strftime(fmt) if value else ""


def _format_datetime(value) -> str:
    return local_time.display(value)


def _count(value, singular: str, plural: str) -> str:
    """"1 actieve leerroute", "2 actieve leerroutes": the number (Dutch
    thousands separator) with the singular or the plural."""
    return f"{_format_number(value)} {singular if value == 1 else plural}"


def _format_number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{value:,}".replace(",", ".")


def _visible_routes(routes) -> list:
    """The routes the current user may see (for pages of other areas that list
    a route's title, e.g. an agreement's or a practice's routes)."""

    return visible_routes(current_user, routes)


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        url_for=_template_url_for,
        url_with=url_with,
        visible_routes=_visible_routes,
        PROFILE_NAMES=vocab.names(vocab.PROFILES),
        PROFILE_ABBREVIATION_NAMES={vocab.PROFILE_ABBREVIATIONS[t.code]: t.name for t in vocab.PROFILES},
        PATHWAY_NAMES=vocab.names(vocab.PATHWAYS),
        LEVEL_NAMES=vocab.names(vocab.MBO_LEVELS),
        DOMAIN_NAMES=vocab.names(vocab.MBO_DOMAINS),
        KIND_NAMES=vocab.names(vocab.ROUTE_KINDS),
        ROLE_NAMES=vocab.names(vocab.ROLES),
        ORG_KIND_NAMES=vocab.names(vocab.ORGANISATION_KINDS),
    )
    app.jinja_env.filters["date_nl"] = _format_date
    app.jinja_env.filters["datetime_nl"] = _format_datetime
    app.jinja_env.filters["number_nl"] = _format_number
    app.jinja_env.filters["count_nl"] = _count

    @app.context_processor
    def dataset_banner():
        return {"dataset_label": settings.dataset_label()}
