"""Camunda Modeler writes expressions as ``${…}`` with JUEL operators; turn them into Python syntax."""
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
_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)


def is_iso_literal(text: str) -> bool:
    """True for a bare ISO 8601 duration, date-time or repeating interval such as ``P7D``."""
    return bool(_ISO.match(text.strip()))


def is_cron(text: str) -> bool:
    """True for a bare cron line (``0 8 * * MON``); only timer cycles accept it."""
    t = text.strip()
    return bool(_CRON.match(t)) and not any(c in t for c in "()'\"=<>")


def is_expression(text: str) -> bool:
    """True when an attribute value is an expression (``${…}``) rather than a literal."""
    return bool(_WRAPPED.match(text))


def normalize(expression: str) -> str:
    """Strip a ``${…}`` wrapper and turn ``&&``, ``||`` and ``!`` into Python, leaving string literals alone."""
    m = _WRAPPED.match(expression)
    text = m.group(1) if m else expression
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("&&", i):
            out.append(" and ")
            i += 2
        elif text.startswith("||", i):
            out.append(" or ")
            i += 2
        elif c == "!" and not text.startswith("!=", i):
            out.append(" not ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out).strip()
