"""The engine's English reasons about moving a case (``engine.runtime.migration``) in the reader's language.

Each pattern matches one of the engine's sentences whole; an unmatched one is shown as written.
"""
from __future__ import annotations

import re

from flask_babel import _

from ..activation.sentences import Patterns, step, translate
from ..cases.routes import STATUS

_REASONS: Patterns = [
    (re.compile(r"the case is on version (\d+), not (\d+)"),
     lambda m: _("The case is on version %(a)s, not version %(b)s.", a=m[1], b=m[2])),
    (re.compile(r"the case belongs to '(.*)', not '(.*)'"),
     lambda m: _("The case belongs to procedure “%(a)s”, not “%(b)s”.", a=m[1], b=m[2])),
    (re.compile(r"the case is (\S+), not open"),
     lambda m: _("The case is no longer open (%(state)s).", state=STATUS.get(m[1], m[1]))),
    (re.compile(r"it waits on (.+), which version (\d+) does not have"),
     lambda m: _("It waits on %(step)s, which version %(v)s does not have.", step=step(m[1]), v=m[2])),
    (re.compile(r"it is inside subprocess '(.*)', which version (\d+) does not have"),
     lambda m: _("It is inside subprocess “%(sp)s”, which version %(v)s does not have.", sp=m[1], v=m[2])),
    (re.compile(r"it has passed (.+), which version (\d+) no longer has"),
     lambda m: _("It has passed %(step)s, which version %(v)s no longer has.", step=step(m[1]), v=m[2])),
    (re.compile(r"version (\d+) cannot take this case's state: (.*)"),
     lambda m: _("Version %(v)s cannot take this case's state: %(why)s", v=m[1], why=m[2])),
    (re.compile(r"on version (\d+) (.*)"),
     lambda m: _("On version %(v)s: %(why)s", v=m[1], why=m[2])),
    (re.compile(r"version (\d+) is both the source and the target; name two versions"),
     lambda m: _("Version %(v)s is both the one the cases are on and the one to move them to: choose two "
                 "different versions.", v=m[1])),
    (re.compile(r"procedure '(.*)' has no version (\d+)"),
     lambda m: _("This procedure has no version %(v)s.", v=m[2])),
    (re.compile(r"no case (.*) of procedure '(.*)'"),
     lambda m: _("No case %(numbers)s of this procedure.", numbers=m[1])),
    (re.compile(r"no such case"), lambda m: _("There is no such case.")),
]


def reason(message: str) -> str:
    return translate(message, _REASONS)
