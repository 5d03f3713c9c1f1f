"""Rules for organisations that coordinators add (employers, gemeenten and
other partners): the KvK number, the website, which kinds may be added, and
when two names are "similar" (the duplicate question).

Similar names. Two names are compared by their key: lower case, accents
removed, every character that is no letter or digit a space, and legal-form
and filler words left out (b.v., n.v., v.o.f., stichting, vereniging, de, het,
en, ...). Two names are similar when their keys are equal, or when every word
of the shorter key (of at least two words) is in the longer one: "Bakkerij
Jansen B.V." and "bakkerij jansen" are similar, and so are "Zorgcentrum De
Vallei" and "Zorgcentrum De Vallei Veenendaal". The question is asked only
within one gemeente: the same name in another gemeente is another branch or
another firm."""
from __future__ import annotations

import re
import unicodedata

from portal.domain import vocab

# Kinds a coordinator may add. vmbo schools and mbo institutions come from
# the reference data (DUO, the mbo import) only.
ADDABLE_KINDS: tuple[str, ...] = ("employer", "other")
REFERENCE_KINDS: tuple[str, ...] = ("vmbo", "mbo")
ADDABLE_KIND_LABELS = {"employer": "Bedrijf / leerbedrijf", "other": "Gemeente, branche of andere partner"}

KVK_RE = re.compile(r"^[0-9]{8}$")
WEBSITE_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)

MESSAGE_KIND = ("Vmbo-scholen en mbo-instellingen komen uit de referentiegegevens (DUO en het mbo-bestand); "
                "je kunt ze niet zelf toevoegen. Kies een bedrijf of een andere partner.")
MESSAGE_KVK = "Een KvK-nummer bestaat uit precies 8 cijfers, bijvoorbeeld 12345678."
MESSAGE_WEBSITE = "Schrijf de website als een adres, bijvoorbeeld https://www.voorbeeld.nl."
MESSAGE_NAME = "Vul de naam van de organisatie in."

FILLER_WORDS = frozenset({
    "bv", "b", "v", "nv", "n", "vof", "cv", "stichting", "vereniging", "holding", "de", "het", "een", "en",
    "van", "der", "den", "te", "demo",
})


KIND_NAMES = vocab.names(vocab.ORGANISATION_KINDS)


def clean_kvk(value: str | None) -> str | None:
    """The stored form of a KvK number: without spaces and dots; None when empty."""
    if value is None:
        return None
    cleaned = re.sub(r"[\s.]", "", value)
    return cleaned or None


def kvk_error(value: str | None) -> str | None:
    """The Dutch reason why a (cleaned) KvK number is invalid, or None."""
    if value is None:
        return None
    return None if KVK_RE.fullmatch(value) else MESSAGE_KVK


def clean_website(value: str | None) -> str | None:
    """'www.example.nl' is stored as 'https://www.example.nl'."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        value = "https://" + value
    return value


def website_error(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > 255 or not WEBSITE_RE.fullmatch(value):
        return MESSAGE_WEBSITE
    return None


def kind_error(kind: str) -> str | None:
    return None if kind in ADDABLE_KINDS else MESSAGE_KIND


def name_key(name: str) -> str:
    """The comparison key of a name (see the module's docstring)."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    return " ".join(w for w in words if w not in FILLER_WORDS)


def names_similar(a: str, b: str) -> bool:
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    shorter, longer = sorted((key_a.split(), key_b.split()), key=len)
    return len(shorter) >= 2 and set(shorter) <= set(longer)
