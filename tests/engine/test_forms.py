"""Task forms through the engine: what the form shows, what a wrong answer gets back, what is stored.

``form.bpmn``'s "Register visitor" task has a field of every type with the supported constraints.
"""
from __future__ import annotations

import json

import pytest

from engine.errors import InvalidInput
from engine.definitions.forms import FormField, validate_form
from tests.helpers import Harness

VALID = {"visitor": "Mr Li", "party_size": "12", "has_car": "true", "visit_date": "2026-10-08",
         "purpose": "delivery", "id_scan": "scan-1.png"}


@pytest.fixture
def visit(harness: Harness) -> tuple[int, str]:
    """A started visitor registration; returns (instance id, id of the "Register visitor" task)."""
    harness.deploy("form.bpmn")
    harness.user("rita", "reception")
    iid = harness.start("visit", "rita")
    return iid, harness.task("rita", "Register visitor")["id"]


def completions(harness: Harness, iid: int) -> list[dict]:
    history = harness.show(iid)["history"]
    return [json.loads(h["detail"])["data"] for h in history if h["kind"] == "task.completed"]


def submit_invalid(harness: Harness, task_id: str, data) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        harness.complete(task_id, "rita", data)
    return info.value


def assert_nothing_stored(harness: Harness, iid: int, task_id: str, version: int) -> None:
    assert harness.task("rita", "Register visitor")["id"] == task_id
    assert harness.task_names("rita") == ["Register visitor"]
    assert harness.instance(iid).version == version
    assert completions(harness, iid) == []


def test_the_task_shows_its_form(harness, visit):
    form = {f["id"]: f for f in harness.task("rita", "Register visitor")["form"]}
    assert list(form) == ["visitor", "party_size", "has_car", "visit_date", "purpose", "id_scan",
                          "office_note"]
    assert {k: f["type"] for k, f in form.items()} == {
        "visitor": "string", "party_size": "long", "has_car": "boolean", "visit_date": "date",
        "purpose": "enum", "id_scan": "file", "office_note": "string"}
    assert form["visitor"]["label"] == "Visitor name"
    assert [k for k, f in form.items() if f["required"]] == ["visitor"]
    assert [k for k, f in form.items() if f["readonly"]] == ["office_note"]
    assert form["purpose"]["values"] == [{"id": "parent_meeting", "name": "Parent meeting"},
                                         {"id": "delivery", "name": "Delivery"}]


def test_every_wrong_field_gets_its_own_message_and_nothing_is_stored(harness, visit):
    iid, task_id = visit
    version = harness.instance(iid).version
    err = submit_invalid(harness, task_id, {
        "visitor": "L", "party_size": "31", "has_car": "maybe", "visit_date": "2026-02-30",
        "purpose": "party", "id_scan": [""],
    })
    assert err.field_errors == {
        "visitor": "must be at least 2 characters",
        "party_size": "must be at most 30",
        "has_car": "must be yes or no",
        "visit_date": "must be a date such as 2026-09-01",
        "purpose": "must be one of: parent_meeting, delivery",
        "id_scan": "must be a list of attachment references",
    }
    assert str(err).startswith("the form has errors: visitor: must be at least 2 characters; ")
    assert_nothing_stored(harness, iid, task_id, version)


SINGLE_FIELD_MISTAKES = [
    ({}, {"visitor": "this field is required"}),
    ({"visitor": "   "}, {"visitor": "this field is required"}),
    ({"visitor": "L" * 21}, {"visitor": "must be at most 20 characters"}),
    ({"visitor": 42}, {"visitor": "must be text"}),
    ({"visitor": "Li", "party_size": 0}, {"party_size": "must be at least 1"}),
    ({"visitor": "Li", "party_size": "2.5"}, {"party_size": "must be a whole number"}),
    ({"visitor": "Li", "party_size": True}, {"party_size": "must be a whole number"}),
    ({"visitor": "Li", "visit_date": "next week"}, {"visit_date": "must be a date such as 2026-09-01"}),
    ({"visitor": "Li", "id_scan": {"file": "a"}}, {"id_scan": "must be a list of attachment references"}),
]


def test_single_wrong_fields(harness, visit):
    iid, task_id = visit
    version = harness.instance(iid).version
    for data, errors in SINGLE_FIELD_MISTAKES:
        assert submit_invalid(harness, task_id, data).field_errors == errors, data
    assert_nothing_stored(harness, iid, task_id, version)


def test_a_field_the_form_does_not_have_is_refused(harness, visit):
    iid, task_id = visit
    version = harness.instance(iid).version
    err = submit_invalid(harness, task_id, {**VALID, "is_admin": True})
    assert err.field_errors == {"is_admin": "this form has no such field"}
    assert_nothing_stored(harness, iid, task_id, version)


def test_data_that_is_not_an_object_is_refused(harness, visit):
    iid, task_id = visit
    err = submit_invalid(harness, task_id, ["Mr Li"])
    assert str(err) == "the form data must be an object of field names and values"
    assert err.field_errors == {}


def test_a_valid_answer_is_stored_with_typed_values(harness, visit):
    iid, task_id = visit
    submit_invalid(harness, task_id, {**VALID, "party_size": "0"})  # a failed try first changes nothing
    harness.complete(task_id, "rita", {**VALID, "visit_date": " 2026-10-08 "})
    assert completions(harness, iid) == [{
        "visitor": "Mr Li", "party_size": 12, "has_car": True, "visit_date": "2026-10-08",
        "purpose": "delivery", "id_scan": ["scan-1.png"],
    }]
    assert harness.task_names("rita") == ["Check visit"]


def test_a_readonly_field_is_never_taken_from_the_user(harness, visit):
    iid, task_id = visit
    harness.complete(task_id, "rita", {**VALID, "office_note": "approved by myself"})
    [stored] = completions(harness, iid)
    assert "office_note" not in stored
    assert stored["visitor"] == "Mr Li"


def test_optional_fields_may_be_left_out(harness, visit):
    iid, task_id = visit
    harness.complete(task_id, "rita", {"visitor": "Ms Wang", "party_size": "", "purpose": None})
    assert completions(harness, iid) == [{"visitor": "Ms Wang"}]


def test_a_task_without_a_form_takes_plain_names_only(harness, visit):
    iid, task_id = visit
    harness.complete(task_id, "rita", VALID)
    check = harness.task("rita", "Check visit")
    assert check["form"] == []
    with pytest.raises(InvalidInput) as info:
        harness.complete(check["id"], "rita", {"__class__": 1, "ok": True, "two words": 2})
    assert info.value.field_errors == {
        "__class__": "must be a name of letters, digits and '_' not starting with '_'",
        "two words": "must be a name of letters, digits and '_' not starting with '_'",
    }
    with pytest.raises(InvalidInput, match="the data is larger than 64 KB"):
        harness.complete(check["id"], "rita", {f"essay{i}": "x" * 9_000 for i in range(8)})
    assert harness.task_names("rita") == ["Check visit"]
    harness.complete(check["id"], "rita", {"checked": True, "notes": {"gate": 2}})
    assert harness.show(iid)["status"] == "completed"


def test_start_data_takes_plain_names_only(harness):
    harness.deploy("simple.bpmn")
    harness.user("ann")
    with pytest.raises(InvalidInput, match="the data has invalid names"):
        harness.start("simple", "ann", {"_private": 1})


BOOLEAN = FormField(id="ok", label="OK?", type="boolean")


@pytest.mark.parametrize("raw, value", [
    (True, True), (False, False), ("true", True), ("yes", True), ("on", True), ("1", True), (" TRUE ", True),
    ("false", False), ("no", False), ("off", False), ("0", False), ("", False),
])
def test_boolean_answers_from_web_forms(raw, value):
    assert validate_form([BOOLEAN], {"ok": raw}) == {"ok": value}


@pytest.mark.parametrize("raw", [1, "maybe", "y", [True]])
def test_boolean_refuses_anything_else(raw):
    with pytest.raises(InvalidInput) as info:
        validate_form([BOOLEAN], {"ok": raw})
    assert info.value.field_errors == {"ok": "must be yes or no"}


def test_required_when_another_answer_is_given():
    """``requiredWhen``: a second measure's owner is needed once the measure is written, and the reason
    once an extension is asked for; without them nothing else is required."""
    fields = [FormField("outcome", "Outcome", "enum", required=True, values=[("report", "R"), ("extension", "E")]),
              FormField("reason", "Reason", "string", required_when=(("outcome", "extension"),)),
              FormField("measure_2", "Measure 2", "string"),
              FormField("owner_2", "Owner 2", "string", required_when=(("measure_2", None),))]
    assert validate_form(fields, {"outcome": "report"}) == {"outcome": "report"}
    with pytest.raises(InvalidInput) as info:
        validate_form(fields, {"outcome": "extension", "measure_2": "apologise"})
    assert info.value.field_errors == {"reason": "this field is required", "owner_2": "this field is required"}
    assert validate_form(fields, {"outcome": "extension", "reason": "complex", "measure_2": "x", "owner_2": "li"})
