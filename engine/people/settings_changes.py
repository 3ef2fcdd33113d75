"""Administrators change the school's settings; each change is checked, stored and audited.

The settings themselves, their defaults and how they are read live in ``engine.time.school_time``.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.cases import audit
from engine.errors import InvalidInput, NotAllowed
from engine.people.users import get_user
from engine.storage.models import Setting
from engine.time.clock import Clock
from engine.time.school_time import known_setting


def set_setting(session: Session, name: str, value: str, *, clock: Clock, actor: str | None = None) -> str:
    """Set ``name`` to ``value`` for everything computed from now on; returns the value as stored.

    :raises InvalidInput: no such setting, or the value is not valid for it; nothing changes.
    :raises NotFound: ``actor`` is not a user.
    :raises NotAllowed: ``actor`` is not an administrator.
    """
    known = known_setting(name)
    _check_admin(session, actor)
    text = str(value).strip()
    try:
        stored = known.check(text)
    except ValueError as exc:
        raise InvalidInput(f"{name}: {exc}", {"value": str(exc)}) from None
    row = session.get(Setting, name)
    previous = row.value if row else known.default
    if row is None:
        row = Setting(name=name, value=stored, updated_at=clock.now())
        session.add(row)
    row.value, row.updated_at, row.updated_by = stored, clock.now(), actor
    session.flush()
    audit.record(session, "setting.set", clock=clock, actor=actor, name=name, value=stored, previous=previous)
    return stored


def unset_setting(session: Session, name: str, *, clock: Clock, actor: str | None = None) -> bool:
    """Go back to the default; returns False if ``name`` was not set.

    :raises InvalidInput: no such setting.
    :raises NotFound: ``actor`` is not a user.
    :raises NotAllowed: ``actor`` is not an administrator.
    """
    known_setting(name)
    _check_admin(session, actor)
    row = session.get(Setting, name)
    if row is None:
        return False
    previous = row.value
    session.delete(row)
    session.flush()
    audit.record(session, "setting.unset", clock=clock, actor=actor, name=name, previous=previous)
    return True


def _check_admin(session: Session, actor: str | None) -> None:
    # Without an actor the caller is the operator at the command line, who has the database anyway;
    # a named actor (the web UI's signed-in user) must be an administrator.
    if actor is not None and not get_user(session, actor).is_admin:
        raise NotAllowed("only an administrator can change the school's settings")
