"""The modeler (流程设计) in a real browser: the demo administrator changes a task's candidate group in
the properties panel, saves, activates on the activation page (through the engine while that page is
missing), and the next case's task goes to the new group; a refused save
keeps the draft (in the editor, on the server, in the browser across a reload).

The procedure edited is the daily complaint-box round (p2_box_round): one task, 开启投诉箱并登记, in the
信息督察室 lane (ducha); no other browser test starts it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from engine import runtime
from engine.definitions import activation
from engine.storage.db import make_engine, make_sessionmaker
from engine.storage.models import Definition
from engine.time.clock import FakeClock
from tests.browser.conftest import shot

KEY = "p2_box_round"
TASK = "开启投诉箱并登记"


@pytest.fixture
def db(demo_server, demo_db_url: str) -> Iterator[object]:
    engine = make_engine(demo_db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _versions(Session) -> list[tuple[int, bool]]:  # noqa: N803
    with Session() as s:
        return list(s.execute(sa.select(Definition.version, Definition.staged)
                              .where(Definition.process_key == KEY).order_by(Definition.version)).all())


def _activation_page_exists() -> bool:
    """Saved, the browser goes on to the activation check (webui.activation) when the app has it."""
    from webui import create_app

    return "activation.show" in create_app({"SECRET_KEY": "test", "DATABASE_URL": "sqlite://"}).view_functions


def open_modeler(page, version: int) -> None:
    page.goto(f"/procedures/{KEY}/{version}/edit")
    expect(page.locator("[data-sf-modeler]")).to_have_attribute("data-sf-ready", "true")


def select_task(page) -> None:
    page.locator("g.djs-element[data-element-id=box_open]").click()
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text(TASK)


def user_assignment(page) -> None:
    """Open the panel's 办理人 group (Camunda 7's User assignment) unless it is open."""
    group = page.locator("[data-group-id='group-CamundaPlatform__UserAssignment']")
    if not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()


def kept_locally(page, text: str) -> None:
    """The edit reached the modeler (the page keeps every change in localStorage)."""
    page.wait_for_function(
        "t => Object.keys(localStorage).some(k => k.startsWith('schoolflow.modeler.')"
        " && JSON.parse(localStorage[k]).xml.includes(t))",
        arg=text)


def inbox(page) -> list[str]:
    page.goto("/tasks/")
    return [r.inner_text() for r in page.locator("[data-testid=task-row]").all()]


def test_a_new_candidate_group_takes_the_next_case(sign_in, db):
    admin = sign_in("admin")
    errors: list[str] = []
    # Every console error counts (CSP refusals included), except the favicon the site does not have.
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error"
             and not m.location.get("url", "").endswith("/favicon.ico") else None)
    before = _versions(db)
    active = max(v for v, staged in before if not staged)
    open_modeler(admin, active)
    select_task(admin)
    user_assignment(admin)
    field = admin.locator("#bio-properties-panel-candidateGroups")
    expect(field).to_be_visible()
    field.fill("校委会")
    field.press("Tab")
    kept_locally(admin, 'camunda:candidateGroups="校委会"')
    shot(admin, "modeler")
    admin.get_by_test_id("modeler-save").click()
    new_version = before[-1][0] + 1
    on_activation_page = _activation_page_exists()
    if on_activation_page:  # the browser goes on to the activation check
        expect(admin).to_have_url(re.compile(rf"/{KEY}/{new_version}/activate$"))
    else:
        expect(admin.get_by_test_id("modeler-status")).to_contain_text(f"{KEY} 的第 {new_version} 版")
    assert _versions(db)[-1] == (new_version, True)  # staged: new cases still start on the active one
    assert not errors, errors
    clock = FakeClock(datetime.now(UTC))
    if on_activation_page:
        admin.get_by_test_id("activate").click()
        admin.wait_for_load_state()
    else:
        with db.begin() as s:
            activation.activate(s, KEY, new_version, clock=clock, actor="admin")
    assert _versions(db)[-1] == (new_version, False)
    with db.begin() as s:
        case = str(runtime.start_process(s, KEY, user="ducha", clock=clock).case_number)
    assert any(case in r and TASK in r for r in inbox(sign_in("xiaowei")))  # 校委会
    assert not any(case in r for r in inbox(sign_in("ducha")))  # 信息督察室, the lane's group


def test_a_refused_save_keeps_the_draft(sign_in, db):
    admin = sign_in("admin")
    active = max(v for v, staged in _versions(db) if not staged)
    count = len(_versions(db))
    open_modeler(admin, active)
    select_task(admin)
    user_assignment(admin)
    due = admin.locator("#bio-properties-panel-dueDate")
    due.fill("${add_working_days(}")
    due.press("Tab")
    kept_locally(admin, "add_working_days(}")
    admin.get_by_test_id("modeler-save").click()
    problems = admin.get_by_test_id("modeler-problems")
    expect(problems).to_be_visible()
    expect(problems.locator("li").first).to_contain_text("box_open")
    expect(admin.locator("g.djs-element[data-element-id=box_open]")).to_have_class(re.compile(r"\bsf-problem\b"))
    assert len(_versions(db)) == count  # nothing stored
    shot(admin, "modeler-refused")
    admin.reload()  # the draft survives: in this browser and on the server
    expect(admin.locator("[data-sf-modeler]")).to_have_attribute("data-sf-ready", "true")
    expect(admin.get_by_test_id("local-draft")).to_be_visible()
    expect(admin.get_by_test_id("server-draft")).to_be_visible()
    admin.get_by_test_id("server-draft").get_by_role("button").first.click()
    expect(problems).to_be_visible()
    select_task(admin)
    user_assignment(admin)
    expect(admin.locator("#bio-properties-panel-dueDate")).to_have_value("${add_working_days(}")


def _local_xml(page) -> str:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('schoolflow.modeler.'))"
                         ".map(k => JSON.parse(localStorage[k]).xml)[0] || ''")


def test_a_ready_task_from_the_palette(sign_in):
    admin = sign_in("admin")
    admin.goto("/modeler/new")
    expect(admin.locator("[data-sf-modeler]")).to_have_attribute("data-sf-ready", "true")
    admin.locator(".djs-palette [data-sf-template='schoolflow.approve']").click()
    box = admin.get_by_test_id("modeler-canvas").bounding_box()
    admin.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    kept_locally(admin, 'camunda:modelerTemplate="schoolflow.approve"')
    xml = _local_xml(admin)
    assert 'name="审批"' in xml and 'camunda:candidateGroups="主管领导"' in xml
    assert 'camunda:dueDate="${add_working_days(2)}"' in xml
    assert '<camunda:formField id="approved" label="同意" type="boolean">' in xml


def test_the_panel_applies_a_template_to_a_task_and_the_file_still_passes(sign_in, db, tmp_path):
    from engine.definitions.validate import parse_procedure
    from tests.modeler.test_modeler_import import check, problems

    admin = sign_in("admin")
    active = max(v for v, staged in _versions(db) if not staged)
    open_modeler(admin, active)
    select_task(admin)
    admin.locator(".bio-properties-panel-select-template-button").click()
    admin.locator(".djs-popup-body .entry:has-text('答复')").click()
    kept_locally(admin, 'camunda:modelerTemplate="schoolflow.reply"')
    shot(admin, "modeler-template")
    xml = _local_xml(admin)
    assert xml.count("<camunda:formData>") == 1  # the task's own form, with the template's fields added
    assert '<camunda:formField id="box_opened_on"' in xml and '<camunda:formField id="reply_text"' in xml
    saved = tmp_path / "p2_complaint_box_round.bpmn"
    saved.write_text(xml, encoding="utf-8")
    found = problems(saved, check(saved)[saved])
    assert not found, "\n".join(found)  # the suite's modeler check: no import warning, no lint report
    parse_procedure(saved.read_bytes(), saved.name)  # and the engine takes it
