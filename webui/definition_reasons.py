"""Why a procedure file was refused, in the reader's language: the one path for the upload page
(webui/procedures) and the modeler's refused save (webui/modeler).

The engine writes each reason as one English sentence (``engine.definitions.validate``, ``xml_input``,
``policy``, ``public``, ``reserved``, ``deploy``); every sentence it writes is matched whole here
(tests/webui/test_definition_reasons.py reads the engine's source and fails for one that is not). A detail
the engine quotes from elsewhere (the XML parser's or the expression checker's message, SpiffWorkflow's
own wording) stays as given. The element id, line and file name stay as the engine found them.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import _

from engine.definitions.policy import REFUSED_CAMUNDA_ATTRIBUTES, REFUSED_CAMUNDA_ELEMENTS, REFUSED_ELEMENTS
from engine.definitions.xml_input import DOCTYPE_REFUSED
from engine.errors import Problem

from .forms import say

# The engine's fixed sentences, by the engine's own constants (a changed sentence falls back to English).
_FIXED: dict[str, Any] = {
    DOCTYPE_REFUSED: lambda: _("The file declares a DOCTYPE, which procedure files may not."),
    REFUSED_ELEMENTS["serviceTask"]: lambda: _(
        "Service tasks call other systems, and schoolflow has no connectors: model the work as a user task."),
    REFUSED_ELEMENTS["businessRuleTask"]: lambda: _(
        "Decision tables (business rule tasks) are not supported yet."),
    REFUSED_ELEMENTS["dataStore"]: lambda: _("Data stores are not supported: keep case data in forms."),
    REFUSED_ELEMENTS["complexGateway"]: lambda: _(
        "Complex gateways are not supported: use an exclusive or inclusive gateway."),
    REFUSED_ELEMENTS["linkEventDefinition"]: lambda: _(
        "Link events are not supported: connect the flow directly."),
    REFUSED_ELEMENTS["compensateEventDefinition"]: lambda: _("Compensation events are not supported."),
    REFUSED_CAMUNDA_ELEMENTS["executionListener"]: lambda: _(
        "Listeners run Java or scripts; schoolflow does not run them."),
    REFUSED_CAMUNDA_ELEMENTS["inputOutput"]: lambda: _(
        "Input/output mappings are not run by schoolflow: use form fields."),
    REFUSED_CAMUNDA_ELEMENTS["connector"]: lambda: _("Connectors are not run by schoolflow."),
    REFUSED_CAMUNDA_ATTRIBUTES["class"]: lambda: _("Java classes are not run by schoolflow."),
    REFUSED_CAMUNDA_ATTRIBUTES["delegateExpression"]: lambda: _("Java delegates are not run by schoolflow."),
}

# What a reserved name is (engine.definitions.reserved.reserved_names), for the sentence that refuses it.
_RESERVED_KIND: dict[str, Any] = {
    "a constant": lambda: _("a constant"),
    "a fact of the case": lambda: _("a fact of the case"),
    "a function expressions call": lambda: _("a function expressions call"),
    "a parameter of this procedure": lambda: _("a parameter of this procedure"),
}

_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"the file is (\d+) KB; the limit is (\d+) KB"),
     lambda m: _("The file is %(size)s KB; at most %(limit)s KB is accepted.", size=m[1], limit=m[2])),
    (re.compile(r"the file is not well-formed XML: (.*)", re.S),
     lambda m: _("The file is not a BPMN file: it is not well-formed XML (%(detail)s).", detail=m[1])),
    (re.compile(r"not valid BPMN 2.0: (.*)", re.S),
     lambda m: _("Not valid BPMN 2.0: %(detail)s", detail=m[1])),
    (re.compile(r'the file has no executable process \(isExecutable="true"\)'),
     lambda m: _("The file has no executable process (isExecutable=\"true\").")),
    (re.compile(r"the file could not be read as a process \((.*)\)", re.S),
     lambda m: _("The file could not be read as a process (%(detail)s).", detail=m[1])),
    (re.compile(r"a send task needs a message; to tell someone something, use a user task"),
     lambda m: _("A send task needs a message; to tell someone something, use a user task.")),
    (re.compile(r"script tasks are disabled for this file; .*"),
     lambda m: _("Script tasks are not allowed in a file uploaded here.")),
    (re.compile(r"the timer's (\w+) is empty"), lambda m: _("The timer's %(what)s is empty.", what=m[1])),
    (re.compile(r"the timer's (\w+) can never be used: (.*)", re.S),
     lambda m: _("The timer's %(what)s can never be used: %(why)s", what=m[1], why=m[2])),
    (re.compile(r"the file is empty"), lambda m: _("The file is empty.")),
    (re.compile(r"script format '(.*)' is not supported; write restricted Python", re.S),
     lambda m: _("The script format “%(format)s” is not supported: write the script in restricted Python.",
                 format=m[1])),
    (re.compile(r"camunda:dueDate can never be used: (.*)", re.S),
     lambda m: _("The due date can never be used: %(why)s", why=m[1])),
    (re.compile(r"constraint '(.*)' on field '(.*)' is not supported; use (.*)", re.S),
     lambda m: _("The check “%(name)s” on the field “%(id)s” is not supported; use %(known)s.",
                 name=m[1], id=m[2], known=m[3])),
    (re.compile(r"constraint '(.*)' on field '(.*)' needs a number, not '(.*)'", re.S),
     lambda m: _("The check “%(name)s” on the field “%(id)s” needs a number, not “%(value)s”.",
                 name=m[1], id=m[2], value=m[3])),
    (re.compile(r"constraint '(.*)' on field '(.*)' needs a whole number from 0 to (\d+) .*, not '(.*)'", re.S),
     lambda m: _("The check “%(name)s” on the field “%(id)s” needs a whole number from 0 to %(max)s (the "
                 "longest text a field takes), not “%(value)s”.", name=m[1], id=m[2], max=m[3], value=m[4])),
    (re.compile(r"constraint '(.*)' on field '(.*)' needs a number between .*, not '(.*)'", re.S),
     lambda m: _("The check “%(name)s” on the field “%(id)s” needs a number between -10^18 and 10^18, not "
                 "“%(value)s”.", name=m[1], id=m[2], value=m[3])),
    (re.compile(r"(\w+) can never be evaluated: (.*)", re.S),
     lambda m: _("The property %(name)s can never be evaluated: %(why)s", name=m[1], why=m[2])),
    (re.compile(r"(\w+) '(.*)' must give a name or a list of names, not (.*)", re.S),
     lambda m: _("The property %(name)s “%(value)s” must give a user name or a list of user names, not "
                 "%(result)s.", name=m[1], value=m[2], result=m[3])),
    (re.compile(r"(\w+) '(.*)' looks like an expression but is not one; .*", re.S),
     lambda m: _("The property %(name)s “%(value)s” looks like an expression but is not one; write "
                 "${name_of_a_field}.", name=m[1], value=m[2])),
    (re.compile(r"a timer start event cannot be scheduled: (.*)", re.S),
     lambda m: _("A timer start event cannot be scheduled: %(why)s", why=m[1])),
    (re.compile(r"a flow leaving an exclusive gateway has no condition and is not the default flow"),
     lambda m: _("A flow leaving an exclusive gateway has no condition and is not the default flow.")),
    (re.compile(r"the process has no start event"), lambda m: _("The process has no start event.")),
    (re.compile(r"a sequence flow points to an element that does not exist, or two elements share an id"),
     lambda m: _("A sequence flow points to an element that does not exist, or two elements share an id.")),
    (re.compile(r"camunda:dueDate '(.*)' is neither an expression such as .*", re.S),
     lambda m: _("The due date “%(value)s” is neither an expression such as ${add_working_days(7)} nor an "
                 "ISO date or duration such as P7D.", value=m[1])),
    (re.compile(r"camunda:priority '(.*)' is not a whole number", re.S),
     lambda m: _("The priority “%(value)s” is not a whole number.", value=m[1])),
    (re.compile(r"form field id '(.*)' must be a name of letters, digits and '_' not starting with '_'",
                re.S),
     lambda m: _("The form field id “%(id)s” must be made of letters, digits and “_”, not starting with “_”.",
                 id=m[1])),
    (re.compile(r"form field '(.*)' has type '(.*)'; allowed types are (.*)", re.S),
     lambda m: _("The form field “%(id)s” has type “%(type)s”; the allowed types are %(types)s.",
                 id=m[1], type=m[2], types=m[3])),
    (re.compile(r"enum field '(.*)' lists no values", re.S),
     lambda m: _("The choice field “%(id)s” lists no options.", id=m[1])),
    (re.compile(r"form field '(.*)' is named like (.*): a form could then change it; "
                r"give the field another id", re.S),
     lambda m: _("The form field “%(id)s” is named like %(what)s, so a form could change it: give the field "
                 "another id.", id=m[1], what=_RESERVED_KIND.get(m[2], lambda: m[2])())),
    (re.compile(r"publicFields names '(.*)', but no form of this process has a field with that id", re.S),
     lambda m: _("publicFields names “%(id)s”, but no form of this process has a field with that id.",
                 id=m[1])),
    (re.compile(r"publicFields lists no field; .*", re.S),
     lambda m: _("publicFields lists no field: name the form fields the complainant may see, separated by "
                 "commas, or remove the property.")),
    (re.compile(r"the (\S+) is refused: (.*)", re.S),
     lambda m: _("The %(what)s is refused: %(why)s", what=m[1], why=m[2])),
]


def reason(problem: Problem) -> str:
    """The sentence of one refusal reason, translated when the engine's sentence has a translation."""
    fixed = _FIXED.get(problem.message)
    if fixed is not None:
        return str(fixed())
    for pattern, text in _PATTERNS:
        match = pattern.fullmatch(problem.message)
        if match:
            return str(text(match))
    return say(problem.message)
