"""Aggregates kept per version of the data they count, shared by every request.

The aggregate pages (/kaart, the dashboard, the GeoJSON, the route list's
facets, the region page, the year report) count over all routes. Counting
once per change of the data, not once per request, makes a rendered page's
cost independent of the number of routes.

The version: the data version (core.data_version: the sum of a few counters,
no single hot row for writers), moved in the same transaction as any change to
a table the figures are read from. Audited writes move it already; this module
also moves it for every other change.
Not by each service (a forgotten write path would serve old figures) but by
one listener on every SQLAlchemy session:
- an ORM flush with a new, changed or deleted object of any model (except the
  bookkeeping rows listed in IGNORED: login failures, form keys, notifications,
  the audit log, users, and the version settings themselves);
- a DML statement through Session.execute (bulk imports, the demo generator).
A marked transaction adds a step just before it commits (or before a kept
read inside it), so the new version becomes visible together with the data: a
reader that sees the new data sees the new version. Pages cached under the data
version (web/caching.py) and figures kept here therefore go stale together.

`kept(key, compute)` answers from the process's store when the database's
version equals the one the figures were computed at, else computes and keeps
them. The version is read by primary key on the request's own connection (so a
request inside an uncommitted write sees its own version), once per request.
A restart or a second instance reads the same version from the database, so
none serves figures of an older version.

With REDIS_URL the figures are also shared (core/shared_cache): a miss in
memory asks Redis, and a computed value goes to both, so N workers on M
machines compute a figure once per version. In Redis a value is pickled,
compressed and signed (HMAC with the SECRET_KEY, checked before unpickling),
under KEPT_AGGREGATES_PREFIX + version + a digest of the code fingerprint and
the key, with an expiry (KEPT_AGGREGATES_TTL). Not shared, only kept in
memory: a value over KEPT_AGGREGATES_MAX_BYTES compressed (2 MB: /kaart's
national selection at large scale), one that does not pickle, one whose key is
not made of plain values (its Redis name must be the same in every process),
and any value computed in a transaction that moved the version itself (its
uncommitted data must not reach another instance). Redis down: computed here.

Kept values are shared between requests and threads: callers must not change
them, and they must not hold ORM rows (those belong to the session that read
them, and expire when it commits).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, scoped_session

from portal.core import data_version
from portal.core.shared_cache import MISSING, SharedValues, key_prefix

# Tables whose rows no aggregate reads (written on logins, deliveries, form posts),
# and the version's own counters.
IGNORED_TABLES = frozenset({
    "login_failures", "form_submissions", "notifications", "notification_preferences", "audit_log", "users",
    "data_version_slots", "data_version_changes",
})
_DIRTY = "aggregates_dirty"
_READ = "aggregates_read"  # (transaction, version): read once per transaction
_WROTE = "aggregates_wrote"  # this transaction moved the version: what it computes is not shared
_LOG = "aggregates_log"  # (transaction, counters, {older counters: changes}): read once per reading transaction
_MAX_ENTRIES = 256  # per version; /kaart's entry of a national selection holds its pins (MBs at scale 10)
# Text statements that change no data (a setting of the transaction: the library search's SET LOCAL).
_READING_STATEMENTS = frozenset({"SELECT", "PRAGMA", "SET", "SHOW", "RESET", "EXPLAIN"})
_MAX_BASES = 8  # values kept across versions to be patched (kept(..., patch=...))
_FLIGHT_WAIT = 30.0  # seconds a thread waits for another computing the same value, then computes itself

T = TypeVar("T")


def _table_of(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


def _counts(obj: Any) -> bool:
    return _table_of(obj) not in IGNORED_TABLES


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    if not session.info.get(_DIRTY) and any(
            _counts(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


def _changes(session: Session) -> dict[str, Any]:
    changes: dict[str, Any] = session.info.setdefault(data_version.CHANGES, {"routes": set(), "other": False})
    return changes


def _after_flush(session: Session, _context: object) -> None:
    """What the flush wrote, for the step's log (data_version.add_step): the
    routes whose own rows (the route, or a row with its route_id) changed, or
    `other` for a row of any other table that counts. The ids of new rows are
    known here; the session's lists still hold what was flushed."""
    changes = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = _table_of(obj)
        if table in IGNORED_TABLES:
            continue
        changes = changes or _changes(session)
        route_id = obj.id if table == "learning_routes" else getattr(obj, "route_id", None)
        if isinstance(route_id, int):
            changes["routes"].add(route_id)
        else:
            changes["other"] = True


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    statement = state.statement
    table = getattr(getattr(statement, "table", None), "name", None)
    if table in IGNORED_TABLES:
        return
    if table is None:
        sql = str(statement).lstrip()
        first = sql.split(None, 1)[:1]
        if (first and first[0].upper() in _READING_STATEMENTS) or "data_version_slots" in sql \
                or "data_version_changes" in sql:
            return
    state.session.info[_DIRTY] = True
    _changes(state.session)["other"] = True  # a statement's rows are not known one by one


def _before_commit(session: Session) -> None:
    """The step is added last, just before the commit (the counter it takes is
    held for the shortest time)."""
    session.flush()  # the pending changes mark the transaction first
    if session.info.get(_DIRTY):
        _write_version(session)


def _write_version(session: Session) -> None:
    """A new version in this transaction (also before a kept() read inside a
    writing transaction: figures kept earlier are then not reused)."""
    session.info.pop(_DIRTY, None)
    session.info.pop(_READ, None)
    session.info[_WROTE] = True
    with session.no_autoflush:
        data_version.add_step(session)


def _after_end(session: Session, transaction: SessionTransaction) -> None:
    # The version read is forgotten at the end of any transaction. The mark only
    # when the outermost one ends; when a savepoint ends the transaction is marked
    # again: rolled back, it may have taken a version written for changes made
    # before it, which must still get one.
    session.info.pop(_READ, None)
    if transaction.parent is None:
        session.info.pop(_DIRTY, None)
        session.info.pop(_WROTE, None)
        session.info.pop(data_version.CHANGES, None)
    elif transaction.nested:
        session.info[_DIRTY] = True


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_end)


def read_version(session: Session) -> str:
    """The current version, as this session's transaction sees it ("0" before the first write)."""
    return data_version.read(session.connection())


class KeptAggregates:
    """The store of one app: key -> (version, value), the newest entries kept."""

    def __init__(self, enabled: bool = True, max_entries: int = _MAX_ENTRIES):
        self.enabled = enabled
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: str | None = None  # the version of the entries kept
        # kept(..., patch=...)'s values by key, each with the counters it was read at; kept across versions
        self._bases: OrderedDict[Hashable, tuple[dict[int, int], Any]] = OrderedDict()
        self.computed = 0  # how many times a value was computed (tests read it)
        self.patched = 0  # how many values were brought up to date from an older one
        self.shared_hits = 0  # how many values came from Redis
        self._flights: dict[tuple[str, Hashable], threading.Event] = {}  # (version, key) being computed

    def get(self, session: Session, key: Hashable, compute: Callable[[], T],
            shared: SharedValues | None = None, patch: Callable[[T, frozenset[int]], T | None] | None = None) -> T:
        if not self.enabled:
            return compute()
        version = _request_version(session)
        key = (key, date.today())  # figures depend on the current school year, expiry on the day
        # One thread of the process computes a missing value; the others that want it meanwhile wait for it
        # (at national scale a computation holds tens of MBs while it runs). If it fails, the next one
        # computes; if it takes over _FLIGHT_WAIT, a waiting thread computes for itself.
        flight = (version, key)
        while True:
            found = self._found(version, key)
            if found is not MISSING:
                return cast(T, found)
            with self._lock:
                running = self._flights.get(flight)
                if running is None:
                    self._flights[flight] = threading.Event()
            if running is None:
                break
            if not running.wait(_FLIGHT_WAIT):
                return self._fill(session, version, key, compute, shared, patch)
        try:
            return self._fill(session, version, key, compute, shared, patch)
        finally:
            with self._lock:
                self._flights.pop(flight).set()

    def _found(self, version: str, key: Hashable) -> Any:
        with self._lock:
            if version != self._version:  # the entries of another version are of no use: free them
                self._entries.clear()
                self._version = version
            found = self._entries.get(key)
            if found is not None and found[0] == version:
                self._entries.move_to_end(key)
                return found[1]
        return MISSING

    def _fill(self, session: Session, version: str, key: Hashable, compute: Callable[[], T],
              shared: SharedValues | None, patch: Callable[[T, frozenset[int]], T | None] | None) -> T:
        name = shared.name(version, key) if shared is not None and _shareable(session) else None
        value: Any = MISSING
        if name is not None:
            value = cast(SharedValues, shared).load(name)
        if value is MISSING:
            value = self._patch_or_compute(session, key, compute, patch) if patch is not None else MISSING
            if value is MISSING:
                value = compute()
                with self._lock:
                    self.computed += 1
                _computed_in_request()
            if name is not None:
                cast(SharedValues, shared).save(name, value)
        else:
            with self._lock:
                self.shared_hits += 1
        with self._lock:
            if version != self._version:
                return cast(T, value)  # a newer version was seen meanwhile: not kept
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return cast(T, value)

    def _patch_or_compute(self, session: Session, key: Hashable, compute: Callable[[], T],
                          patch: Callable[[T, frozenset[int]], T | None]) -> Any:
        """The value from this key's older value and the routes changed since
        (data_version.changes_between), when only routes changed and `patch`
        can; else computed. Either way it becomes the key's new base, with the
        counters read before it (a change committed meanwhile is patched in the
        next time, never missed)."""
        counters, changes_since = _request_log(session)
        with self._lock:
            base = self._bases.get(key)
        value: Any = MISSING
        if base is not None:
            changes = changes_since(base[0])
            if not changes.other:
                patched = patch(base[1], changes.routes)
                if patched is not None:
                    value = patched
                    with self._lock:
                        self.patched += 1
        if value is MISSING:
            value = compute()
            with self._lock:
                self.computed += 1
            _computed_in_request()
        with self._lock:
            self._bases[key] = (counters, value)
            self._bases.move_to_end(key)
            while len(self._bases) > _MAX_BASES:
                self._bases.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bases.clear()


def _request_log(session: Session) -> tuple[dict[int, int], Callable[[dict[int, int]], data_version.Changes]]:
    """The counters (data_version.read_slots) and a reader of the changes since
    older counters, read once per transaction that has not written: a page
    patches several kept values, and each reading them again cost two
    statements. Read before the first value's data, so before every later
    value's data too (what the ordering in _patch_or_compute asks)."""
    if isinstance(session, scoped_session):
        session = session()
    connection = session.connection()
    if not _shareable(session):  # a writing transaction: its counters move with each step
        now = data_version.read_slots(connection)
        return now, lambda older: data_version.changes_between(connection, older, now)
    transaction = session.get_transaction()
    found = session.info.get(_LOG)
    if found is None or found[0] is not transaction:
        found = session.info[_LOG] = (transaction, data_version.read_slots(connection), {})
    counters: dict[int, int] = found[1]
    seen: dict[tuple[tuple[int, int], ...], data_version.Changes] = found[2]

    def changes_since(older: dict[int, int]) -> data_version.Changes:
        marker = tuple(sorted(older.items()))
        changes = seen.get(marker)
        if changes is None:
            changes = seen[marker] = data_version.changes_between(connection, older, counters)
        return changes
    return counters, changes_since


def _shareable(session: Session) -> bool:
    """Figures computed in a transaction that moved the version hold its uncommitted data."""
    if isinstance(session, scoped_session):
        session = session()
    return not session.info.get(_WROTE) and not data_version.moved(session)


def _request_version(session: Session) -> str:
    """The version, read once per transaction of the session (a request reads
    it once; a write in the same transaction writes a new one and is seen)."""
    if isinstance(session, scoped_session):
        session = session()
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.get(_DIRTY):
        _write_version(session)
        session.flush()
    transaction = session.get_transaction()
    found = session.info.get(_READ)
    if found is not None and found[0] is _ADOPT:  # this transaction (begun now) takes the version read before it
        session.connection()
        transaction = session.get_transaction()
        session.info[_READ] = found = (transaction, found[1])
    if found is not None and transaction is not None and found[0] is transaction:
        return str(found[1])
    version = read_version(session)
    # The transaction the read began (there was none before a request's first statement).
    session.info[_READ] = (session.get_transaction(), version)
    return version


_ADOPT = object()  # a version read before the session's transaction began (adopt_request_version)


def adopt_request_version(session: Session, version: str) -> None:
    """A version the request read on a connection of its own before its session
    began a transaction (web/caching: the page cache's ETag): the first kept()
    of the session's next transaction uses it instead of reading again. Its
    data is then at least as new as the version, as any reader's is."""
    if isinstance(session, scoped_session):
        session = session()
    session.info[_READ] = (_ADOPT, version)


def read_request_version(session: Session) -> str:
    """Read the version now (a request's first statement: the page cache's
    ETag) and let kept() in the same transaction use it instead of reading it again."""
    if isinstance(session, scoped_session):
        session = session()
    version = read_version(session)
    session.info[_READ] = (session.get_transaction(), version)
    return version


def init_app(app: Flask) -> None:
    """One store per app; KEEP_AGGREGATES=0 (config or environment) computes on every call."""
    install()
    env = os.environ.get("KEEP_AGGREGATES")
    app.config.setdefault("KEEP_AGGREGATES", env != "0")
    app.config.setdefault("KEPT_AGGREGATES_SHARED", True)  # in Redis too, when REDIS_URL is set
    app.config.setdefault("KEPT_AGGREGATES_PREFIX", os.environ.get("KEPT_AGGREGATES_PREFIX") or None)
    app.config.setdefault("KEPT_AGGREGATES_TTL", int(os.environ.get("KEPT_AGGREGATES_TTL") or 3600))
    app.config.setdefault("KEPT_AGGREGATES_MAX_BYTES", 2 * 1024 * 1024)  # one value, compressed
    app.extensions["kept_aggregates"] = KeptAggregates(enabled=bool(app.config["KEEP_AGGREGATES"]))
    app.config.setdefault("TRIM_AFTER_COMPUTE", os.environ.get("TRIM_AFTER_COMPUTE") != "0")
    if app.config["TRIM_AFTER_COMPUTE"] and _malloc_trim is not None:
        app.after_request(_trim_when_sent)


def _computed_in_request() -> None:
    if has_request_context():
        g.kept_aggregates_computed = True  # once the response is sent the freed memory goes back (_trim)


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None (another C library)."""
    try:
        return cast(Callable[[int], int], ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim)
    except (OSError, AttributeError):
        return None


_malloc_trim = _load_malloc_trim()


def _trim_when_sent(response: Response) -> Response:
    """After a request that computed figures, once its response is sent: give
    the memory the computation freed back to the system. At national scale a
    computation reads tens of MBs of rows that are garbage once the figures
    are made; glibc keeps such freed memory in its heaps (one per thread
    arena), so a worker's RSS would stay at its peaks. About 10 ms after
    /kaart at scale 10 (1 ms elsewhere), once per aggregates version and key,
    and after the body went out, so no response waits for it."""
    if g.pop("kept_aggregates_computed", False):
        response.call_on_close(_trim)
    return response


def _trim() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)


def _shared() -> SharedValues | None:
    """The app's Redis level, made again when its URL or prefix changed."""
    config = current_app.config
    url = config.get("REDIS_URL")
    if not url or not config.get("KEPT_AGGREGATES_SHARED", True):
        return None
    made_for = (url, config.get("KEPT_AGGREGATES_PREFIX"))
    shared = current_app.extensions.get("kept_aggregates_shared")
    if shared is None or shared.made_for != made_for:
        shared = current_app.extensions["kept_aggregates_shared"] = SharedValues(
            url, config.get("KEPT_AGGREGATES_PREFIX") or key_prefix(config, "agg"),
            int(config.get("KEPT_AGGREGATES_TTL", 3600)), int(config.get("KEPT_AGGREGATES_MAX_BYTES", 2 << 20)),
            str(config["SECRET_KEY"]), str(config.get("CODE_FINGERPRINT", "")))
        shared.made_for = made_for
    return shared


def store() -> KeptAggregates | None:
    if not has_app_context():
        return None
    return current_app.extensions.get("kept_aggregates")


def kept(session: Session, key: Hashable, compute: Callable[[], T],
         patch: Callable[[T, frozenset[int]], T | None] | None = None) -> T:
    """The value of `compute()` for the current aggregates version: computed once
    per version and key in this app, and with REDIS_URL once for every app on
    the database (outside an app: computed each time). The key must name
    everything the value depends on besides the data (the function, its
    arguments, the audience), in plain values (str, int, None, dates, tuples).

    With `patch`, a value of an older version is brought up to date instead of
    computed again when only routes changed since: patch(old value, ids of the
    changed routes) gives the new value, or None to compute it. The ids name
    every route whose own rows changed (core/data_version's log of steps);
    whether a route is still selected, and what it now is, patch reads itself."""
    found = store()
    if found is None:
        return compute()
    return found.get(session, key, compute, _shared() if found.enabled else None, patch)
