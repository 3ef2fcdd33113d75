"""A procedure's named parameters: defaults declared in the file, values an administrator sets per deployment.

A file declares ``param.NAME`` process properties (``param.reply_days = 7``); expressions see them as
``reply_days``. An administrator overrides one with ``schoolflow params set KEY NAME VALUE`` without
editing the XML. Only declared names can be set, and a value must have the default's type (a whole
number, true/false, or text). Overrides are kept per process key and apply to expressions evaluated
from then on (deadlines of tasks created later, timers started later).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.time.clock import Clock
from engine.errors import InvalidInput
from engine.people.users import require_admin
from engine.storage.models import Definition, ProcessParam

PARAM_PREFIX = "param."
MAX_TEXT = 255


def typed(value: str) -> Any:
    """A property's text as a value: whole numbers become ints, true/false booleans, the rest text."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text.lower(), value)


def declared_params(definition: Definition) -> dict[str, Any]:
    """The parameters ``definition`` declares, with the defaults written in its file."""
    return {k.removeprefix(PARAM_PREFIX): typed(v) for k, v in (definition.properties or {}).items()
            if k.startswith(PARAM_PREFIX)}


def overrides(session: Session, process_key: str) -> dict[str, str]:
    rows = session.scalars(sa.select(ProcessParam).where(ProcessParam.process_key == process_key))
    return {r.name: r.value for r in rows}


def effective_params(session: Session, definition: Definition) -> dict[str, Any]:
    """The values expressions of ``definition`` see: its defaults, overlaid with the administrator's values."""
    out = declared_params(definition)
    for name, value in overrides(session, definition.process_key).items():
        if name in out:
            out[name] = _coerce(out[name], value)
    return out


@dataclass
class ParamView:
    name: str
    default: Any
    value: Any
    overridden: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "default": self.default, "value": self.value, "overridden": self.overridden}


def describe(session: Session, definition: Definition) -> list[ParamView]:
    """Every declared parameter with its default, its effective value and whether it was overridden."""
    set_values = overrides(session, definition.process_key)
    return [ParamView(name, default, _coerce(default, set_values[name]) if name in set_values else default,
                      name in set_values)
            for name, default in sorted(declared_params(definition).items())]


def set_param(session: Session, definition: Definition, name: str, value: str, *, clock: Clock,
              actor: str | None = None) -> Any:
    """Override parameter ``name`` of ``definition``'s process key; returns the typed value.

    :raises InvalidInput: the file declares no such parameter, or the value is not of the default's type.
    """
    require_admin(session, actor, "change a procedure's parameters")
    declared = declared_params(definition)
    if name not in declared:
        known = ", ".join(sorted(declared)) or "none"
        raise InvalidInput(f"procedure '{definition.process_key}' has no parameter '{name}' (it has: {known})",
                           {"name": "unknown parameter"})
    typed_value = _check(declared[name], value, name)
    row = session.get(ProcessParam, (definition.process_key, name))
    if row is None:
        row = ProcessParam(process_key=definition.process_key, name=name, value="", updated_at=clock.now())
        session.add(row)
    row.value, row.updated_at, row.updated_by = str(value).strip(), clock.now(), actor
    session.flush()
    audit.record(session, "param.set", clock=clock, actor=actor, process_key=definition.process_key,
                 name=name, value=typed_value)
    return typed_value


def unset_param(session: Session, process_key: str, name: str, *, clock: Clock, actor: str | None = None) -> bool:
    """Go back to the file's default; returns False if the parameter was not overridden."""
    require_admin(session, actor, "change a procedure's parameters")
    row = session.get(ProcessParam, (process_key, name))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    audit.record(session, "param.unset", clock=clock, actor=actor, process_key=process_key, name=name)
    return True


def _check(default: Any, value: str, name: str) -> Any:
    text = str(value).strip()
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise InvalidInput(f"parameter '{name}' is true or false, not '{value}'", {"value": "true or false"})
        return text.lower() == "true"
    if isinstance(default, int):
        if not text.lstrip("-").isdigit():
            raise InvalidInput(f"parameter '{name}' is a whole number, not '{value}'", {"value": "a whole number"})
        return int(text)
    if not text or len(text) > MAX_TEXT:
        raise InvalidInput(f"parameter '{name}' needs a text of 1 to {MAX_TEXT} characters",
                           {"value": "1 to 255 characters"})
    return text


def _coerce(default: Any, stored: str) -> Any:
    try:
        return _check(default, stored, "")
    except InvalidInput:  # a file changed the parameter's type since it was set: the file wins
        return default
