"""argon2id password hashing and the password policy.

The policy (ASVS 2.1.7, NIST SP 800-63B 5.1.1.2): at least 12 characters, and
not a password that is easy to guess. "Easy to guess" is decided offline by
zxcvbn (its lists of 30,000 common and breached passwords plus English words
and names, and its patterns: sequences, repeats, keyboard walks, dates), with
the account's own e-mail address and name and the portal's own words as extra
dictionary entries; nothing is sent anywhere. A password must reach zxcvbn's
score 3, "safely unguessable: moderate protection from an offline slow-hash
attack" (at least 10^8 guesses), which suits argon2id hashes. On top of that a
listed password, the e-mail address or the name with only digits or
punctuation around it ("Welkom2026!!") is refused even when zxcvbn scores it
higher.
"""
from __future__ import annotations

import functools
import re
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current defaults

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 0-4; 3 = at least 10^8 guesses
# zxcvbn refuses longer input (its matching is quadratic).
_ZXCVBN_MAX_LENGTH = 72
# The portal's own words: a password made of them is guessed first.
SITE_WORDS = ("portaal", "leerroute", "leerroutes", "doorlopende", "vmbo", "mbo", "vmbombo",
              "sterk", "beroepsonderwijs", "sterkberoepsonderwijs", "landkaart")

TOO_SHORT = f"Een wachtwoord heeft minstens {MIN_LENGTH} tekens."
IS_EMAIL = "Het wachtwoord mag niet gelijk zijn aan het e-mailadres."
PERSONAL = ("Het wachtwoord lijkt te veel op het e-mailadres of de naam van het account. "
            "Kies bijvoorbeeld een zin van een paar woorden die niet bij elkaar horen.")
COMMON = ("Dit wachtwoord is te makkelijk te raden: het staat (bijna) zo in lijsten van veelgebruikte en "
          "uitgelekte wachtwoorden, en een woord met cijfers of tekens erbij maakt het niet sterker. "
          "Kies bijvoorbeeld een zin van een paar woorden die niet bij elkaar horen.")
GUESSABLE = ("Dit wachtwoord is te makkelijk te raden, bijvoorbeeld door een reeks (123456, abcdef), een "
             "herhaling, een toetsenbordpatroon of een datum. "
             "Kies bijvoorbeeld een zin van een paar woorden die niet bij elkaar horen.")

# A valid hash to verify against when the account does not exist, so the time
# taken does not reveal whether an email address is registered.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")
# zxcvbn keeps the extra words of a call in a module-level dictionary: one
# check at a time, or two threads would see each other's e-mail addresses.
_zxcvbn_lock = threading.Lock()
_AROUND = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$", re.DOTALL)
_WORD_SPLIT = re.compile(r"[\W_]+")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_policy_errors(password: str, email: str | None = None, name: str | None = None) -> list[str]:
    """Dutch messages for the password field; empty when the password may be used."""
    password = password or ""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(TOO_SHORT)
    if email and password.strip().lower() == email.strip().lower():
        errors.append(IS_EMAIL)
    if errors:
        return errors
    weakness = _weakness(password, _personal_words(email, name))
    return [weakness] if weakness else []


def _personal_words(email: str | None, name: str | None) -> set[str]:
    """The e-mail address, its local part and domain name, the name, and
    their words of three or more characters, in lower case."""
    words: set[str] = set()
    email = (email or "").strip().lower()
    if email:
        local, _, domain = email.partition("@")
        words |= {email, local, domain.rsplit(".", 1)[0]}
        words |= set(_WORD_SPLIT.split(local)) | set(_WORD_SPLIT.split(domain)[:-1])
    name = (name or "").strip().lower()
    if name:
        words |= {name, _WORD_SPLIT.sub("", name)} | set(_WORD_SPLIT.split(name))
    return {w for w in words if len(w) >= 3}


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415  (12 MB per worker: only when a password is set)
    return frozenset(FREQUENCY_LISTS["passwords"])


def _weakness(password: str, personal: set[str]) -> str | None:
    # zxcvbn and its word lists (12 MB in every worker) are loaded on the first
    # password set, not at start: most workers never see one.
    from zxcvbn import zxcvbn  # noqa: PLC0415  (see above)

    # The word inside digits and punctuation: "Welkom2026!!" -> "welkom".
    core = _AROUND.match(password.lower()).group(1)  # type: ignore[union-attr]  (always matches)
    if core in personal:
        return PERSONAL
    if core in _common_passwords() or core in SITE_WORDS:
        return COMMON
    # zxcvbn takes at most 72 characters: a longer password is strong when
    # its first or its last 72 are (it contains them).
    windows = dict.fromkeys((password[:_ZXCVBN_MAX_LENGTH], password[-_ZXCVBN_MAX_LENGTH:]))
    with _zxcvbn_lock:
        results = [zxcvbn(w, user_inputs=[*personal, *SITE_WORDS], max_length=_ZXCVBN_MAX_LENGTH)
                   for w in windows]
    if any(r["score"] >= MIN_SCORE for r in results):
        return None
    result = results[0]
    words = [m for m in result["sequence"] if m["pattern"] == "dictionary"]
    if any(m["dictionary_name"] == "user_inputs" and m["matched_word"] in personal for m in words):
        return PERSONAL
    if any(m["dictionary_name"] == "passwords" or m["matched_word"] in SITE_WORDS for m in words):
        return COMMON
    return GUESSABLE
