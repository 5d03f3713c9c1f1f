"""argon2id password hashing and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current defaults

MIN_LENGTH = 12
# A valid hash to verify against when the account does not exist, so the time
# taken does not reveal whether an email address is registered.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_policy_errors(password: str, email: str | None = None) -> list[str]:
    errors = []
    if len(password or "") < MIN_LENGTH:
        errors.append(f"Een wachtwoord heeft minstens {MIN_LENGTH} tekens.")
    if email and (password or "").strip().lower() == email.strip().lower():
        errors.append("Het wachtwoord mag niet gelijk zijn aan het e-mailadres.")
    return errors
