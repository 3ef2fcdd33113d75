"""Issue #10, points 1, 3, 4 and 5: nothing typed into a form or a procedure file freezes or wedges a case.

Each test gives the input a careless or hostile person would, asserts the sentence it is refused with
(or the bound it is handled within), and then shows the same task completes with good data.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from engine.errors import DefinitionError, InstanceError, InvalidInput
from engine.time.school_calendar import SchoolCalendar
from tests.engine.test_definitions import bpmn, gateway, line_of, refused, with_task
from tests.processes.conftest import PROCESSES, Procedure

# Two tasks without a form (any plain data), the second with a deadline counted from a date the first
# was given: the shape of the shipped P1-P4 deadlines.
SINCE = """    <bpmn:startEvent id="start" />
    <bpmn:userTask id="record" name="Record" camunda:candidateGroups="office" />
    <bpmn:userTask id="answer" name="Answer" camunda:candidateGroups="office"
        camunda:dueDate="${add_working_days(max(0, 10 - working_days_between(since, today())))}" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="record" />
    <bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="answer" />
    <bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="end" />
"""


@pytest.fixture
def since_case(harness):
    harness.deploy_bytes(bpmn(SINCE).encode(), "since.bpmn")
    harness.user("ann", "office")
    iid = harness.start("proc", "ann")
    return iid, harness.task("ann", "Record")["id"]


# --- 1. dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_p3_refuses_an_acceptance_date_outside_the_calendar_then_takes_a_real_one(harness, day):
    p3 = Procedure(harness, "p3_institution_parent_complaints.bpmn")
    p3.people(tan="投诉受理人员", gao=("责任部门", "教学部"))  # P3 四: the department named at assignment
    h = p3.h
    from tests.processes.test_p3_institution_parent_complaints import START

    h.start("p3_parent_complaint", "tan", START)
    accept = {"category": "teacher_behaviour", "severity": "low", "urgency": "low", "scope": "individual"}
    with pytest.raises(InvalidInput) as info:
        h.do("tan", "受理登记", {**accept, "accepted_on": day})
    assert info.value.field_errors == {"accepted_on": "must be a date between 1900-01-01 and 2200-12-31"}
    h.do("tan", "受理登记", {**accept, "accepted_on": "2026-09-30"})
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                               "special_team": False})
    # reply_days = 5 working days after 30 September: 8, 9, 10 (a Saturday worked for National Day), 12, 13.
    assert h.task("gao", "责任部门调查核实")["due_at"] == "2026-10-13T17:30:00+08:00"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_reaching_the_deadline_helpers_another_way_is_refused_with_a_sentence(harness, since_case,
                                                                                      day):
    iid, record = since_case
    with pytest.raises(InstanceError, match=f"{day} is outside the dates the school calendar covers "
                                            r"\(1900-01-01 to 2200-12-31\)"):
        harness.complete(record, "ann", {"since": day})
    assert harness.task_names("ann") == ["Record"]
    harness.complete(record, "ann", {"since": "2026-09-28"})
    # Two working days already gone (29, 30 Sept); eight more after National Day, Saturday 10 October
    # among them: Friday 16 October.
    assert harness.task("ann", "Answer")["due_at"] == "2026-10-16T17:30:00+08:00"


def test_working_day_arithmetic_agrees_with_counting_day_by_day():
    cal = SchoolCalendar(closures={date(2026, 11, 11): "sports day", date(2026, 10, 10): None},
                         extra_workdays={date(2026, 11, 14): "make-up day"})
    rng = random.Random(10)
    for _ in range(200):
        a = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
        b = a + timedelta(days=rng.randrange(-400, 400))
        lo, hi = min(a, b), max(a, b)
        walked = sum(cal.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
        assert cal.working_days_between(a, b) == (walked if b >= a else -walked)
    # The widest span the calendar covers is answered by arithmetic, and agrees with the walk too.
    first, last = date(1900, 1, 1), date(2200, 12, 31)
    walked = sum(cal.is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))
    assert cal.working_days_between(first, last) == walked


def test_add_working_days_is_bounded_in_the_count():
    cal = SchoolCalendar()
    start = date(2026, 9, 30)
    from datetime import datetime, timezone

    moment = datetime(2026, 9, 30, 10, tzinfo=timezone(timedelta(hours=8)))
    far = cal.add_working_days(moment, 10_000)
    assert cal.working_days_between(start, cal.local_date(far)) == 10_000
    with pytest.raises(ValueError, match="cannot add 10001 working days; at most 10000 are counted"):
        cal.add_working_days(moment, 10_001)


# --- 3. submitted data ------------------------------------------------------------------------------


def _nested(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = [value]
    return value


BAD_DATA = {
    "nested 10000 deep": ({"notes": _nested(10_000)}, "lists and objects may be nested at most 8 deep"),
    "one long text": ({"notes": "字" * 10_001}, "text may be at most 10000 characters"),
    "one big value": ({"notes": ["x" * 9_000] * 8}, "one value may be at most 64 KB"),
    "lone surrogate": ({"notes": "ok\ud800"}, "has characters that cannot be stored"),
    "NUL character": ({"notes": "a\x00b"}, "has characters that cannot be stored"),
    "huge number": ({"count": 10**30}, "numbers must lie within 64 bits"),
    "not a number": ({"score": float("nan")}, "numbers must be finite"),
}


@pytest.mark.parametrize("data, sentence", BAD_DATA.values(), ids=BAD_DATA.keys())
def test_data_no_case_could_keep_is_refused_and_the_task_still_completes(harness, since_case, data, sentence):
    iid, record = since_case
    with pytest.raises(InvalidInput) as info:
        harness.complete(record, "ann", data)
    [(name, message)] = info.value.field_errors.items()
    assert name in data and sentence in message
    assert harness.task_names("ann") == ["Record"]
    harness.complete(record, "ann", {"since": "2026-09-28", "notes": [["nested", {"a": 1}]]})
    assert harness.task_names("ann") == ["Answer"]


def test_a_case_cannot_grow_past_its_data_limit(harness, since_case, monkeypatch):
    monkeypatch.setattr("engine.definitions.forms.MAX_CASE_DATA_BYTES", 100 * 1024)
    iid, record = since_case
    harness.complete(record, "ann", {"since": "2026-09-28", "a": "x" * 9_000, "b": "x" * 9_000,
                                     "c": "x" * 9_000, "d": "x" * 9_000, "e": "x" * 9_000, "f": "y" * 9_000})
    answer = harness.task("ann", "Answer")["id"]
    more = {f"k{i}": "z" * 9_000 for i in range(6)}
    with pytest.raises(InvalidInput, match="the case would hold 1.. KB of data; the limit is 100 KB"):
        harness.complete(answer, "ann", more)
    harness.complete(answer, "ann", {"done": True})
    assert harness.show(iid)["status"] == "completed"


FORM = """    <bpmn:startEvent id="start" />
    <bpmn:userTask id="task" name="Count" camunda:candidateGroups="office">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="pupils" label="Pupils" type="long" />
        <camunda:formField id="agreed" label="Agreed" type="boolean">
          <camunda:validation><camunda:constraint name="required" /></camunda:validation>
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
"""


@pytest.mark.parametrize("answer, field, message", [
    ({"pupils": "１２３", "agreed": True}, "pupils", "must be a whole number"),
    ({"pupils": "٣", "agreed": True}, "pupils", "must be a whole number"),
    ({"pupils": "9223372036854775808", "agreed": True}, "pupils", "must be a whole number between"),
    ({"pupils": -(2**63) - 1, "agreed": True}, "pupils", "numbers must lie within 64 bits"),
    ({"pupils": "12", "agreed": ""}, "agreed", "this field is required"),
    ({"pupils": "12"}, "agreed", "this field is required"),
])
def test_long_takes_ascii_digits_in_64_bits_and_a_required_boolean_an_answer(harness, answer, field, message):
    harness.deploy_bytes(bpmn(FORM).encode(), "count.bpmn")
    harness.user("ann", "office")
    iid = harness.start("proc", "ann")
    task = harness.task("ann", "Count")["id"]
    with pytest.raises(InvalidInput) as info:
        harness.complete(task, "ann", answer)
    assert message in info.value.field_errors[field]
    harness.complete(task, "ann", {"pupils": "-9223372036854775808", "agreed": "false"})
    assert harness.show(iid)["status"] == "completed"


# --- 4. evaluation budget ---------------------------------------------------------------------------

POWER_GATE = """    <bpmn:startEvent id="start" />
    <bpmn:userTask id="task" name="Count" camunda:candidateGroups="office" />
    <bpmn:exclusiveGateway id="gw" default="small" />
    <bpmn:userTask id="big" name="Big" camunda:candidateGroups="office" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="gw" />
    <bpmn:sequenceFlow id="large" sourceRef="gw" targetRef="big">
      <bpmn:conditionExpression>${(n &lt;&lt; 2030) * (n &lt;&lt; 2030) &gt; 1000 or sum(lists) &gt; 1000}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="gw" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="big" targetRef="end" />
"""


@pytest.mark.parametrize("data, sentence", [
    ({"n": 2**40, "lists": []}, "the expression computes a number larger than 4096 bits"),
    ({"n": 0, "lists": [[1] * 1_000] * 8}, "sum() adds numbers only"),
])
def test_one_expensive_operation_in_a_condition_is_refused_and_the_case_goes_on(harness, data, sentence):
    harness.deploy_bytes(bpmn(POWER_GATE).encode(), "power.bpmn")
    harness.user("ann", "office")
    iid = harness.start("proc", "ann")
    task = harness.task("ann", "Count")["id"]
    with pytest.raises(InstanceError, match=sentence.replace("(", r"\(").replace(")", r"\)")
                       .replace("*", r"\*")):
        harness.complete(task, "ann", data)
    assert harness.task_names("ann") == ["Count"]
    harness.complete(task, "ann", {"n": 1, "lists": [1, 2]})
    assert harness.task_names("ann") == ["Big"]


# --- 4 and 5. decided at deploy ---------------------------------------------------------------------

TIMER = """    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:timerEventDefinition>
        <bpmn:KIND>VALUE</bpmn:KIND>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
"""


def timer(kind: str, value: str) -> str:
    return TIMER.replace("KIND", kind).replace("VALUE", value)


def form_constraint(name: str, config: str) -> str:
    return with_task('<bpmn:userTask id="task" name="Do it" camunda:candidateGroups="office">\n'
                     '      <bpmn:extensionElements><camunda:formData>\n'
                     '        <camunda:formField id="pupils" label="Pupils" type="long">\n'
                     f'          <camunda:validation><camunda:constraint name="{name}" config="{config}" />\n'
                     '          </camunda:validation></camunda:formField>\n'
                     '      </camunda:formData></bpmn:extensionElements>\n    </bpmn:userTask>')


def excluding(value: str) -> str:
    return ('    <bpmn:extensionElements><camunda:properties>\n'
            f'      <camunda:property name="excludeUsers" value="{value}" />\n'
            '    </camunda:properties></bpmn:extensionElements>\n') + LINEAR_BODY


LINEAR_BODY = with_task('<bpmn:userTask id="task" name="Do it" camunda:candidateGroups="office" />')

# (body, the marker of the line the problem is on, the element, words of the sentence)
DEPLOY_REFUSALS = {
    "a constant beyond the number limit": (
        gateway("${pupils &gt; 2 ** 100000}"), "<bpmn:conditionExpression>", "to_yes",
        "'2 ** 100000' can never be evaluated: 2 ** 100000 is too large to compute"),
    "a constant text beyond the size limit": (
        gateway("${name == 'x' * 10 ** 6}"), "<bpmn:conditionExpression>", "to_yes",
        "can never be evaluated: the expression builds a value longer than 10000 items"),
    "an expression nested 3000 deep": (
        gateway("${" + "1 + " * 2_400 + "pupils &gt; 1}"), "<bpmn:conditionExpression>", "to_yes",
        "the expression is nested too deeply"),
    "an expression 20000 characters long": (
        gateway("${pupils &gt; 1" + " or pupils &gt; 1" * 1_200 + "}"), "<bpmn:conditionExpression>", "to_yes",
        "characters long; at most 10000 are allowed"),
    "a constraint that is not a finite number": (
        form_constraint("max", "nan"), "<camunda:constraint", "pupils",
        "constraint 'max' on field 'pupils' needs a number, not 'nan'"),
    "an infinite length": (
        form_constraint("maxlength", "1e400"), "<camunda:constraint", "pupils",
        "constraint 'maxlength' on field 'pupils' needs a number, not '1e400'"),
    "a due date millions of days away": (
        with_task('<bpmn:userTask id="task" name="Do it" camunda:dueDate="P99999999D" />'), 'id="task"', "task",
        "camunda:dueDate can never be used: 'P99999999D' reaches beyond 2200-12-31"),
    "a deadline counted in a billion working days": (
        with_task('<bpmn:userTask id="task" name="Do it" camunda:dueDate="${add_working_days(10**9)}" />'),
        'id="task"', "task", "add_working_days(1000000000) can never be computed: it counts 0 to 10000"),
    "a timer millions of days away": (
        timer("timeDuration", "P9999999D"), "<bpmn:timeDuration>", "wait",
        "the timer's timeDuration can never be used: 'P9999999D' reaches beyond 2200-12-31"),
    "a timer date in the year 9999": (
        timer("timeDate", "9999-12-31T08:00"), "<bpmn:timeDate>", "wait",
        "'9999-12-31T08:00' is after 2200-12-31"),
    "an excludeUsers that is not an expression": (
        excluding("${accused_user +}"), "excludeUsers", "proc", "the excludeUsers is refused"),
    "an excludeUsers that always fails": (
        excluding("${1 / 0}"), "excludeUsers", "proc", "excludeUsers can never be evaluated"),
    "an excludeUsers that names nobody": (
        excluding("${42}"), "excludeUsers", "proc", "excludeUsers '${42}' must give a name or a list of names"),
}


@pytest.mark.parametrize("body, marker, element_id, sentence", DEPLOY_REFUSALS.values(),
                         ids=DEPLOY_REFUSALS.keys())
def test_a_file_that_would_break_every_case_is_refused_at_deploy(harness, body, marker, element_id, sentence):
    xml = bpmn(body)
    err = refused(harness, xml, "limits.bpmn")
    [p] = err.problems
    assert (p.file, p.line, p.element_id) == ("limits.bpmn", line_of(xml, marker), element_id)
    assert sentence in p.message


def test_a_cycle_started_in_1900_every_second_is_caught_up_by_counting(harness):
    # Stepped one round at a time, catching up from 1900 would take four billion rounds.
    from tests.engine.test_timers import REMIND, deploy_variant, local, timer_row

    harness.user("sue", "supervisors")
    harness.user("tom", "visitors")
    harness.user("ann", "office")
    deploy_variant(harness, "timer_boundary.bpmn", REMIND,
                   '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/1900-01-01T00:00:00Z/PT1S</bpmn:timeCycle>')
    iid = harness.start("timer_boundary", "ann")
    assert timer_row(harness, "remind", iid).due_at == local(2026, 9, 30, 10, 0, 1)
    harness.clock.set(local(2027, 3, 1, 9, 0, 0, 500_000))  # five months of rounds missed at once
    assert harness.fire_due().failed == 0
    assert timer_row(harness, "remind", iid).due_at == local(2027, 3, 1, 9, 0, 1)


def test_the_shipped_procedures_still_deploy(harness):
    harness.deploy(PROCESSES)


def test_start_data_meets_the_same_limits(harness):
    harness.deploy_bytes(bpmn(SINCE).encode(), "since.bpmn")
    harness.user("ann", "office")
    with pytest.raises(InvalidInput) as info:
        harness.start("proc", "ann", {"notes": _nested(10_000), "title": "bad\udfff"})
    assert info.value.field_errors == {
        "notes": "lists and objects may be nested at most 8 deep",
        "title": "has characters that cannot be stored (an unpaired surrogate or a NUL character)"}
    iid = harness.start("proc", "ann", {"notes": [["fine"]], "title": "好"})
    assert harness.task_names("ann") == ["Record"]
    assert harness.show(iid)["status"] == "running"
