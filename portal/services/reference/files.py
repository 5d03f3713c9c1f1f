"""What every reference loader shares: its error, its report and reading a CSV
file (UTF-8, ',' or ';'). A loader validates the whole file first and raises
ReferenceDataError naming the line or feature at fault; only then does it
write, so a bad file leaves nothing half-loaded (the caller commits once)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


class ReferenceDataError(ValueError):
    """A reference file is unusable; the message names the line or feature."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.created} nieuw, {self.updated} bijgewerkt, "
                f"{self.unchanged} ongewijzigd, {self.skipped} overgeslagen")
        return "; ".join([text, *self.notes])


def decode_text(raw: bytes, legacy: bool = False) -> str:
    """UTF-8 (with or without BOM); with `legacy`, Windows-1252 when the bytes
    are not UTF-8 (DUO published its older files that way)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if not legacy:
            raise ReferenceDataError("Het bestand is geen UTF-8-tekst.") from None
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise ReferenceDataError("Het bestand is geen UTF-8- of Windows-1252-tekst.") from None


def read_csv(raw: bytes | str, required: tuple[str, ...],
             legacy: bool = False) -> list[tuple[int, dict[str, str]]]:
    if isinstance(raw, bytes):
        raw = decode_text(raw, legacy)
    sample = raw[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ReferenceDataError(f"Regel 1: kolom(men) ontbreken: {', '.join(missing)}.")
    reader.fieldnames = header
    try:
        return [(i, {k: (v or "").strip() for k, v in row.items() if k})
                for i, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise ReferenceDataError(f"Regel {reader.line_num}: ongeldige CSV ({exc}).") from None
