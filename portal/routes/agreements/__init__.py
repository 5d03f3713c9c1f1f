"""Agreements (/overeenkomsten): the blueprint's views, actions and editors."""
from portal.routes.agreements import actions, editors, views  # noqa: F401  (registers the views)
