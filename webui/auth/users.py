"""The signed-in person as Flask-Login sees them, loaded once per request from the database."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import joinedload

from engine.people.users import group_names
from engine.storage.models import User

from ..db import read_session


@dataclass(frozen=True)
class SignedIn(UserMixin):
    name: str
    display_name: str | None
    is_admin: bool
    locale: str | None
    groups: tuple[str, ...]
    stamp: str

    def get_id(self) -> str:
        # The stamp ties the session to the current password: setting a new one (or removing it) signs
        # out every browser signed in with the old one.
        return f"{self.name}|{self.stamp}"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


def stamp(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def from_row(user: User) -> SignedIn:
    return SignedIn(user.name, user.display_name, user.is_admin, user.locale, tuple(group_names(user)),
                    stamp(user.password_hash))


def load(user_id: str) -> SignedIn | None:
    """Flask-Login's loader: None (never an exception) for an unknown user or a stale session."""
    name, _, expected = user_id.partition("|")
    with read_session() as s:
        # One statement every request pays for: the user and their groups joined, not a second SELECT.
        user = s.scalars(sa.select(User).where(User.name == name).options(joinedload(User.groups))).unique() \
            .one_or_none()
        if user is None or user.password_hash is None or stamp(user.password_hash) != expected:
            return None
        return from_row(user)
