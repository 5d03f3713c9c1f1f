"""Serving stored uploads, and forgetting the files of a request that did not
commit (see core/uploads.py)."""
from __future__ import annotations

import contextlib
import os
from typing import TypeVar

from flask import Flask, Response, abort, g, has_request_context, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.core.uploads import safe_filename, stored_path, upload_dir
from portal.domain.text import safe_filename_display
from portal.extensions import db
from portal.models.base import StoredFileMixin

A = TypeVar("A", bound=StoredFileMixin)


def send_stored(stored_name: str, download_name: str, content_type: str) -> Response:
    """Serve a stored file as a download (never inline), to the caller who has
    already checked permission. The name in Content-Disposition carries no
    control or bidi characters, also for names stored before uploads refused
    them; a non-ASCII name is sent as RFC 6266 `filename*` (UTF-8) with an
    ASCII `filename` for old clients (werkzeug's send_file)."""
    response = send_file(stored_path(stored_name), mimetype=content_type, as_attachment=True,
                         download_name=safe_filename(safe_filename_display(download_name)), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def load_attachment(model: type[A], attachment_id: int, owner_column: str, owner_id: int) -> A:
    """The attachment `attachment_id` of the owner in the URL (its
    `owner_column` holds `owner_id`), or 404: an attachment id put under
    another plan's or practice's URL is not found."""
    attachment = db.session.get(model, attachment_id)
    if attachment is None or getattr(attachment, owner_column) != owner_id:
        abort(404)
    return attachment


def send_attachment(attachment: StoredFileMixin) -> Response:
    """Download an attachment under the name it was uploaded with."""
    return send_stored(attachment.stored_name, attachment.original_name, attachment.content_type)


def _forget_quietly(stored_name: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(upload_dir() / stored_name)


def _committed(_session) -> None:
    """A commit makes the rows that point at the request's stored files permanent."""
    if has_request_context():
        g.pop("uncommitted_uploads", None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)

    @app.teardown_request
    def forget_uncommitted_uploads(_exc):
        for stored_name in g.pop("uncommitted_uploads", ()):
            _forget_quietly(stored_name)
