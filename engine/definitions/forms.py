"""Task forms: the typed fields a ``camunda:formData`` declares, and server-side validation of answers.

Types: string, long, boolean, date, enum, and ``file`` (ours: a list of attachment references, e.g.
the names or ids of uploaded evidence). Constraints: required, readonly, minlength, maxlength, min, max. A field property ``requiredWhen``
makes a field required only when another field of the same form has a value (``measure_2``) or a given
value (``outcome=extension``); several conditions, comma-separated, any one sufficing.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.errors import InvalidInput
from engine.time.school_calendar import FIRST_DAY, LAST_DAY

FIELD_TYPES = {"string", "long", "boolean", "date", "enum", "file"}
# constraint name -> whether it takes a numeric config
VALIDATION_CONSTRAINTS = {"required": False, "readonly": False, "minlength": True, "maxlength": True,
                          "min": True, "max": True}
MAX_FREE_DATA_BYTES = 64 * 1024
# What any submission (a task's form, a start) may hold, whatever its form says: a case whose data
# cannot be stored, loaded or evaluated again would be stuck for good (issue #10).
MAX_NESTING = 8  # lists and objects inside one another in one value
MAX_TEXT_CHARS = 10_000  # one piece of text (the longest string an expression may handle, too)
MAX_VALUE_BYTES = 64 * 1024  # one field's value, as JSON
MAX_CASE_DATA_BYTES = 1024 * 1024  # everything a case holds, as JSON
INT64 = (-(2**63), 2**63 - 1)
_ASCII_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")
TRUE_WORDS, FALSE_WORDS = {"true", "on", "yes", "1"}, {"false", "off", "no", "0", ""}


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = False
    readonly: bool = False
    minlength: int | None = None
    maxlength: int | None = None
    min: float | None = None
    max: float | None = None
    values: list[tuple[str, str]] = field(default_factory=list)
    default: str | None = None
    # A date field with the field property ``withTime=true`` takes a date and a time of day (来访时间).
    with_time: bool = False
    # ``requiredWhen``: (field id, value or None for "has any value"), any one making this field required.
    required_when: tuple[tuple[str, str | None], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "label": self.label, "type": self.type, "required": self.required,
               "readonly": self.readonly, "values": [{"id": i, "name": n} for i, n in self.values],
               "schema": self.value_schema()}
        if self.with_time:
            out["with_time"] = True
        return out

    def value_schema(self) -> dict[str, Any]:
        """A JSON Schema of the value ``validate_form`` takes for this field, in its plain JSON form.

        For programs (the API's clients): an answer that matches it passes the field's own checks. The
        engine also takes a few spellings a web form sends (``"12"`` for a whole number, ``"yes"`` for
        true, one reference for a list of them); the schema names only the JSON one.
        """
        schema: dict[str, Any]
        match self.type:
            case "string":
                schema = {"type": "string", "maxLength": MAX_TEXT_CHARS}
                if self.minlength is not None:
                    schema["minLength"] = self.minlength
                if self.maxlength is not None:
                    schema["maxLength"] = min(self.maxlength, MAX_TEXT_CHARS)
            case "long":
                schema = {"type": "integer", "minimum": INT64[0], "maximum": INT64[1]}
                if self.min is not None:
                    schema["minimum"] = math.ceil(self.min)
                if self.max is not None:
                    schema["maximum"] = math.floor(self.max)
            case "boolean":
                schema = {"type": "boolean"}
            case "date" if self.with_time:
                schema = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}$",
                          "description": "a date and a time of day in the school's time zone, "
                                         "such as 2026-09-01T14:30"}
            case "date":
                schema = {"type": "string", "format": "date",
                          "description": f"a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"}
            case "enum":
                schema = {"type": "string", "enum": [i for i, _ in self.values]}
            case "file":
                schema = {"type": "array", "items": {"type": "string", "minLength": 1},
                          "description": "references of uploaded evidence, such as evidence:12"}
            case _:
                schema = {}
        if self.readonly:
            schema["readOnly"] = True  # shown with its value, never taken from the one who answers
        return schema


def form_fields(task_spec: Any) -> list[FormField]:
    """The fields of a user task's Camunda form, in document order (empty for a task without one)."""
    form = getattr(task_spec, "form", None)
    out = []
    for f in getattr(form, "fields", None) or []:
        rules = {v.name: v.config for v in f.validation}
        out.append(FormField(
            id=f.id, label=f.label or f.id, type=f.type, required="required" in rules,
            readonly="readonly" in rules, minlength=_int(rules.get("minlength")),
            maxlength=_int(rules.get("maxlength")), min=_num(rules.get("min")), max=_num(rules.get("max")),
            values=[(o.id, o.name) for o in getattr(f, "options", [])], default=f.default_value,
            with_time=f.type == "date" and _property(f, WITH_TIME) in TRUE_WORDS,
            required_when=required_conditions(_property(f, REQUIRED_WHEN, lower=False)),
        ))
    return out


WITH_TIME = "withTime"
REQUIRED_WHEN = "requiredWhen"


def required_conditions(text: str) -> tuple[tuple[str, str | None], ...]:
    out = []
    for part in text.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip():
            out.append((name.strip(), value.strip() if value.strip() else None))
    return tuple(out)


def _property(f: Any, name: str, lower: bool = True) -> str:
    for prop in getattr(f, "properties", None) or []:
        if getattr(prop, "id", None) == name:
            value = str(prop.value or "").strip()
            return value.lower() if lower else value
    return ""


def _int(v: str | None) -> int | None:
    return None if v is None else int(float(v))


def _num(v: str | None) -> float | None:
    return None if v is None else float(v)


def validate_form(fields: list[FormField], data: Any) -> dict[str, Any]:
    """Check ``data`` against the form and return the cleaned values.

    :raises InvalidInput: with one message per field that is wrong; nothing is stored.
    """
    if not isinstance(data, dict):
        raise InvalidInput("the form data must be an object of field names and values")
    check_submitted(data)
    if not fields:
        return _free_data(data)
    known = {f.id: f for f in fields}
    errors = {k: "this form has no such field" for k in data if k not in known}
    cleaned: dict[str, Any] = {}
    for f in fields:
        if f.readonly:
            continue  # shown to the user, never taken from them
        try:
            value = _clean(f, data.get(f.id))
        except ValueError as exc:
            errors[f.id] = str(exc)
            continue
        if value is None:
            if f.required:
                errors[f.id] = "this field is required"
            continue
        cleaned[f.id] = value
    for f in fields:
        if f.required_when and f.id not in cleaned and f.id not in errors and not f.readonly \
                and any(_holds(cleaned.get(name), value) for name, value in f.required_when):
            errors[f.id] = "this field is required"
    if errors:
        raise InvalidInput("the form has errors: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    return cleaned


def _holds(answer: Any, value: str | None) -> bool:
    """Whether an answer meets a ``requiredWhen`` condition: any answer, or that value."""
    if value is not None:
        return answer is not None and str(answer).lower() == value.lower()
    return answer not in (None, False, [])


def _clean(f: FormField, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip() and f.type != "boolean"):
        return None
    match f.type:
        case "string":
            if not isinstance(raw, str):
                raise ValueError("must be text")
            if f.minlength is not None and len(raw) < f.minlength:
                raise ValueError(f"must be at least {f.minlength} characters")
            if f.maxlength is not None and len(raw) > f.maxlength:
                raise ValueError(f"must be at most {f.maxlength} characters")
            return raw
        case "long":
            value = _whole_number(raw)
            if not INT64[0] <= value <= INT64[1]:
                raise ValueError("must be a whole number between -9223372036854775808 and 9223372036854775807")
            if f.min is not None and value < f.min:
                raise ValueError(f"must be at least {f.min:g}")
            if f.max is not None and value > f.max:
                raise ValueError(f"must be at most {f.max:g}")
            return value
        case "boolean":
            if isinstance(raw, bool):
                return raw
            if f.required and isinstance(raw, str) and not raw.strip():
                return None  # a required yes/no must be answered; an empty answer is not "no"
            if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
                return raw.strip().lower() in TRUE_WORDS
            raise ValueError("must be yes or no")
        case "date" if f.with_time:
            try:
                moment = datetime.fromisoformat(str(raw).strip().replace(" ", "T", 1))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is not None or len(str(raw).strip()) <= 10:
                raise ValueError("must be a date and a time of day such as 2026-09-01 14:30") from None
            return moment.isoformat(timespec="minutes")
        case "date":
            try:
                day = date.fromisoformat(raw.strip()) if isinstance(raw, str) and len(raw) <= 40 else None
            except ValueError:
                day = None
            if day is None:
                raise ValueError("must be a date such as 2026-09-01")
            if not FIRST_DAY <= day <= LAST_DAY:
                raise ValueError(f"must be a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
            return day.isoformat()
        case "enum":
            ids = [i for i, _ in f.values]
            if raw not in ids:
                raise ValueError("must be one of: " + ", ".join(ids))
            return raw
        case "file":
            refs = [raw] if isinstance(raw, str) else raw
            if not isinstance(refs, list) or not all(isinstance(r, str) and r for r in refs):
                raise ValueError("must be a list of attachment references")
            return refs
    raise ValueError(f"unsupported field type {f.type}")


def _whole_number(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("must be a whole number")
    if isinstance(raw, int):
        return raw
    # Only ASCII digits: str.isdigit() also takes "١٢٣" and "²", which int() reads or refuses.
    if isinstance(raw, str) and _ASCII_WHOLE.fullmatch(raw.strip()):
        return int(raw.strip())
    raise ValueError("must be a whole number")


def check_submitted(data: dict[str, Any]) -> None:
    """Refuse what no form may take and no case could keep: deep nesting, oversized values, text that
    cannot be stored (lone surrogates, NUL), numbers outside 64 bits or not finite.

    :raises InvalidInput: one message per top-level name that is wrong.
    """
    errors = {}
    for key, value in data.items():
        if not isinstance(key, str) or not _storable(key) or len(key) > 200:
            raise InvalidInput("the data has a name that is too long or has characters that cannot be stored")
        problem = _value_problem(value)
        if problem:
            errors[key] = problem
    if errors:
        raise InvalidInput("the data was refused: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors)


def check_case_size(data: dict[str, Any]) -> None:
    """Refuse a step that would make the case's data larger than ``MAX_CASE_DATA_BYTES``."""
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8", "replace"))
    if size > MAX_CASE_DATA_BYTES:
        raise InvalidInput(f"the case would hold {-(-size // 1024)} KB of data; "
                           f"the limit is {MAX_CASE_DATA_BYTES // 1024} KB")


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _value_problem(value: Any) -> str | None:
    """Why one submitted value cannot be taken, or None; iterative, so no nesting can overflow a stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    budget = MAX_VALUE_BYTES  # a rough size count, so the walk itself is bounded
    while stack:
        item, depth = stack.pop()
        budget -= 8
        if isinstance(item, (dict, list)):
            if depth >= MAX_NESTING:
                return f"lists and objects may be nested at most {MAX_NESTING} deep"
            children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            for key, child in children:
                if key is not None:
                    if not isinstance(key, str) or not _storable(key):
                        return "has a name with characters that cannot be stored"
                    budget -= len(key)
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            if len(item) > MAX_TEXT_CHARS:
                return f"text may be at most {MAX_TEXT_CHARS} characters"
            if not _storable(item):
                return "has characters that cannot be stored (an unpaired surrogate or a NUL character)"
            budget -= len(item)
        elif isinstance(item, bool) or item is None:
            pass
        elif isinstance(item, int):
            if not INT64[0] <= item <= INT64[1]:
                return "numbers must lie within 64 bits (±9223372036854775807)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "numbers must be finite (not NaN or infinity)"
        else:
            return "must be text, a number, true/false, a list or an object"
        if budget < 0:
            return f"one value may be at most {MAX_VALUE_BYTES // 1024} KB"
    return None


def _free_data(data: dict[str, Any]) -> dict[str, Any]:
    """Data for a task without a form: any JSON values under plain names, within a size limit."""
    errors = {k: "must be a name of letters, digits and '_' not starting with '_'"
              for k in data if not (isinstance(k, str) and k.isidentifier() and not k.startswith("_"))}
    if errors:
        raise InvalidInput("the data has invalid names", errors)
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_FREE_DATA_BYTES:
        raise InvalidInput(f"the data is larger than {MAX_FREE_DATA_BYTES // 1024} KB")
    return dict(data)
