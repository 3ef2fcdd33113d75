"""Passwords for signing in to the web UI: argon2id hashes (argon2-cffi), never the password itself.

A user without a hash cannot sign in. ``check_password`` spends the same work on an unknown user as on
a known one (it verifies against a dummy hash), so timing does not tell which names exist.
"""
from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.people.users import get_user
from engine.storage.models import User

MIN_LENGTH = 8
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps a huge body from costing work
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY = _hasher.hash("not a password anyone has")


def set_password(session: Session, name: str, password: str) -> User:
    """Give ``name`` a new password. :raises InvalidInput: too short or too long. :raises NotFound:"""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"the password must have at most {MAX_LENGTH} characters")
    user = get_user(session, name)
    user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def check_password(session: Session, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs; None for an unknown name, no password set, or a wrong one.

    A hash made with older parameters is upgraded on the spot (the caller commits).
    """
    user = session.scalar(sa.select(User).where(User.name == name)) if len(name) <= 64 else None
    if user is None or user.password_hash is None or len(password) > MAX_LENGTH:
        _verify(_DUMMY, password[:MAX_LENGTH])  # the same work as for a real user
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.flush()
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
