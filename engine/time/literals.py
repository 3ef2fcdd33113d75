"""Timer values Camunda Modeler writes without quotes: ISO 8601 literals and cron lines."""
from __future__ import annotations

import re

# ISO 8601 durations (P7D, PT2H), dates/times (2026-11-23T08:00), repeating intervals (R3/PT1H,
# R/2026-11-23T08:00/P1W) and five-field cron lines, as Camunda Modeler writes them without quotes.
_DURATION = r"-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_DATETIME = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(
    rf"^(?:{_DURATION}|{_DATETIME}|R\d*/(?:{_DATETIME}/)?(?:{_DURATION})(?:/{_DATETIME})?"
    rf"|R\d*/{_DATETIME}/{_DATETIME})$"
)
_CRON = re.compile(r"^(\S+\s+){4,5}\S+$")


def is_iso_literal(text: str) -> bool:
    """True for a bare ISO 8601 duration, date-time or repeating interval such as ``P7D``."""
    return bool(_ISO.match(text.strip()))


def is_cron(text: str) -> bool:
    """True for a bare cron line (``0 8 * * MON``); only timer cycles accept it."""
    t = text.strip()
    return bool(_CRON.match(t)) and not any(c in t for c in "()'\"=<>")
