"""What an administrator is shown as changed between the active version and a new file (issue #13, 4)."""

from __future__ import annotations

import pytest

from engine.definitions.compare import compare
from engine.errors import DefinitionError
from tests.engine.test_migration import NS, V1, V2


def with_form(*fields: str, group: str = "office", deadline: str = "P10D") -> bytes:
    form = "".join(fields)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {NS} id="d" targetNamespace="t">'
        f'<bpmn:process id="fix" isExecutable="true"><bpmn:startEvent id="start"/>'
        f'<bpmn:userTask id="work" name="Do the work" camunda:candidateGroups="{group}">'
        f"<bpmn:extensionElements><camunda:formData>{form}</camunda:formData></bpmn:extensionElements>"
        f'</bpmn:userTask><bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition>'
        f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{deadline}</bpmn:timeDuration>'
        f'</bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="end"/>'
        f'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>'
        f'<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/></bpmn:process>'
        f"</bpmn:definitions>"
    ).encode()


REASON = '<camunda:formField id="reason" label="事由" type="string"/>'


def test_a_new_step_and_a_changed_timer_are_named_and_marked():
    c = compare(V1, V2, "fix")
    whats = [x.what for x in c.all]
    assert "step 'Review' (review) is new" in whats
    assert "timer 'Too late' (late): timeDuration P10D → timeDuration P5D" in whats
    assert c.marks()["review"] == "added" and c.marks()["late"] == "changed"
    assert "work" not in c.marks()  # unchanged steps are not marked


def test_removed_steps_renames_groups_and_form_fields():
    old = with_form(REASON, '<camunda:formField id="when" label="日期" type="date"/>')
    new = with_form(REASON.replace('type="string"', 'type="long"'), group="heads", deadline="P10D")
    c = compare(old, new, "fix")
    assert [x.what for x in c.assignments] == ["'Do the work' (work): candidateGroups 'office' → 'heads'"]
    assert [x.what for x in c.forms] == [
        "'Do the work' (work): form field '日期' (when) is removed",
        "'Do the work' (work): form field reason: type 'string' → 'long'",
    ]
    assert compare(V2, V1, "fix").marks()["review"] == "removed"


def test_identical_files_have_no_changes_and_a_wrong_key_is_a_sentence():
    assert compare(V1, V1, "fix").all == []
    with pytest.raises(DefinitionError, match="there is no process 'nope'"):
        compare(V1, V1, "nope")
    with pytest.raises(DefinitionError, match="not well-formed"):
        compare(V1, b"<oops", "fix")


def test_a_renamed_step_keeps_its_id_and_says_both_names():
    from tests.engine.test_migration import procedure

    renamed = procedure(("work", "Handle it", "office"))
    assert [x.what for x in compare(V1, renamed, "fix").steps] == [
        "step 'Do the work' is now called 'Handle it'"
    ]
