"""The modeler's views: who may open them, and what saving does (stage, refuse and keep, same content)."""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from engine.definitions import drafts
from engine.storage.models import Definition
from tests.webui.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
BOX = ROOT / "processes" / "p2_complaint_box_round.bpmn"
KEY = "p2_box_round"


def _admin(client, harness, staff):
    harness.deploy(BOX)
    staff("root", admin=True)
    staff("ma", "信息督察室")
    sign_in(client, "root")


def _meta_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def _save(client, xml: str, token: str, key: str = KEY, version: str = "1"):
    return client.post("/modeler/save", json={"key": key, "version": version, "xml": xml},
                       headers={"X-CSRFToken": token})


def _versions(harness) -> list[tuple[int, bool]]:
    with harness.Session() as s:
        return list(s.execute(sa.select(Definition.version, Definition.staged)
                              .where(Definition.process_key == KEY).order_by(Definition.version)).all())


def test_only_administrators_see_the_modeler(client, harness, staff):
    harness.deploy(BOX)
    staff("ma", "信息督察室")
    sign_in(client, "ma")
    for path in (f"/procedures/{KEY}/1/edit", "/modeler/new", f"/modeler/source/{KEY}/1.bpmn", "/modeler/draft"):
        assert client.get(path).status_code == 404, path
    assert client.post("/modeler/save", json={"xml": "x"}).status_code in (400, 404)  # no token, no admin


def test_the_edit_page_opens_the_version_with_its_own_policy(client, harness, staff):
    _admin(client, harness, staff)
    page = client.get(f"/procedures/{KEY}/1/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-sf-source-url="/modeler/source/{KEY}/1.bpmn"' in html
    assert "保存为新版本" in html
    # Style attributes only (the properties panel's); scripts stay 'self'.
    csp = page.headers["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-inline'" in csp and "script-src 'self';" in csp
    assert "'unsafe-inline'" not in client.get("/tasks/").headers["Content-Security-Policy"]
    assert client.get(f"/modeler/source/{KEY}/1.bpmn").get_data(as_text=True) == BOX.read_text(encoding="utf-8")
    assert client.get(f"/procedures/{KEY}/9/edit").status_code == 404
    assert 'id="Process_' in client.get("/modeler/empty.bpmn").get_data(as_text=True)


def test_saving_stages_the_next_version(client, harness, staff):
    _admin(client, harness, staff)
    token = _meta_token(client, f"/procedures/{KEY}/1/edit")
    xml = BOX.read_text(encoding="utf-8").replace('<bpmn:userTask id="box_open"',
                                                 '<bpmn:userTask id="box_open" camunda:candidateGroups="校委会"')
    answer = _save(client, xml, token)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "staged" and answer.get_json()["version"] == 2
    assert "第 2 版" in answer.get_json()["message"]
    assert _versions(harness) == [(1, False), (2, True)]
    again = _save(client, xml, token).get_json()  # the same content again
    assert again["status"] == "unchanged" and "完全相同" in again["message"]
    assert _versions(harness) == [(1, False), (2, True)]


def test_a_refused_save_keeps_the_draft_with_its_reasons(client, harness, staff):
    _admin(client, harness, staff)
    token = _meta_token(client, f"/procedures/{KEY}/1/edit")
    bad = BOX.read_text(encoding="utf-8").replace("${add_working_days(0)}", "${add_working_days(}")
    answer = _save(client, bad, token)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["status"] == "refused"
    [problem] = body["problems"]
    assert problem["element_id"] == "box_open" and problem["file"] == "p2_complaint_box_round.bpmn"
    assert problem["line"] and problem["message"]
    assert _versions(harness) == [(1, False)]
    with harness.Session() as s:
        kept = drafts.get_draft(s, KEY, "root")
        assert kept is not None and kept.bpmn_xml == bad and kept.based_on_version == 1
    page = client.get(f"/procedures/{KEY}/1/edit").get_data(as_text=True)
    assert 'data-testid="server-draft"' in page
    assert client.get(f"/modeler/draft?key={KEY}").get_json()["xml"] == bad
    # Fixed and saved: the draft goes.
    assert _save(client, bad.replace("add_working_days(}", "add_working_days(1)}"), token).status_code == 200
    assert client.get(f"/modeler/draft?key={KEY}").status_code == 404


def test_a_draft_can_be_deleted_and_garbage_is_refused_not_lost(client, harness, staff):
    _admin(client, harness, staff)
    token = _meta_token(client, "/modeler/new")
    answer = _save(client, "<not-bpmn", token, key="", version="")
    assert answer.status_code == 422 and answer.get_json()["problems"]
    assert client.get("/modeler/draft?key=").get_json()["xml"] == "<not-bpmn"
    assert 'data-testid="server-draft"' in client.get("/modeler/new").get_data(as_text=True)
    gone = client.post("/modeler/draft/discard", json={"key": ""}, headers={"X-CSRFToken": token})
    assert gone.status_code == 200
    assert client.get("/modeler/draft?key=").status_code == 404
    assert _save(client, "  ", token).status_code == 422


def test_a_refused_save_says_why_in_chinese_as_the_upload_page_does(client, harness, staff):
    _admin(client, harness, staff)
    token = _meta_token(client, f"/procedures/{KEY}/1/edit")
    xml = BOX.read_text(encoding="utf-8")
    bad = re.sub(r'camunda:dueDate="[^"]*"', 'camunda:dueDate="next week"', xml, count=1)
    assert bad != xml
    [problem] = _save(client, bad, token).get_json()["problems"]
    assert problem["message"] == "期限“next week”既不是 ${add_working_days(7)} 这样的表达式，也不是 P7D 这样的 ISO 日期或时长。"
