"""People on pages by the names their colleagues know them by (``display_name``), not their user names.

Looked up once per name per request, in a short session of its own: the filter runs inside templates,
after the view has finished with (and maybe committed) the request's session. A list page that knows its
people beforehand looks them all up in its own session first (``remember``).
"""
from __future__ import annotations

from flask import g
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.people.users import display_names, get_user

from .db import read_session


def remember(session: Session, names: set[str]) -> None:
    """Look up several people at once in the view's ``session`` (a list page: one statement before the
    template runs instead of one short session per name inside it)."""
    known: dict[str, str] = g.setdefault("display_names", {})
    wanted = {n for n in names if n and n not in known}
    found = display_names(session, wanted)
    known.update({n: found.get(n) or n for n in wanted})


def person(name: str | None) -> str:
    """``ducha`` → ``信息督察室 徐老师``; a name nobody has (or an empty one) is shown as it is."""
    if not name:
        return ""
    known: dict[str, str] = g.setdefault("display_names", {})
    if name not in known:
        with read_session() as s:
            try:
                known[name] = get_user(s, name).display_name or name
            except NotFound:
                known[name] = name
    return known[name]
