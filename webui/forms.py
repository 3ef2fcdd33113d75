"""Engine forms on web pages: the typed values a browser posts, turned into what the engine validates,
and the engine's English reasons in the reader's language. Validation itself is the engine's
(``engine.definitions.forms.validate_form``, run by ``start_process`` and ``complete_task``).
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import _
from werkzeug.datastructures import MultiDict

from engine.definitions.forms import FormField

# The engine's sentences (engine/definitions/forms.py, engine/cases/evidence.py), matched whole.
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"this field is required"), lambda m: _("This field is required.")),
    (re.compile(r"must be text"), lambda m: _("Enter text.")),
    (re.compile(r"must be at least (\d+) characters"), lambda m: _("Enter at least %(n)s characters.", n=m[1])),
    (re.compile(r"must be at most (\d+) characters"), lambda m: _("Enter at most %(n)s characters.", n=m[1])),
    (re.compile(r"must be a whole number"), lambda m: _("Enter a whole number.")),
    (re.compile(r"must be at least (\S+)"), lambda m: _("Enter %(n)s or more.", n=m[1])),
    (re.compile(r"must be at most (\S+)"), lambda m: _("Enter %(n)s or less.", n=m[1])),
    (re.compile(r"must be yes or no"), lambda m: _("Choose yes or no.")),
    (re.compile(r"must be a date such as .*"), lambda m: _("Enter a date such as 2026-09-01.")),
    (re.compile(r"must be one of: .*"), lambda m: _("Choose one of the options.")),
    (re.compile(r"must be a list of attachment references"), lambda m: _("Upload the file again.")),
    (re.compile(r"this form has no such field"), lambda m: _("This form has no such field.")),
    (re.compile(r"task '(.*)' is claimed by (\S+); as their substitute, complete it directly.*"),
     lambda m: _("“%(task)s” is claimed by %(name)s; as their substitute, submit the form directly.",
                 task=m[1], name=m[2])),
    (re.compile(r"task '(.*)' is claimed by (\S+)"),
     lambda m: _("“%(task)s” is claimed by %(name)s", task=m[1], name=m[2])),
    (re.compile(r"\S+ may not (?:work on|claim) task '(.*)'"),
     lambda m: _("you are not among those who handle “%(task)s”", task=m[1])),
    (re.compile(r"only (\S+) or an administrator can release this task"),
     lambda m: _("only %(name)s or an administrator can give this task back", name=m[1])),
    (re.compile(r"the file is empty"), lambda m: _("The file is empty.")),
    (re.compile(r"the file is larger than (\d+) MB"), lambda m: _("The file is larger than %(n)s MB.", n=m[1])),
    (re.compile(r"the file is not one of the accepted kinds \((.*)\)"),
     lambda m: _("Only these kinds of file are accepted: %(kinds)s.", kinds=m[1])),
]


def say(message: str) -> str:
    """The engine's reason in the reader's language (the English sentence when no translation fits)."""
    for pattern, text in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return str(text(match))
    return message


def posted_values(fields: list[FormField], form: MultiDict[str, str]) -> dict[str, Any]:
    """What the person typed, per field, as text (a checkbox: "true"/"false"); readonly fields are not
    taken from the request. Files are handled by the caller (``file`` fields hold kept references)."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.readonly:
            continue
        if f.type == "boolean":
            out[f.id] = "true" if form.get(f.id) in ("true", "on") else "false"
        elif f.type == "file":
            out[f.id] = [r for r in form.getlist(f.id) if r]
        else:
            out[f.id] = form.get(f.id, "")
    return out


def engine_data(fields: list[FormField], values: dict[str, Any]) -> dict[str, Any]:
    """The typed values as the engine validates them (empty text is "no answer")."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.readonly or f.id not in values:
            continue
        value = values[f.id]
        if f.type == "file":
            if value:
                data[f.id] = value
        elif f.type == "boolean":
            data[f.id] = value == "true"
        elif isinstance(value, str) and value.strip() == "":
            continue
        else:
            data[f.id] = value
    return data


def case_files(instance_id: int, references: Any) -> list[Any]:
    """The uploads a file field's answer names (``evidence:12``), for links by file name; only the case's own."""
    from engine.cases import evidence

    from .db import get_session

    refs = [str(r) for r in references] if isinstance(references, list | tuple) else []
    return evidence.uploads_of_case(get_session(), instance_id, refs)


def event_label(kind: str) -> str:
    """An audit event kind (``task.completed``) as words."""
    labels = {
        "instance.started": _("started the case"), "instance.completed": _("the case was closed"),
        "instance.cancelled": _("the case was cancelled"), "instance.error": _("the case stopped with an error"),
        "instance.migrated": _("moved to another version"), "task.completed": _("completed"),
        "task.claimed": _("claimed"), "task.unclaimed": _("gave back"), "task.reassigned": _("reassigned"),
        "timer.fired": _("a deadline passed"),
    }
    return labels.get(kind, kind)
