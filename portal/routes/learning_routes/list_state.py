"""The route list's state from the URL: filters, sort, page and the archive
switch (staff). The list page and its exports read it the same way."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from portal.permissions import is_staff
from portal.services.learning_routes import listing as route_list
from portal.services.learning_routes.filters import RouteFilters


def list_state():
    filters = RouteFilters.from_args(request.args)
    sort = request.args.get("sort", route_list.DEFAULT_SORT)
    try:
        page = int(request.args.get("pagina", "1"))
    except ValueError:
        page = 1
    archived = is_staff(current_user) and request.args.get("archief") == "1"
    return filters, sort if sort in route_list.SORTS else route_list.DEFAULT_SORT, page, archived
