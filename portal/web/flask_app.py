"""The Flask class of the portal: Flask's own, less two costs it pays on every
request (a page-cache hit or a 304 is only some 0.4 ms of CPU, so these count).

- `ensure_sync`: Flask asks `inspect.iscoroutinefunction` of the view and of
  every before/after/teardown hook on every request (14 calls for a hit). The
  answer for a plain function never changes: asked once per function.
- The session's signing serializer: Flask builds a new URLSafeTimedSerializer
  for each request's cookie. It depends only on the secret keys and the
  interface's settings: built once per set of keys.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from types import FunctionType
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the serializer kept per secret keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(key, False)
        if found is False:
            found = super().get_signing_serializer(app)
            with self._lock:
                if len(self._serializers) > 8:  # keys rotated in a long-running test process
                    self._serializers.clear()
                self._serializers[key] = found
        return found  # type: ignore[return-value]


class PortalFlask(Flask):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = KeptSerializerSessions()  # one per app: its keys are the app's
        self._synced: dict[FunctionType, Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if type(func) is not FunctionType:  # a bound method or a partial: new each time, not kept
            return super().ensure_sync(func)
        found = self._synced.get(func)
        if found is None:
            found = self._synced[func] = super().ensure_sync(func)
        return found


# A rendered page makes tens of thousands of short-lived objects. With Python's
# default of 700 the youngest generation is collected dozens of times per page,
# and the survivors (objects still in use at that moment) reach the oldest
# generation, whose full collections walk every kept value too: measured in
# process at scale 3 (SQLite, 200 renders each of /dekking, /kaart and the
# library search), 244 ms of collection at 700 against 63 ms at 5,000, and no
# full collection (11-20 ms each, a page's p95) instead of 12.
YOUNG_GENERATION_THRESHOLD = 5000


def settle_for_serving() -> None:
    """Once a web worker's app is made: everything loaded so far (the app,
    SQLAlchemy's mappers, the templates' modules ...) lives as long as the
    worker, so it is frozen out of the collector's walks (gc.freeze), and the
    youngest generation is collected less often."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
