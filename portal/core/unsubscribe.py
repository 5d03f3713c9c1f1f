"""The signed unsubscribe link of a notification mail: it names the user and
the event type, is signed with SECRET_KEY (itsdangerous), works without
logging in and cannot be forged or pointed at another user or event."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "notifications-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user_id: int, event: str) -> str:
    return _serializer().dumps({"u": user_id, "e": event})


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, event) of a valid token; None for anything forged or garbled."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str):
        return None
    return data["u"], data["e"]
