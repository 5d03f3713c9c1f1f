"""User-written Markdown in templates: the sanitized HTML of domain/markdown.py,
marked safe."""
from __future__ import annotations

from markupsafe import Markup

from portal.domain.markdown import sanitized_html


def render_markdown(source: str | None) -> Markup:
    """Markdown -> sanitized HTML, safe to put in a template."""
    return Markup(sanitized_html(source))  # noqa: S704  sanitized by nh3 against an allow-list
