"""Markdown for user-written text: markdown-it-py renders (raw HTML off, only
safe link schemes), then nh3 (ammonia) sanitizes against an allow-list, so
no script, no event handler, no style and no javascript: link gets through,
even if one layer had a bug. Plain strings here; web/markdown.py marks the
sanitized HTML safe for templates."""
from __future__ import annotations

import html
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])


def _heading_shift(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                   env: EnvType) -> str:
    # The page owns h1: a "# Kop" in a body becomes h2.
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    token.tag = f"h{level}"
    return renderer.renderToken(tokens, idx, options, env)


_md.add_render_rule("heading_open", _heading_shift)
_md.add_render_rule("heading_close", _heading_shift)


SAFE_HREF_PREFIXES = ("http://", "https://", "mailto:", "/", "#")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Links: absolute http(s)/mailto or site-relative only; anything else
    # (java%09script:, protocol-relative //host, odd schemes) loses its href.
    if attribute == "href" and (value.startswith("//") or not value.lower().startswith(SAFE_HREF_PREFIXES)):
        return None
    return value


def sanitized_html(source: str | None) -> str:
    """Markdown -> sanitized HTML."""
    rendered = _md.render(source or "")
    clean = nh3.clean(
        rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
        attribute_filter=_filter_attribute,
    )
    return clean


def to_plain_text(source: str | None) -> str:
    """The words of a Markdown text, for the search index."""
    rendered = _md.render(source or "")
    text = nh3.clean(rendered, tags=set(), attributes={})
    return " ".join(html.unescape(text).split())
