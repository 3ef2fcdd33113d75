"""Tracking codes: a complainant follows their case with its number and a code handed out once.

``tests/data/tracking.bpmn`` declares ``publicFields="summary, reply,outcome"``; everything else of the
case (phone, internal note, findings), who did what and the lanes (one named after a person) stays hidden.
"""
from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from engine.people import settings_changes
from engine.time import school_time
from engine.errors import DefinitionError, NotFound
from engine.storage.models import Base, Case
from engine.views.tracking import NO_MATCH
from tests.helpers import DATA

CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
START = {"summary": "孩子被罚站两节课", "phone": "13800000000"}
HIDDEN = ["wang_zhuren", "li_diaocha", "王主任", "调查组", "13800000000", "家长情绪激动", "查明属实"]


@pytest.fixture
def tracked(harness):
    harness.deploy("tracking.bpmn")
    harness.user("wang_zhuren", "王主任")
    harness.user("li_diaocha", "调查组")
    return harness


def _dump(view) -> str:
    return json.dumps(view.to_json(), ensure_ascii=False)


def _all_stored_text(harness) -> str:
    with harness.Session() as s:
        return "\n".join(str(tuple(row)) for table in Base.metadata.sorted_tables
                         for row in s.execute(sa.select(table)))


def test_the_code_is_handed_out_once_and_only_its_hash_is_stored(tracked):
    iid, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    assert CODE.fullmatch(code) and number == "TR-2026-000001"
    with tracked.Session() as s:
        stored = s.scalar(sa.select(Case.tracking_hash).where(Case.instance_id == iid))
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    stored_text = _all_stored_text(tracked)
    assert code not in stored_text and code.replace("-", "") not in stored_text
    assert code not in json.dumps(tracked.show(iid), ensure_ascii=False)
    assert tracked.track(number, code).case_number == number


def test_codes_differ_between_cases_and_each_opens_only_its_own(tracked):
    started = [tracked.start_tracked("tracked", "wang_zhuren", START) for _ in range(20)]
    codes = [code for _, _, code in started]
    assert len(set(codes)) == 20
    (_, first, first_code), (_, second, second_code) = started[:2]
    assert tracked.track(second, second_code).case_number == second
    with pytest.raises(NotFound):
        tracked.track(second, first_code)
    with pytest.raises(NotFound):
        tracked.track(first, second_code)


def test_the_complainant_sees_the_steps_and_the_public_result_once_the_procedure_gives_it(tracked):
    h = tracked
    _, number, code = h.start_tracked("tracked", "wang_zhuren", START)
    view = h.track(number, code)
    assert (view.status, view.status_text, view.procedure) == ("received", "已受理", "家长投诉（测试）")
    assert view.current == ["受理登记"] and view.closed_at is None
    assert [(v.label, v.value) for v in view.result] == [("投诉事项", "孩子被罚站两节课")]

    h.clock.advance(hours=1)
    h.do("wang_zhuren", "受理登记", {"internal_note": "家长情绪激动"})
    h.clock.advance(hours=1)
    h.do("li_diaocha", "调查核实", {"findings": "查明属实"})
    view = h.track(number, code)
    assert (view.status, view.status_text) == ("in_progress", "处理中")
    assert view.to_json()["stages"] == [
        {"name": "受理登记", "done": True, "at": "2026-09-30T11:00:00+08:00"},
        {"name": "调查核实", "done": True, "at": "2026-09-30T12:00:00+08:00"},
        {"name": "答复家长", "done": False, "at": "2026-09-30T12:00:00+08:00"},
    ]
    assert [v.id for v in view.result] == ["summary"]  # no reply yet

    h.clock.advance(days=1)
    h.do("wang_zhuren", "答复家长", {"reply": "已约谈老师并整改", "outcome": "resolved"})
    view = h.track(number, code)
    out = view.to_json()
    assert (out["status"], out["status_text"]) == ("closed", "已办结")
    assert (out["opened_at"], out["closed_at"]) == ("2026-09-30T10:00:00+08:00", "2026-10-01T12:00:00+08:00")
    assert out["current"] == []
    assert out["result"] == [
        {"id": "summary", "label": "投诉事项", "value": "孩子被罚站两节课"},
        {"id": "reply", "label": "答复内容", "value": "已约谈老师并整改"},
        {"id": "outcome", "label": "处理结果", "value": "已解决"},  # the choice's name, not its id
    ]
    shown = _dump(view)
    for secret in HIDDEN:
        assert secret not in shown


@pytest.mark.parametrize("how", ["wrong code", "unknown number", "other case's number", "empty code",
                                 "code too long", "number too long"])
def test_a_wrong_code_and_a_wrong_number_give_the_same_error(tracked, how):
    _, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    _, other, _ = tracked.start_tracked("tracked", "wang_zhuren", START)
    wrong = "0000-0000-0000" if code != "0000-0000-0000" else "1111-1111-1111"
    number, code = {
        "wrong code": (number, wrong), "unknown number": ("TR-2026-000999", code),
        "other case's number": (other, code), "empty code": (number, ""),
        "code too long": (number, code + " " * 100), "number too long": ("TR-2026-" + "0" * 100, code),
    }[how]
    with pytest.raises(NotFound) as failed:
        tracked.track(number, code)
    assert str(failed.value) == NO_MATCH


def test_typing_is_forgiving_about_case_dashes_spaces_look_alikes_and_full_width(tracked):
    _, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    raw = code.replace("-", "")
    sloppy = " ".join(raw[i:i + 3] for i in range(0, 12, 3)).lower().replace("0", "o").replace("1", "l")
    assert tracked.track(f"  {number.lower()} ", sloppy).case_number == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # as a Chinese input method may type it
    assert tracked.track(number, full_width).case_number == number


def test_failed_lookups_are_logged_without_the_code_and_stored_nowhere(tracked, caplog):
    _, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    before = _all_stored_text(tracked)
    with caplog.at_level(logging.WARNING, logger="engine.views.tracking"), pytest.raises(NotFound):
        tracked.track(number, "ZZZZ-ZZZZ-ZZZZ")
    assert [r.getMessage() for r in caplog.records] == [f"tracking lookup failed for case number '{number}'"]
    assert _all_stored_text(tracked) == before


def test_a_case_without_a_code_cannot_be_tracked(tracked):
    iid, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    with tracked.Session.begin() as s:  # as cases opened before codes existed
        s.execute(sa.update(Case).where(Case.instance_id == iid).values(tracking_hash=None))
    with pytest.raises(NotFound):
        tracked.track(number, code)


@pytest.mark.parametrize("value, message", [
    ("summary,nope", "publicFields names 'nope', but no form of this process has a field with that id"),
    (" , ", "publicFields lists no field"),
])
def test_deployment_refuses_public_fields_that_no_form_has(harness, value, message):
    text = (DATA / "tracking.bpmn").read_text(encoding="utf-8").replace("summary, reply,outcome", value)
    with pytest.raises(DefinitionError) as refused:
        harness.deploy_bytes(text.encode(), "tracking.bpmn")
    [problem] = refused.value.problems
    assert problem.element_id == "tracked" and problem.line == 10
    assert problem.message.startswith(message)


def test_times_are_shown_in_the_schools_time_zone(tracked):
    _, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    assert tracked.track(number, code).to_json()["opened_at"] == "2026-09-30T10:00:00+08:00"
    with tracked.Session.begin() as s:
        settings_changes.set_setting(s, school_time.TIME_ZONE, "Europe/London", clock=tracked.clock)
    out = tracked.track(number, code).to_json()
    assert out["opened_at"] == "2026-09-30T03:00:00+01:00" and out["stages"][0]["at"] == out["opened_at"]


def _with_public_names(xml: str) -> bytes:
    """tracking.bpmn with publicName on its tasks: 受理 → 已收到投诉, both later steps → 调查与答复."""
    prop = '<camunda:properties><camunda:property name="publicName" value="{}"/></camunda:properties>'
    for task, public in (("受理登记", "已收到投诉"), ("调查核实", "调查与答复"), ("答复家长", "调查与答复")):
        head = f'name="{task}">\n      <bpmn:extensionElements>'
        assert head in xml
        xml = xml.replace(head, head + prop.format(public))
    return xml.encode()


def test_steps_are_shown_by_their_public_names_and_repeats_read_as_one(tracked):
    tracked.deploy_bytes(_with_public_names((DATA / "tracking.bpmn").read_text(encoding="utf-8")),
                         "tracking.bpmn")
    _, number, code = tracked.start_tracked("tracked", "wang_zhuren", START)
    tracked.do("wang_zhuren", "受理登记", {})
    tracked.do("li_diaocha", "调查核实", {"findings": "查明属实"})
    view = tracked.track(number, code)
    assert [(s.name, s.done) for s in view.stages] == [("已收到投诉", True), ("调查与答复", True),
                                                        ("调查与答复", False)]
    tracked.do("wang_zhuren", "答复家长", {"reply": "已整改", "outcome": "resolved"})
    view = tracked.track(number, code)
    assert [(s.name, s.done) for s in view.stages] == [("已收到投诉", True), ("调查与答复", True)]
    assert "受理登记" not in _dump(view) and "调查核实" not in _dump(view)
