"""The administrators' pages (procedures, modeler, activation, migration) share one guard.

Someone who is not an administrator gets the same 404 as for a page that does not exist: the pages do not
announce themselves to staff, as case pages do not to people who may not see the case.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


def admin_required(view: F) -> F:
    """Answer 404 unless the signed-in user is an administrator (sign-in itself is required app-wide)."""
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not (current_user.is_authenticated and current_user.is_admin):
            abort(404)
        return view(*args, **kwargs)
    return guarded  # type: ignore[return-value]
