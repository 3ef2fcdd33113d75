"""The engine's English reasons in the reader's language: one table, keyed by the engine's own wording.

The engine explains a refusal in an English sentence (``InvalidInput``, ``NotAllowed``, a form field's
error). Each entry below is such a sentence with its variable parts in braces, as the engine's f-string
writes it; ``say`` finds the entry that matches the whole sentence and returns its translation, with the
variable parts put in (a person's user name as their display name). tests/webui/test_engine_messages.py
reads the engine modules whose sentences reach a page and fails for any sentence this table does not
match, so a new engine message cannot reach a Chinese page in English unnoticed.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from flask_babel import _

Translate = Callable[..., str]

# engine sentence (``{name}``: a variable part) -> its translation, given the parts by name
MESSAGES: dict[str, Translate] = {
    # form fields (engine/definitions/forms.py)
    "this field is required": lambda: _("This field is required."),
    "this form has no such field": lambda: _("This form has no such field."),
    "must be text": lambda: _("Enter text."),
    "must be at least {n} characters": lambda n: _("Enter at least %(n)s characters.", n=n),
    "must be at most {n} characters": lambda n: _("Enter at most %(n)s characters.", n=n),
    "must be a whole number": lambda: _("Enter a whole number."),
    "must be a whole number between {low} and {high}": lambda low, high: _("Enter a whole number."),
    "must be at least {n}": lambda n: _("Enter %(n)s or more.", n=n),
    "must be at most {n}": lambda n: _("Enter %(n)s or less.", n=n),
    "must be yes or no": lambda: _("Choose yes or no."),
    "must be a date such as 2026-09-01": lambda: _("Enter a date such as 2026-09-01."),
    "must be a date between {first} and {last}":
        lambda first, last: _("Enter a date between %(first)s and %(last)s.", first=first, last=last),
    "must be a date and a time of day such as 2026-09-01 14:30":
        lambda: _("Enter a date and a time of day such as 2026-09-01 14:30."),
    "must be one of: {ids}": lambda ids: _("Choose one of the options."),
    "must be a list of attachment references": lambda: _("Upload the file again."),
    "text may be at most {n} characters": lambda n: _("Enter at most %(n)s characters.", n=n),
    "has characters that cannot be stored (an unpaired surrogate or a NUL character)":
        lambda: _("The text has characters that cannot be stored; type it again instead of pasting it."),
    "one value may be at most {n} KB": lambda n: _("The text is too long (at most %(n)s KB).", n=n),
    "the case would hold {size} KB of data; the limit is {limit} KB":
        lambda size, limit: _("Together with what the case already holds this is too long (at most "
                              "%(limit)s KB); shorten the text.", limit=limit),
    # evidence uploads (engine/cases/evidence.py)
    "the file is empty": lambda: _("The file is empty."),
    "the file is larger than {n} MB": lambda n: _("The file is larger than %(n)s MB.", n=n),
    "the file is not one of the accepted kinds ({kinds})":
        lambda kinds: _("Only these kinds of file are accepted: %(kinds)s.", kinds=kinds),
    # who may act on a task (engine/people/assignment.py, engine/runtime/operations.py)
    "task '{task}' is claimed by {name}; as their substitute, complete it directly (an administrator can "
    "reassign it)": lambda task, name: _("“%(task)s” is claimed by %(name)s; as their substitute, submit the "
                                         "form directly.", task=task, name=name),
    "task '{task}' is claimed by {name}": lambda task, name: _("“%(task)s” is claimed by %(name)s",
                                                               task=task, name=name),
    "task '{task}' is already claimed by {name}": lambda task, name: _("“%(task)s” is claimed by %(name)s",
                                                                       task=task, name=name),
    "{user} may not work on task '{task}'":
        lambda user, task: _("you are not among those who handle “%(task)s”", task=task),
    "{user} may not claim task '{task}'":
        lambda user, task: _("you are not among those who handle “%(task)s”", task=task),
    "only {name} or an administrator can release this task":
        lambda name: _("only %(name)s or an administrator can give this task back", name=name),
    "only an administrator can reassign tasks": lambda: _("Only an administrator can hand a task on."),
    "{name} may not be given task '{task}' (the procedure keeps this case away from them)":
        lambda name, task: _("%(name)s may not be given “%(task)s”.", name=name, task=task),
    # duty cover (engine/people/substitution.py)
    "only {name} or an administrator can arrange {owner}'s cover":
        lambda name, owner: _("Only %(name)s or an administrator can arrange this cover.", name=name),
    "only {name} or an administrator can cancel {owner}'s cover":
        lambda name, owner: _("Only %(name)s or an administrator can cancel this cover.", name=name),
    "{name} cannot cover for themselves; name a colleague":
        lambda name: _("Choose a colleague: nobody can cover for themselves."),
    "the reason is longer than {n} characters": lambda n: _("The reason is too long (at most %(n)s characters).",
                                                            n=n),
    "{name} already has cover by {other} {period} (cover #{id}); cancel it first":
        lambda name, other, period, id: _("%(name)s already has cover by %(other)s %(period)s; cancel it first.",
                                          name=name, other=other, period=period),
    "{name} is away then too (covered by {other} {period}); choose a colleague who is on duty":
        lambda name, other, period: _("%(name)s is away then too (covered by %(other)s %(period)s); choose a "
                                      "colleague who is on duty.", name=name, other=other, period=period),
    "{name} covers for {other} {period} (cover #{id}); an administrator should hand that cover to someone "
    "else first": lambda name, other, period, id: _("%(name)s covers for %(other)s %(period)s; an "
                                                    "administrator should hand that cover to someone else "
                                                    "first.", name=name, other=other, period=period),
    "cover #{id} was already cancelled on {when}": lambda id, when: _("This cover was already cancelled."),
    "cover #{id} already ended on {when}": lambda id, when: _("This cover had already ended."),
    "a cover's start and end need a time zone": lambda: _("Enter when the cover starts and ends."),
    "the cover must end after it starts (from {start} to {end})": lambda start, end: _(
        "The end must come after the start."),
    "that period is already over (it ended {when})": lambda when: _("This period is already over."),
}

PEOPLE = {"name", "user", "owner", "other"}  # parts that are a user name: shown as the display name
_FIELD = re.compile(r"\{(\w+)\}")


def _pattern(sentence: str) -> re.Pattern[str]:
    parts = _FIELD.split(sentence)  # literal, name, literal, name, …
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(regex, re.DOTALL)


# The more literal words a sentence has, the sooner it is tried: "must be at least {n} characters" before
# "must be at least {n}".
_TABLE = [(_pattern(k), v) for k, v in sorted(MESSAGES.items(), key=lambda kv: -len(_FIELD.sub("", kv[0])))]


def match(message: str) -> tuple[Translate, dict[str, str]] | None:
    """The table entry ``message`` is an instance of, with its variable parts; None when none is."""
    for pattern, text in _TABLE:
        found = pattern.fullmatch(message)
        if found:
            return text, found.groupdict()
    return None


def say(message: str) -> str:
    """The engine's reason in the reader's language (the English sentence when no entry matches)."""
    found = match(message)
    if found is None:
        return message
    from .people import person

    text, parts = found
    return str(text(**{k: person(v) if k in PEOPLE else v for k, v in parts.items()}))

