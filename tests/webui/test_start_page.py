"""Starting a case: who may start what, the start form validated by the engine, the slip with the code."""
from __future__ import annotations

import re

from tests.webui.conftest import sign_in


def _token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_only_starter_groups_the_start_lane_and_administrators_may_start(app, staff, harness):
    harness.deploy("start_form.bpmn")
    staff("hot", "hotline")      # camunda:candidateStarterGroups
    staff("desk", "reception")   # the start event's lane
    staff("cook", "kitchen")
    staff("root", admin=True)
    for name, allowed in (("hot", True), ("desk", True), ("cook", False), ("root", True)):
        client = app.test_client()
        sign_in(client, name)
        listed = "Complaint intake" in client.get("/start/").get_data(as_text=True)
        assert listed is allowed, name
        assert client.get("/start/intake").status_code == (200 if allowed else 404), name
        if not allowed:
            answer = client.post("/start/intake", data={"csrf_token": _token(client, "/start/"),
                                                        "complainant": "Someone"})
            assert answer.status_code == 404


def test_the_start_form_is_validated_by_the_engine_and_keeps_what_was_typed(client, staff, harness):
    harness.deploy("start_form.bpmn")
    staff("hot", "hotline")
    sign_in(client, "hot")
    token = _token(client, "/start/intake")
    answer = client.post("/start/intake", data={"csrf_token": token, "complainant": "", "people": "0",
                                                "urgent": "true"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'id="f-complainant-error">此项必填。<', html)
    assert re.search(r'id="f-people-error">请填写不小于 1 的数。<', html)
    assert 'value="0"' in html and 'name="urgent" value="true" checked' in html
    with harness.ReadSession() as s:
        from engine.storage.models import Instance
        assert s.query(Instance).count() == 0  # nothing was started


def test_after_starting_the_slip_shows_the_case_number_and_the_code_once(client, staff, harness):
    harness.deploy("start_form.bpmn")
    staff("hot", "hotline")
    sign_in(client, "hot")
    token = _token(client, "/start/intake")
    answer = client.post("/start/intake", data={"csrf_token": token, "complainant": "Wang Wu", "people": "2"})
    assert answer.status_code == 302
    slip = client.get(answer.headers["Location"]).get_data(as_text=True)
    number = re.search(r'data-testid="slip-number"><strong>([^<]+)<', slip).group(1)
    code = re.search(r'data-testid="slip-code">([^<]+)<', slip).group(1)
    assert number.startswith("TS-2026-") and "打印回执" in slip
    # where to follow it, what it is and when it was registered, for the complainant who takes the slip home
    assert 'data-testid="slip-track-url">案件进度查询页： <strong>http://localhost/track</strong>' in slip
    assert "<dt>登记时间</dt><dd>2026-09-30 10:00</dd>" in slip
    assert harness.track(number, code).case_number == number  # the code works on the tracking page
    again = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert code not in again and "无法再次显示" in again
    assert client.get("/start/slip/TS-2026-999999").status_code == 404
