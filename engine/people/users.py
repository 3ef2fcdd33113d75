"""Users and groups as the engine sees them: names, group membership, the administrator flag."""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.time.clock import Clock
from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.storage.models import Group, User

NAME = re.compile(r"^[\w.\-@]{1,64}$")


def add_user(session: Session, name: str, *, clock: Clock, groups: list[str] | None = None,
             display_name: str | None = None, is_admin: bool = False) -> User:
    """Create a user, or add groups to an existing one (creating missing groups).

    :raises InvalidInput: the user or a group name has characters other than letters, digits, ``._-@``.
    """
    bad = [n for n in [name, *(groups or [])] if not NAME.match(n)]
    if bad:
        raise InvalidInput(f"invalid name(s): {', '.join(bad)}; use letters, digits and . _ - @")
    user = session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        user = User(name=name, display_name=display_name, is_admin=is_admin, created_at=clock.now())
        session.add(user)
    else:
        user.is_admin = user.is_admin or is_admin
        if display_name:
            user.display_name = display_name
    for group_name in groups or []:
        group = session.scalar(sa.select(Group).where(Group.name == group_name))
        if group is None:
            group = Group(name=group_name)
            session.add(group)
        if group not in user.groups:
            user.groups.append(group)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    """:raises NotFound: no user has that name."""
    user = session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named '{name}'")
    return user


def display_names(session: Session, names: set[str]) -> dict[str, str | None]:
    """The display names of those of ``names`` that are users (one statement); unknown names are left out."""
    if not names:
        return {}
    rows = session.execute(sa.select(User.name, User.display_name).where(User.name.in_(sorted(names))))
    return {name: shown for name, shown in rows}


def require_admin(session: Session, actor: str | None, action: str) -> None:
    """Only an administrator may ``action`` (e.g. "deploy procedures"); ``actor`` None is the server's
    operator (the command line without ``--as``), who may.

    :raises NotFound: no user has that name.
    :raises NotAllowed: the user is not an administrator.
    """
    if actor is not None and not get_user(session, actor).is_admin:
        raise NotAllowed(f"only an administrator can {action}; {actor} is not one")


def group_names(user: User) -> list[str]:
    return sorted(g.name for g in user.groups)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.name)))


def set_locale(session: Session, name: str, locale: str | None) -> User:
    """Remember the language ``name`` chose for the web UI (None: the browser's again)."""
    user = get_user(session, name)
    user.locale = locale
    session.flush()
    return user
