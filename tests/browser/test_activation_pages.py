"""An administrator swaps in another institution's file and moves open cases, in a real browser (issue #13).

This module has its own server on a school without the hospital example's groups (the demo's data, minus
the hospital people and the example files), so the hospital file's lanes find nobody until mapped, and
its moves do not change the cases the other browser tests count.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.demo_cases import COMPLAINT, PASSWORD
from cli.demo_cmd import DEFAULT_FILE, load_demo
from engine import definitions, runtime
from engine.people import passwords
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.time.clock import FakeClock
from tests.browser.conftest import CHROMIUM, _need_chromium, shot, signing_in
from tests.live_server import serving

ROOT = Path(__file__).resolve().parents[2]
HOSPITAL = ROOT / "processes" / "examples" / "hospital_complaints.bpmn"
COMPLAINTS = ROOT / "processes" / "p2_parent_student_complaints.bpmn"
HOSPITAL_GROUPS = {"医疗纠纷处理办公室", "科室负责人", "医务科", "院领导"}
# The worked example of the README: each of the hospital's lanes goes to the school's group doing that work.
MAPPING = {"医疗纠纷处理办公室": "信息督察室", "科室负责人": "调查部门", "医务科": "主管领导", "院领导": "校委会"}


class School:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.Session = make_sessionmaker(self.engine)
        self.clock = FakeClock(datetime.now(UTC) - timedelta(hours=2))

    def stage(self, data: bytes, name: str, key: str) -> int:
        with self.Session.begin() as s:
            results = definitions.deploy_file(s, data, name, clock=self.clock, actor="admin", stage=True)
        return next(r.version for r in results if r.process_key == key)

    def start(self, key: str, user: str, data: dict) -> str:
        with self.Session.begin() as s:
            return str(runtime.start_process(s, key, user=user, clock=self.clock, data=data).case_number)


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, School]]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('activation') / 'school.sqlite'}"
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["users"] = [u for u in data["users"] if not set(u.get("groups", [])) & HOSPITAL_GROUPS]
    upgrade(make_engine(url))
    school = School(url)
    with school.Session.begin() as s:
        load_demo(s, data, clock=school.clock)
        definitions.deploy_path(s, sorted(ROOT.glob("processes/*.bpmn")), clock=school.clock, actor="admin")
        for u in data["users"]:
            passwords.set_password(s, u["name"], PASSWORD)
    with serving(url) as base:
        yield base, school
    school.engine.dispose()


@pytest.fixture(scope="module")
def browser(school) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def sign_in(school, browser) -> Iterator[object]:
    yield from signing_in(browser, school[0])


def test_the_hospital_file_is_swapped_in_with_its_lanes_mapped(school, sign_in):
    _, s = school
    page = sign_in("admin")
    page.goto("/procedures/")  # 流程管理: the upload stages the file and opens its activation page
    page.set_input_files("#bpmn-file", str(HOSPITAL))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/procedures/ex_hospital_complaint/1/activate")
    blockers = page.locator("[data-testid=blockers] li")
    assert blockers.count() == 4 and "没有成员" in blockers.first.inner_text()
    assert page.locator("[data-testid=activate]").is_disabled()
    shot(page, "activation-blocked")
    page.fill("#param-reply_days", "五天")  # refused: kept, with the reason by the field
    page.click("#params button[type=submit]")
    assert page.input_value("#param-reply_days") == "五天"
    assert "整数" in page.locator("#param-reply_days-error").inner_text()
    page.fill("#param-reply_days", "7")
    page.click("#params button[type=submit]")
    assert page.input_value("#param-reply_days") == "7"
    assert page.locator("#param-reply_days-error").is_hidden()
    for lane, group in MAPPING.items():
        row = page.locator(f"tr[data-lane='{lane}']")
        row.locator("select").select_option(group)
        row.locator("button").click()
        page.wait_for_load_state()
        assert "（已映射）" in page.locator(f"tr[data-lane='{lane}']").inner_text()
    assert page.locator("[data-testid=ready]").is_visible()
    page.click("[data-testid=activate]")
    assert "未结案件继续按原版本办理" in page.locator("[data-testid=activated]").inner_text()
    number = s.start("ex_hospital_complaint", "ducha", {"complainant_name": "赵先生", "channel": "phone",
                                                      "complainant_phone": "13900000000", "title": "挂号排队过久"})
    office = sign_in("ducha")  # in 信息督察室, the group the office's lane is mapped to
    assert office.locator(f"[data-testid=task-row]:has-text('{number}')").count() == 1


def test_an_open_case_is_dry_run_moved_and_completed_on_the_new_version(school, sign_in):
    _, s = school
    old_case = s.start("p2_complaint", "ducha", dict(COMPLAINT))
    kept_case = s.start("p2_complaint", "ducha", dict(COMPLAINT))
    xml = COMPLAINTS.read_text(encoding="utf-8")
    xml = xml.replace('name="告知相关领导"', 'name="告知分管领导"', 1)
    xml = xml.replace('<camunda:formField id="leader_instruction"',
                      '<camunda:formField id="leader_read_on" label="告知日期" type="date"/>'
                      '<camunda:formField id="leader_instruction"', 1)
    version = s.stage(xml.encode(), COMPLAINTS.name, "p2_complaint")
    admin = sign_in("admin")
    admin.goto(f"/procedures/p2_complaint/{version}/activate")
    changes = admin.locator("[data-testid=changes]").inner_text()
    assert "“告知相关领导”改名为“告知分管领导”" in changes and "告知日期" in changes
    admin.wait_for_selector("[data-testid=diff-diagram][data-sf-ready=true]")
    assert admin.locator("[data-testid=diff-diagram] g.sf-changed[data-element-id=leader_read]").count() == 1
    shot(admin, "activation")
    narrow = sign_in("admin", width=375)
    narrow.goto(f"/procedures/p2_complaint/{version}/activate")
    narrow.wait_for_selector("[data-testid=diff-diagram][data-sf-ready=true]")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 375
    shot(narrow, "activation-375")
    admin.click("[data-testid=activate]")
    assert "第 1 版：2 个未结案件" in admin.locator("[data-testid=open-on-old]").inner_text()
    shot(admin, "activation-done")
    admin.click("[data-testid=open-on-old] a")
    assert admin.locator(f"tr[data-case='{old_case}']").count() == 1
    for row in admin.locator("[data-testid=open-cases] tbody tr").all():  # only old_case is to move
        box = row.locator("input[type=checkbox]")
        box.set_checked(row.get_attribute("data-case") == old_case)
    admin.click("[data-testid=dry-run]")
    assert "可以迁移到第" in admin.locator(f"tr[data-case='{old_case}'] [data-testid=verdict]").inner_text()
    assert "未试运行" in admin.locator(f"tr[data-case='{kept_case}'] [data-testid=verdict]").inner_text()
    shot(admin, "migration")
    narrow.goto(f"/procedures/p2_complaint/migrate?from=1&to={version}")
    assert narrow.locator(f"tr[data-case='{old_case}'] input[type=checkbox]").is_visible()
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 375
    shot(narrow, "migration-375")
    admin.click("[data-testid=move]")
    assert old_case in admin.locator("[data-testid=moved]").inner_text()
    shot(admin, "migration-result")
    admin.click(f"[data-testid=moved] a:has-text('{old_case}')")
    assert f"版本 {version}" in admin.inner_text("main") or f"第 {version} 版" in admin.inner_text("main")
    office = sign_in("ducha")  # completes the moved case's waiting task there
    office.click(f"tr:has-text('{old_case}') a.sf-task-name")
    if office.locator("form[action$='/claim'] button").count():
        office.click("form[action$='/claim'] button")
        office.wait_for_load_state()
    office.select_option("#f-category", "ethics")
    office.select_option("#f-category_item", "ethics_punishment")
    office.fill("#f-accepted_on", datetime.now(UTC).date().isoformat())
    office.fill("#f-acceptance_note", "受理")
    office.click("form.sf-task-form button[type=submit]")
    office.wait_for_load_state()
    office.goto(f"/cases/{old_case}")
    assert "告知分管领导" in office.locator("main").inner_text()  # the next step is the new version's
    office.goto(f"/cases/{kept_case}")
    assert "版本 1" in office.inner_text("main") or "第 1 版" in office.inner_text("main")
