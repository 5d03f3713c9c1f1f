"""What a request body may be, checked before anything reads it.

- A form endpoint (anything outside /api/) takes form data: a JSON body
  posted to it is refused with 415 and a short Dutch text, before Flask-WTF
  or a view parses it (a lone surrogate or 10,000 levels of nesting made
  the old NUL check's JSON parse answer 500).
- The API takes at most MAX_CONTENT_LENGTH bytes (413) and JSON nested at
  most MAX_JSON_DEPTH levels, without lone surrogates or control characters
  (400, as JSON). The depth is counted without parsing, so a deep body
  cannot exhaust the parser's recursion.

Registered before CSRF protection (portal/__init__.py), so such a body gets
this answer and not a CSRF error."""
from __future__ import annotations

import json

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from portal.domain.text import check_text
from portal.web.errors import render_error

MAX_JSON_DEPTH = 32
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MESSAGE_JSON_ON_FORM = "Dit formulier neemt alleen formuliergegevens aan, geen JSON."
MESSAGE_TOO_DEEP = f"De JSON is te diep genest (hoogstens {MAX_JSON_DEPTH} niveaus)."
MESSAGE_NOT_JSON = "De inhoud is geen geldige JSON in UTF-8."


def is_json_mimetype(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def json_depth(body: bytes, limit: int) -> int:
    """The nesting depth of a JSON text, counted up to limit + 1 without
    parsing (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _strings(value: object):
    """Every key and string value in a parsed JSON document, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def api_body_error(body: bytes) -> str | None:
    """The Dutch reason an API request body cannot be accepted, or None."""
    if not body.strip():
        return None
    if json_depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return MESSAGE_TOO_DEEP
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return MESSAGE_NOT_JSON
    for text in _strings(document):
        if message := check_text(text):
            return message
    return None


def _check_api_body():
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        return render_error(413, "Het verzoek is te groot.")
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return render_error(413, "Het verzoek is te groot.")
    if body and (message := api_body_error(body)):
        return render_error(400, message)
    return None


def check_request_body():
    if request.method not in WRITE_METHODS:
        return None
    if request.path.startswith("/api/"):
        return _check_api_body()
    if is_json_mimetype(request.mimetype):
        abort(415)
    return None


def init_app(app: Flask) -> None:
    app.before_request(check_request_body)
