"""Start data is a form like any other (issue #10, point 2): it cannot skip the start form, and no
submitted data can shadow a parameter, a fact of the case or a constant."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import DefinitionError, InvalidInput
from tests.processes.test_p2_parent_student_complaints import COMPLAINT

P2 = Path(__file__).resolve().parents[2] / "processes" / "p2_parent_student_complaints.bpmn"


@pytest.fixture
def p2(harness):
    harness.deploy(P2)
    harness.user("xu", "信息督察室")
    return harness


def refused(h, key: str, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidInput) as exc:
        h.start(key, "xu", data)
    return exc.value.field_errors


def test_the_start_form_refuses_undeclared_fields_and_long_values_and_the_same_data_then_starts(p2):
    assert refused(p2, "p2_complaint", {**COMPLAINT, "prelim_reply_note": "已办结，处理满意"}) == {
        "prelim_reply_note": "this form has no such field"
    }  # a public result cannot be pre-filled
    assert set(refused(p2, "p2_complaint", {**COMPLAINT, "complainant_name": "刘" * 65})) == {
        "complainant_name"
    }
    missing = dict(COMPLAINT)
    del missing["title"]
    assert refused(p2, "p2_complaint", missing) == {"title": "this field is required"}
    assert p2.start("p2_complaint", "xu", COMPLAINT)  # the case starts once the form is right


@pytest.mark.parametrize(
    "key, value, what",
    [
        ("reply_days", 3000, "a parameter of this procedure"),
        ("escalation_group", "某人", "a parameter of this procedure"),
        ("initiator", "bob", "a fact of the case"),
        ("true", False, "a constant"),
    ],
)
def test_free_data_cannot_shadow_a_parameter_a_fact_or_a_constant(harness, key, value, what):
    """A start event without a form takes free data, but never a reserved name."""
    harness.deploy("routing.bpmn")
    harness.user("xu", "office")
    xml = (Path(__file__).resolve().parents[1] / "data" / "routing.bpmn").read_text()
    assert "formData" not in xml.split("</bpmn:startEvent>")[0].split("<bpmn:startEvent")[-1]  # no start form
    patched = xml.replace(
        'isExecutable="true">',
        'isExecutable="true"><bpmn:extensionElements>'
        '<camunda:properties><camunda:property name="param.reply_days" value="7"/>'
        '<camunda:property name="param.escalation_group" value="主管领导"/>'
        "</camunda:properties></bpmn:extensionElements>",
        1,
    )
    assert patched != xml
    harness.deploy_bytes(patched.encode(), "routing.bpmn")
    errors = refused(harness, "routing", {"owner": "erin", key: value})
    assert errors == {key: f"'{key}' is {what}; a form cannot set it"}


def test_a_file_whose_form_declares_a_reserved_name_is_refused_at_deploy(harness):
    xml = P2.read_text().replace('formField id="complainant_phone"', 'formField id="reply_days"', 1)
    with pytest.raises(DefinitionError) as exc:
        harness.deploy_bytes(xml.encode(), "p2.bpmn")
    [problem] = exc.value.problems
    assert problem.element_id == "start" and problem.line
    assert "form field 'reply_days' is named like a parameter of this procedure" in problem.message
