"""The evaluator a procedure's expressions run in: helpers bound to the clock and calendar, parameters.

It also carries the school's time settings, which place the bare dates and naive times expressions give.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.time.clock import Clock
from engine.scripting.helpers import make_helpers
from engine.storage.models import Definition
from engine.definitions.params import declared_params, effective_params
from engine.scripting import Evaluator
from engine.time.school_time import SchoolTime, lazy_school_time


class LazyMapping(Mapping[str, Any]):
    """A mapping read from the database on first use: most operations never touch parameters or the
    lane mapping, so they never pay the query."""

    def __init__(self, load: Callable[[], dict[str, Any]], names: frozenset[str] | None = None):
        self._load = functools.cache(load)
        # The names it can have, known without the database: parameters are looked up before case data,
        # so every name an expression reads asks here first, and only a declared one may cost the query.
        self._names = names

    def __getitem__(self, key: str) -> Any:
        if self._names is not None and key not in self._names:
            raise KeyError(key)
        return self._load()[key]

    def __contains__(self, key: object) -> bool:
        if self._names is not None and key not in self._names:
            return False
        return key in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def make_evaluator(session: Session, definition: Definition, clock: Clock, instance_names: dict[str, Any],
                   school_time: Callable[[], SchoolTime] | None = None) -> Evaluator:
    """An evaluator for one operation on ``definition``; names: case facts, then parameters.

    Pass ``school_time`` when the operation already has a loader (``settings.lazy_school_time``), so
    the settings are read at most once in it.
    """
    from engine.time.school_calendar import load_calendar

    # The settings, the calendar and the parameters are read from the database only if something asks.
    times = school_time or lazy_school_time(session)
    calendar = functools.cache(lambda: load_calendar(session, times()))
    params = LazyMapping(lambda: effective_params(session, definition), frozenset(declared_params(definition)))
    return Evaluator(make_helpers(clock, calendar, times), params, instance_names, school_time=times)
