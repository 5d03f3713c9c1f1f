"""The one input boundary for text: what a text value from a form, a CSV
cell, a JSON body or an upload name may contain, and how it is normalised.

Pure functions, no Flask. `check_text` returns a Dutch message (or None);
`normalise_text` gives the value that is stored. Every entry point (form
fields, the CSV importers, the API, upload names) uses these two, so a value
refused in one place is refused in all.
"""
from __future__ import annotations

import unicodedata

# Bidi embedding, override and isolate controls: U+202A–U+202E, U+2066–U+2069.
# In a name they reorder what the reader sees ("exe.fdp" shown as "pdf.exe").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Characters that render as nothing: zero-width space/joiners, word joiner,
# BOM, soft hyphen, the Hangul fillers and the invisible math operators. A
# value made only of these (and white space) is visually empty.
INVISIBLE = frozenset(
    "\u00ad\u034f\u115f\u1160\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
    "\u3164\ufeff\uffa0"
) | BIDI_CONTROLS

# Line breaks and tabs are allowed in multi-line text; nothing else below 0x20.
MULTILINE_ALLOWED = frozenset("\t\n\r")

MESSAGE_CONTROL = "Bevat een onzichtbaar stuurteken; verwijder het en probeer opnieuw."
MESSAGE_SURROGATE = "Bevat een ongeldig teken (een losse UTF-16-helft)."
MESSAGE_BIDI = "Bevat een teken dat de leesrichting omdraait; dat is in een naam niet toegestaan."


def is_control(char: str, *, multiline: bool = False) -> bool:
    """C0 (incl. NUL), DEL and C1 control characters; tab and line breaks
    only count when the value is single-line."""
    code = ord(char)
    if multiline and char in MULTILINE_ALLOWED:
        return False
    return code < 0x20 or 0x7F <= code <= 0x9F


def is_lone_surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def check_text(value: str | None, *, multiline: bool = False, name: bool = False) -> str | None:
    """The Dutch reason why `value` cannot be stored, or None when it can.

    `multiline` allows tabs and line breaks (text areas); `name` also refuses
    bidi controls (titles, names, file names: whatever identifies a thing)."""
    if not value:
        return None
    for char in value:
        if is_lone_surrogate(char):
            return MESSAGE_SURROGATE
        if is_control(char, multiline=multiline):
            return MESSAGE_CONTROL
        if name and char in BIDI_CONTROLS:
            return MESSAGE_BIDI
    return None


def is_visually_empty(value: str | None) -> bool:
    """True when nothing of `value` would be seen: only white space and
    characters that render as nothing."""
    if not value:
        return True
    return all(char.isspace() or char in INVISIBLE or unicodedata.category(char) == "Cf" for char in value)


def normalise_text(value: str | None, *, multiline: bool = False) -> str | None:
    """The stored form of a valid value: NFC, line breaks as \\n, surrounding
    white space stripped, and '' for a visually empty value. Call `check_text`
    first; this does not remove what that refuses."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    return "" if is_visually_empty(text) else text


def safe_filename_display(value: str) -> str:
    """An upload's display name with control and bidi characters removed, for
    names that were stored before they were refused (Content-Disposition)."""
    cleaned = "".join(
        char for char in value
        if not (is_control(char) or is_lone_surrogate(char) or char in BIDI_CONTROLS)
    )
    return cleaned.strip() or "bestand"
