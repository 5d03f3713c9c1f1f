"""Agreements (/overeenkomsten): the blueprint's views, actions, editors, template globals and CLI."""
from portal.routes.agreements import (  # noqa: F401  (registers them on bp)
    actions,
    cli,
    editors,
    template_globals,
    views,
)
