"""Case numbers: PREFIX-YEAR-NNNNNN, increasing per prefix, the year being the school's (Shanghai) year."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.helpers import DATA, Harness


def numbers(harness: Harness, *iids: int) -> list[str]:
    return [harness.show(i)["case_number"] for i in iids]


def variant(process_id: str, case_prefix: str | None) -> bytes:
    """simple.bpmn under another process id, optionally with a casePrefix property."""
    text = (DATA / "simple.bpmn").read_text().replace('id="simple" name="Simple"', f'id="{process_id}"')
    if case_prefix:
        opening = f'<bpmn:process id="{process_id}" isExecutable="true">'
        text = text.replace(opening, opening + (
            "\n    <bpmn:extensionElements><camunda:properties>"
            f'<camunda:property name="casePrefix" value="{case_prefix}" />'
            "</camunda:properties></bpmn:extensionElements>"))
        assert "casePrefix" in text
    return text.encode()


def test_case_numbers_count_up_per_procedure(harness):
    harness.deploy("simple.bpmn")
    harness.user("ann", "office")
    iids = [harness.start("simple", "ann") for _ in range(3)]
    assert numbers(harness, *iids) == ["SIMPLE-2026-000001", "SIMPLE-2026-000002", "SIMPLE-2026-000003"]
    assert harness.task("ann", "Fill")["case_number"].startswith("SIMPLE-2026-")


def test_each_prefix_has_its_own_sequence(harness):
    harness.deploy("simple.bpmn")
    harness.deploy("exclude.bpmn")  # casePrefix "TS"
    harness.deploy_bytes(variant("staff_complaint_v2", "TS"), "v2.bpmn")  # shares the "TS" numbers
    harness.user("ann")
    a = harness.start("simple", "ann")
    b = harness.start("complaint", "ann", {"accused": "nobody"})
    c = harness.start("simple", "ann")
    d = harness.start("staff_complaint_v2", "ann")
    assert numbers(harness, a, b, c, d) == [
        "SIMPLE-2026-000001", "TS-2026-000001", "SIMPLE-2026-000002", "TS-2026-000002"]


def test_without_a_prefix_the_process_key_is_used_in_capitals(harness):
    harness.deploy_bytes(variant("visit-request_form", None), "v.bpmn")
    harness.user("ann")
    assert numbers(harness, harness.start("visit-request_form", "ann")) == ["VISITREQ-2026-000001"]


def test_the_year_is_the_schools_and_a_new_year_starts_at_one(harness, clock):
    harness.deploy("simple.bpmn")
    harness.user("ann")
    clock.set(datetime(2026, 12, 31, 15, 59, tzinfo=UTC))  # 23:59 on New Year's Eve in Shanghai
    last_of_2026 = harness.start("simple", "ann")
    clock.set(datetime(2026, 12, 31, 20, 0, tzinfo=UTC))  # still 2026 in London; 04:00, 1 January in Shanghai
    first_of_2027 = harness.start("simple", "ann")
    second_of_2027 = harness.start("simple", "ann")
    assert numbers(harness, last_of_2026, first_of_2027, second_of_2027) == [
        "SIMPLE-2026-000001", "SIMPLE-2027-000001", "SIMPLE-2027-000002"]
