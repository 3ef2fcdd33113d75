"""An administrator's procedures pages (流程管理) in a real browser on the demo server: a new procedure
is uploaded, a refused version leaves the version in use alone and marks its faulty elements on the
diagram, a good version is staged and activated, and cases keep the version they started on.

The procedure here (教师请假, ``leave_request``) is the test's own, startable by the administrator only,
so the demo's procedures and other roles' pages stay as the other browser tests expect them.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import shot
from tests.helpers import DATA

KEY = "leave_request"
V1 = (DATA / "leave_request.bpmn").read_bytes()
# Version 2 adds an approval after the registration, drawn between it and the end.
APPROVE = ('<bpmn:userTask id="approve" name="审批" camunda:assignee="${initiator}"{extra} />'
           '<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="approve" />'
           '<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />')
APPROVE_DI = ('<bpmndi:BPMNShape id="approve_di" bpmnElement="approve"><dc:Bounds x="420" y="80" width="100" '
              'height="80" /></bpmndi:BPMNShape>'
              '<bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="350" y="120" />'
              '<di:waypoint x="420" y="120" /></bpmndi:BPMNEdge>'
              '<bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="520" y="120" />'
              '<di:waypoint x="592" y="120" /></bpmndi:BPMNEdge>')


def version_2(extra: str = "", register: str = "userTask") -> bytes:
    text = V1.decode()
    text = text.replace('<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="end" />',
                        APPROVE.replace("{extra}", extra))
    text = re.sub(r'<bpmndi:BPMNEdge id="f2_di".*?</bpmndi:BPMNEdge>', APPROVE_DI, text)
    if register != "userTask":  # the registration drawn as another kind of task
        text = text.replace('<bpmn:userTask id="register" name="登记请假" camunda:assignee="${initiator}" />',
                            f'<bpmn:{register} id="register" name="登记请假" />')
    return text.encode()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def upload(page, path: str) -> None:
    page.set_input_files("#bpmn-file", path)
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_load_state()


def activate(page, version: int) -> None:
    """Activate a staged version as an administrator does: its row's link, then the activation page."""
    page.goto(f"/procedures/{KEY}")
    page.click(f"tr[data-version='{version}'] a:has-text('启用')")
    page.wait_for_load_state()
    page.click("[data-testid=activate]")
    page.wait_for_load_state()


def start_case(page) -> str:
    page.goto(f"/start/{KEY}")
    page.click("form.sf-task-form button[type=submit]")
    page.wait_for_load_state()
    return page.locator("[data-testid=slip-number]").inner_text().strip()


def case_version(page, number: str) -> str:
    page.goto(f"/cases/{number}")
    return page.locator("dl.sf-facts").inner_text()


def test_upload_refuse_stage_activate_and_cases_keep_their_version(sign_in, tmp_path):
    admin = sign_in("admin")
    admin.goto("/procedures/")
    upload(admin, write(tmp_path, "leave_request.bpmn", V1))  # a new procedure: staged as version 1
    assert admin.url.endswith(f"/procedures/{KEY}/1/activate")  # the check before it becomes active
    admin.goto(f"/procedures/{KEY}")
    assert "待启用" in admin.locator("tr[data-version='1']").inner_text()
    activate(admin, 1)
    first = start_case(admin)

    # A refused version: every reason with its element, the version in use stays, the faults marked.
    admin.goto(f"/procedures/{KEY}")
    upload(admin, write(tmp_path, "leave_v2_bad.bpmn", version_2(' camunda:priority="紧急"', "serviceTask")))
    refusal = admin.locator("[data-testid=refusal]").inner_text()
    assert "没有保存任何内容：“教师请假”仍使用第 1 版。" in refusal
    reasons = admin.locator("[data-testid=reasons] li").all_inner_texts()
    assert any("服务任务要调用其他系统" in r and "register" in r for r in reasons)
    assert any("优先级“紧急”不是整数。" in r and "approve" in r and "第 " in r for r in reasons)
    admin.wait_for_selector("[data-testid=refused-diagram][data-sf-ready=true]")
    for element in ("register", "approve"):
        assert admin.locator(f".sf-problem[data-element-id='{element}']").count() == 1
    admin.click("button[data-sf-locate='approve']")  # keyboard-reachable: a button per drawn element
    shot(admin, "procedures-refused")
    narrow = sign_in("admin", width=375, height=740)
    narrow.goto(f"/procedures/{KEY}")
    upload(narrow, write(tmp_path, "leave_v2_bad.bpmn", version_2(' camunda:priority="紧急"', "serviceTask")))
    narrow.wait_for_selector("[data-testid=refused-diagram][data-sf-ready=true]")
    shot(narrow, "procedures-refused-375")
    admin.goto(f"/procedures/{KEY}")
    assert admin.locator("[data-testid=active-version]").inner_text() == "第 1 版"
    assert admin.locator("tr[data-version]").count() == 1  # nothing was stored

    # The same file again changes nothing, and says so.
    upload(admin, write(tmp_path, "again.bpmn", V1))
    assert "内容相同" in admin.locator("[data-testid=notice-unchanged]").inner_text()

    # A good version 2 is staged; version 1 stays in use until it is activated.
    admin.goto(f"/procedures/{KEY}")
    upload(admin, write(tmp_path, "leave_v2.bpmn", version_2()))
    assert admin.url.endswith(f"/procedures/{KEY}/2/activate")
    admin.goto(f"/procedures/{KEY}")
    assert "待启用" in admin.locator("tr[data-version='2']").inner_text()
    assert admin.locator("[data-testid=active-version]").inner_text() == "第 1 版"
    activate(admin, 2)
    second = start_case(admin)
    assert "第 2 版" in case_version(admin, second) or "version 2" in case_version(admin, second)
    assert "第 1 版" in case_version(admin, first) or "version 1" in case_version(admin, first)

    admin.goto(f"/procedures/{KEY}")
    assert admin.locator("[data-testid=active-version]").inner_text() == "第 2 版"
    for version in (1, 2):
        row = admin.locator(f"tr[data-version='{version}']")
        assert row.locator("[data-testid=open-cases]").inner_text() == "1"
    assert "在用" in admin.locator("tr[data-version='2'] [data-testid=state]").inner_text()
    assert "系统管理员 · leave_v2.bpmn" in admin.locator("tr[data-version='2']").inner_text()  # who uploaded it
    older = admin.locator("[data-testid=older-open]")
    assert "1 件未结案件在旧版本上" in older.inner_text()
    assert older.locator("a").get_attribute("href") == f"/procedures/{KEY}/migrate"
    assert admin.locator("tr[data-version='1'] a:has-text('在设计器中编辑')").get_attribute("href") == \
        f"/procedures/{KEY}/1/edit"
    admin.wait_for_selector("[data-testid=version-diagram][data-sf-ready=true]")
    assert admin.locator("[data-testid=version-diagram] [data-element-id='approve']").count() == 1
    shot(admin, "procedures")
    narrow.goto(f"/procedures/{KEY}")
    narrow.wait_for_selector("[data-testid=version-diagram][data-sf-ready=true]")
    shot(narrow, "procedures-375")
    # Version 1's diagram, chosen from its row, is the one without the approval.
    admin.click("tr[data-version='1'] a:has-text('查看流程图')")
    admin.wait_for_selector("[data-testid=version-diagram][data-sf-ready=true]")
    assert admin.locator("[data-testid=version-diagram] [data-element-id='approve']").count() == 0
    admin.goto("/procedures/")
    row = admin.locator(f"tr[data-key='{KEY}']").inner_text()
    assert "第 2 版" in row and "2" in row


@pytest.mark.parametrize("path", ["/procedures/", f"/procedures/{KEY}", "/procedures/p2_complaint/1.bpmn"])
def test_staff_get_not_found(sign_in, path):
    page = sign_in("ducha")
    assert page.goto(path).status == 404
    assert page.locator("nav a[href='/procedures/']").count() == 0
