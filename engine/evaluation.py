"""The evaluator a procedure's expressions run in: helpers bound to the clock and calendar, parameters."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.orm import Session

from .clock import Clock
from .expression_helpers import make_helpers
from .models import Definition
from .scripting import Evaluator

PARAM_PREFIX = "param."


def default_params(definition: Definition) -> dict[str, Any]:
    """Parameters declared in the file as process properties ``param.NAME``; numbers become numbers."""
    out: dict[str, Any] = {}
    for key, value in (definition.properties or {}).items():
        if key.startswith(PARAM_PREFIX):
            out[key.removeprefix(PARAM_PREFIX)] = _typed(value)
    return out


def _typed(value: str) -> Any:
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text.lower(), value)


def make_evaluator(session: Session, definition: Definition, clock: Clock,
                   instance_names: dict[str, Any]) -> Evaluator:
    from .school_calendar import load_calendar

    # The calendar is read from the database only if an expression asks for working days.
    calendar = functools.cache(lambda: load_calendar(session))
    return Evaluator(make_helpers(clock, calendar), {**default_params(definition), **instance_names})


