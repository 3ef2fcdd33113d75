"""People on pages by the names their colleagues know them by (``display_name``), not their user names.

Looked up once per name per request, in a short session of its own: the filter runs inside templates,
after the view has finished with (and maybe committed) the request's session.
"""
from __future__ import annotations

from flask import g

from engine.errors import NotFound
from engine.people.users import get_user

from .db import read_session


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
