"""Camunda Modeler writes expressions as ``${…}`` with JUEL operators; turn them into Python syntax."""
from __future__ import annotations

import re

_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)


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
