"""Engine forms on web pages: the typed values a browser posts, turned into what the engine validates,
and the engine's English reasons in the reader's language (``say``, from ``engine_messages``). Validation
itself is the engine's (``engine.definitions.forms.validate_form``, run by ``start_process`` and
``complete_task``).
"""
from __future__ import annotations

from typing import Any

from flask_babel import _
from werkzeug.datastructures import MultiDict

from engine.definitions.forms import FormField

from .engine_messages import say  # noqa: F401  (the routes and templates take it from here)


def posted_values(fields: list[FormField], form: MultiDict[str, str]) -> dict[str, Any]:
    """What the person typed, per field, as text (a checkbox: "true"/"false"); readonly fields are not
    taken from the request. Files are handled by the caller (``file`` fields hold kept references)."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.readonly:
            continue
        if f.type == "boolean":
            # The page sends a hidden "false" before the checkbox, so a ticked box posts both: any "true" wins.
            out[f.id] = "true" if any(v in ("true", "on") for v in form.getlist(f.id)) else "false"
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
