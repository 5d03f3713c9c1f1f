"""Uploaded files: size-limited, content-checked, stored outside static/ under
a random name, served only as attachments.

No file without its row: a file stored during a request is noted in the
request's context, and web/uploads.py forgets it again at the end of that
request unless the database session committed after it was stored. A save that
fails, is refused, or whose final commit fails (the database went away) leaves
nothing on disk."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app, g, has_request_context
from werkzeug.datastructures import FileStorage

from portal.core.errors import ServiceError
from portal.domain.text import check_text

MAX_BYTES = 10 * 1024 * 1024

# Magic numbers: the content decides the type, never the name or the browser.
SIGNATURES: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
KIND_NAMES = {"pdf": "PDF", "png": "PNG-afbeelding", "jpeg": "JPEG-afbeelding"}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg"}


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str

    def columns(self) -> dict[str, Any]:
        """The values of an attachment row's file columns (models.base.StoredFileMixin)."""
        return {"stored_name": self.stored_name, "original_name": self.original_name,
                "content_type": self.content_type, "size": self.size, "sha256": self.sha256}

    def audit_values(self) -> dict[str, Any]:
        """What the audit log keeps of the stored file."""
        return {"file": self.original_name, "size": self.size, "sha256": self.sha256}


def safe_filename(name: str | None, fallback: str = "bestand") -> str:
    """A display name without paths, control characters or shell surprises."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]", "", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    return (name or fallback)[:200]


def name_error(name: str | None) -> str | None:
    """The input boundary for upload names (portal/domain/text.py): a control
    character, a lone surrogate or a bidi control (which makes 'gnp.exe'
    look like 'exe.png') is refused with a Dutch message, not silently
    removed, so the uploader renames the file and sees what is stored."""
    message = check_text(name, name=True)
    return f"De bestandsnaam {message[:1].lower()}{message[1:]}" if message else None


def detect_kind(head: bytes) -> str | None:
    for kind, (magic, _) in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(file_storage: FileStorage | None, *, allowed: tuple[str, ...] = ("pdf", "png", "jpeg"),
                 max_bytes: int = MAX_BYTES, field: str = "file") -> StoredFile:
    """Check and store an uploaded file; raise ServiceError at `field` if it is
    missing, too large, or its content is not one of the allowed kinds."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        raise ServiceError({field: ["Kies een bestand."]})
    if message := name_error(file_storage.filename):
        raise ServiceError({field: [message]})
    data = file_storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ServiceError({field: [f"Het bestand is te groot: hoogstens {max_bytes // (1024 * 1024)} MB."]})
    if not data:
        raise ServiceError({field: ["Het bestand is leeg."]})
    kind = detect_kind(data[:16])
    if kind not in allowed:
        names = ", ".join(KIND_NAMES[k] for k in allowed)
        raise ServiceError({field: [f"Dit bestand is geen toegestaan type. Toegestaan: {names}."]})
    if kind == "pdf" and b"%%EOF" not in data[-2048:]:
        raise ServiceError({field: ["Het bestand is geen volledige PDF."]})
    stored_name = secrets.token_hex(16) + EXTENSIONS[kind]
    target = upload_dir() / stored_name
    with open(target, "xb") as handle:
        handle.write(data)
    if has_request_context():
        g.setdefault("uncommitted_uploads", []).append(stored_name)
    original = safe_filename(file_storage.filename)
    if not original.lower().endswith(EXTENSIONS[kind]) and not (kind == "jpeg" and original.lower().endswith(".jpeg")):
        original = f"{original}{EXTENSIONS[kind]}"
    return StoredFile(stored_name=stored_name, original_name=original,
                      content_type=SIGNATURES[kind][1], size=len(data),
                      sha256=hashlib.sha256(data).hexdigest())


ATTACHMENT_TITLE_MAX = 200


def attachment_title(title: str | None, field: str = "title") -> str:
    """An attachment's title with its runs of white space made one space;
    ServiceError at `field` when it is empty or too long."""
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError({field: ["Geef de bijlage een titel."]})
    if len(title) > ATTACHMENT_TITLE_MAX:
        raise ServiceError({field: [f"De titel is te lang (hoogstens {ATTACHMENT_TITLE_MAX} tekens)."]})
    return title


@contextlib.contextmanager
def stored_attachment(file_storage: FileStorage | None, field: str = "file") -> Iterator[StoredFile]:
    """Store the upload (store_upload) for the attachment row that the block
    writes; when the block fails, the file is deleted again, so that no file
    stays on disk without its row."""
    stored = store_upload(file_storage, field=field)
    try:
        yield stored
    except BaseException:
        delete_stored(stored.stored_name)
        raise


def stored_path(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}\.(pdf|png|jpg)", stored_name or ""):
        abort(404)
    path = upload_dir() / stored_name
    if not path.is_file():
        abort(404)
    return path


def delete_stored(stored_name: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(stored_path(stored_name))
