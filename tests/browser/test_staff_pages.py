"""What each demo role sees and does in a real browser on a real server (the demo data of scripts/demo.sh).

Demo cases (cli.demo_cases, ``demo.case[key]``): ``waiting``, ``waiting_too`` and ``fresh`` wait for
受理建档 by 督察室 (ducha), ``reply`` for ducha's 初步电话回复; ``overdue`` and ``late`` wait for diaocha's
调查核实, past its deadline and escalated to zhuguan; ``committee`` waits for xiaowei (校委会); ``covered``
for lingdao's 告知相关领导, which xiaowei covers this week; ``closed`` is done. zhang_teacher is the
accused in every case. The tests run in this file's order on one server: earlier ones change its data.
"""
from __future__ import annotations

import re

from tests.browser.conftest import shot

ACCEPT = "受理建档"
TELL = "告知相关领导"
INVESTIGATE = "调查核实"
ESCALATE = "超期投诉督办"


def rows(page) -> list[str]:
    return [r.inner_text() for r in page.locator("[data-testid=task-row]").all()]


def row_of(page, number: str, task: str):
    return page.locator("[data-testid=task-row]").filter(has_text=number).filter(has_text=task)


def open_task(page, number: str, task: str) -> None:
    page.goto("/")
    assert row_of(page, number, task).count() == 1, rows(page)
    row_of(page, number, task).locator("a.sf-task-name").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=case-number]").inner_text() == number


def fill(page, answers: dict) -> None:
    """Answer a generated form the way a person does: choose, tick, type."""
    for field, value in answers.items():
        target = page.locator(f"#f-{field}")
        if value is True or value is False:
            target.set_checked(value)
        elif target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(label=value)
        else:
            target.fill(value)


def submit(page) -> None:
    page.click("form.sf-task-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#form-errors").count() == 0, page.locator("main").inner_text()
    assert "done=" in page.url, page.locator("main").inner_text()  # back in the inbox, "submitted: case …"


def test_each_role_sees_its_own_tasks(sign_in, demo):
    c = demo.case
    ducha = sign_in("ducha")
    mine = rows(ducha)
    assert sorted(r.split()[0] for r in mine if ACCEPT in r) == sorted([c["waiting"], c["waiting_too"], c["fresh"]])
    assert any(c["reply"] in r and "初步电话回复" in r for r in mine)
    assert not any(TELL in r or INVESTIGATE in r for r in mine)
    shot(ducha, "inbox")
    diaocha = sign_in("diaocha")
    late = diaocha.locator("[data-testid=task-row].sf-overdue")
    assert {r.split()[0] for r in late.all_inner_texts()} == {c["overdue"], c["late"]}
    assert all("已超期" in r and INVESTIGATE in r for r in late.all_inner_texts())
    assert diaocha.locator("[data-testid=count-overdue]").inner_text() == "2"
    open_task(diaocha, c["overdue"], INVESTIGATE)
    assert "已超期" in diaocha.locator("[data-testid=due]").inner_text()  # the task page says so too
    assert {(r.split()[0], ESCALATE in r) for r in rows(sign_in("zhuguan"))} == {(c["overdue"], True),
                                                                                   (c["late"], True)}
    lingdao = rows(sign_in("lingdao"))
    assert [r.split()[0] for r in lingdao if TELL in r] == [c["covered"]]
    xiaowei = sign_in("xiaowei")  # covers lingdao this week, and sits on the committee
    assert any(c["committee"] in r and "校委会研究处理意见" in r for r in rows(xiaowei))
    covering = row_of(xiaowei, c["covered"], TELL)
    assert "代 校领导 鲁校长" in covering.inner_text()  # whose task it is, by the name colleagues know
    assert rows(sign_in("zhang_teacher")) == []  # the accused sees none of the cases about him


def test_claiming_a_queue_task_makes_it_mine(sign_in, demo):
    page = sign_in("ducha")
    number = demo.case["fresh"]
    before = int(page.locator("[data-testid=count-mine]").inner_text())
    open_task(page, number, ACCEPT)
    assert page.locator("form[action$='/unclaim']").count() == 0
    page.click("form[action$='/claim'] button")
    page.wait_for_load_state()
    assert page.locator("form[action$='/unclaim']").count() == 1  # "give back" now offered
    assert "信息督察室 徐老师" in page.locator("dl.sf-facts").inner_text()  # handled by me
    page.goto("/?view=mine")
    assert int(page.locator("[data-testid=count-mine]").inner_text()) == before + 1
    assert row_of(page, number, ACCEPT).count() == 1


def test_form_error_keeps_typed_values_then_submits(sign_in, demo):
    page = sign_in("ducha")
    number = demo.case["waiting"]
    open_task(page, number, ACCEPT)
    page.select_option("#f-category", "ethics")
    page.fill("#f-acceptance_note", "家长来电，已记录")
    page.click("form.sf-task-form button[type=submit]")  # no case item, no date
    assert page.locator("#form-errors").is_visible()
    assert page.locator("#f-category_item-error").inner_text() == "此项必填。"
    assert page.locator("#f-category_item").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "f-category_item"  # the keyboard is there already
    assert page.input_value("#f-acceptance_note") == "家长来电，已记录"
    assert page.input_value("#f-category") == "ethics"
    shot(page, "task-form-error")
    page.select_option("#f-category_item", "ethics_punishment")
    page.fill("#f-accepted_on", "2026-12-01")
    submit(page)
    assert number in page.locator("[role=status]").inner_text()  # "submitted: case …"
    assert row_of(page, number, ACCEPT).count() == 0


def test_second_user_sees_conflict_page(sign_in, demo):
    number = demo.case["covered"]
    first, second = sign_in("lingdao"), sign_in("xiaowei")
    for page, who in ((first, "鲁校长"), (second, "陈老师")):
        open_task(page, number, TELL)
        page.fill("#f-leader_instruction", f"请督察室牵头调查（{who}）")
    submit(first)
    second.click("form.sf-task-form button[type=submit]")
    second.wait_for_load_state()
    conflict = second.locator("[data-testid=conflict]").inner_text()
    assert "已由 校领导 鲁校长" in conflict  # who was first
    assert second.locator(f"[data-testid=case-link][href$='/cases/{number}']").count() == 1
    assert "请督察室牵头调查（陈老师）" in second.locator("[data-testid=typed]").inner_text()  # nothing lost


def test_case_page_marks_current_task_and_hides_from_the_accused(sign_in, demo):
    page = sign_in("diaocha")
    number = demo.case["overdue"]
    page.goto(f"/cases/{number}")
    page.wait_for_selector("[data-testid=case-diagram] [data-element-id=investigate].sf-current")
    assert page.locator("[data-testid=case-diagram] [data-element-id=investigate].sf-overdue").count() == 1
    assert page.locator("[data-testid=case-diagram] [data-element-id=accept].sf-done").count() == 1
    assert page.locator("[data-testid=case-diagram] [data-element-id=decide].sf-current").count() == 0
    start_form = page.locator(".sf-data").first.inner_text()
    assert "电话投诉" in start_form and "phone" not in start_form  # a choice by its name, not its id
    shot(page, "case-page")
    accused = sign_in("zhang_teacher")
    assert accused.goto(f"/cases/{number}").status == 404
    assert accused.goto("/cases/TS-2099-999999").status == 404
    task_link = page.locator(".sf-waiting a").first.get_attribute("href")
    assert accused.goto(task_link).status == 404  # the task page too


def test_switch_to_english_is_remembered(sign_in):
    page = sign_in("jiefang")
    page.click("form.sf-language button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "My tasks"
    page.click("form[action$='/logout'] button")
    page.wait_for_load_state()
    page.fill("#username", "jiefang")
    page.fill("#password", "demo-pass-2026")
    page.click("form.sf-login button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("h1").inner_text() == "My tasks"
    page.click("form.sf-language button[value=zh_Hans_CN]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "我的待办"


def test_inbox_at_375_px(sign_in):
    page = sign_in("ducha", width=375, height=740)
    assert page.locator("[data-testid=task-row]").count() >= 2
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 375, f"the inbox is {scroll} px wide at a 375 px screen"
    first = page.locator("[data-testid=task-row] a.sf-task-name").first
    box = first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    shot(page, "inbox-phone")


def test_a_complaint_from_start_to_end_by_every_role(sign_in, browser, demo_server):
    """The README's promise: each role does its part in the browser, some on a phone, one in English."""
    ducha = sign_in("ducha")
    ducha.goto("/start/")
    ducha.click("a[href$='/start/p2_complaint']")
    ducha.wait_for_load_state()
    fill(ducha, {"complainant_name": "王先生", "complainant_phone": "13900000000", "channel": "来访投诉",
                 "accused_department": "初二年级组", "accused_name": "张老师", "accused_user": "zhang_teacher",
                 "title": "作业批改不及时", "complaint_detail": "孩子的作业两周未批改。"})
    ducha.click("form.sf-task-form button[type=submit]")
    ducha.wait_for_load_state()
    number = ducha.locator("[data-testid=slip-number]").inner_text()
    code = ducha.locator("[data-testid=slip-code]").inner_text()
    assert re.fullmatch(r"TS-\d{4}-\d{6}", number) and len(code) >= 12
    steps = [
        ("ducha", 1280, ACCEPT, {"category": "违反劳动纪律", "category_item": "二3 工作时间不在岗，擅离职守",
                                 "accepted_on": "2026-12-01", "acceptance_note": "予以受理"}),
        ("lingdao", 375, TELL, {"leader_instruction": "请调查"}),
        ("ducha", 1280, "初步电话回复", {"prelim_reply_note": "已告知受理", "prelim_reply_on": "2026-12-01"}),
        ("diaocha", 375, INVESTIGATE, {"outcome": "调查完毕，提交调查结果", "findings": "属实",
                                       "complainant_statement": "已听取", "accused_statement": "已听取"}),
        ("ducha", 1280, "书面报告领导", {"report_text": "调查属实"}),
        ("lingdao", 375, "领导对处理结果提出意见", {"leader_opinion": "同意"}),
        ("xiaowei", 1280, "校委会研究处理意见", {"substantiated": True, "decision": "责成整改",
                                                "sanction": "个人书面检查"}),
        ("diaocha", "en", "致歉与整改", {"apology_made": True, "correction": "已致歉", "preventive_measure": "改进工作方法"}),
        ("ducha", 1280, "电话通报处理结果", {"call_record": "家长满意", "resolved": True}),
        ("ducha", 1280, "记录建档", {"archive_summary": "已办结"}),
    ]
    for user, width, task, answers in steps:
        english = width == "en"  # this one in English, on a phone
        width = 375 if english else width
        page = ducha if (user, width) == ("ducha", 1280) else sign_in(user, width=width, height=740)
        if english:
            page.click("form.sf-language button[value=en]")
            page.wait_for_load_state()
        open_task(page, number, task)
        fill(page, answers)
        submit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if english:
            assert page.locator("[role=status]").inner_text() == f"Submitted: case {number}."
            page.click("form.sf-language button[value=zh_Hans_CN]")
            page.wait_for_load_state()
    ducha.goto(f"/cases/{number}")
    assert ducha.locator("[data-testid=case-status]").inner_text() == "已办结"
    timeline = ducha.locator("[data-testid=timeline]").inner_text()
    assert "校委会委员 陈老师" in timeline and "xiaowei" not in timeline
    # the complainant follows it with the slip's code
    base, _ = demo_server
    ctx = browser.new_context(base_url=base, viewport={"width": 375, "height": 740}, locale="zh-CN")
    try:
        public = ctx.new_page()
        public.goto("/track")
        public.fill("#case_number", number)
        public.fill("#code", code)
        public.click("form.track-form button[type=submit]")
        public.wait_for_load_state()
        text = public.locator("main").inner_text()
        assert "已办结" in text and "投诉人满意，问题圆满解决" in text and "是" in text
        assert "王先生" not in text and "ducha" not in text
    finally:
        ctx.close()


def test_signing_in_by_keyboard_alone_and_every_input_has_a_label(browser, demo_server, demo):
    base, _ = demo_server
    ctx = browser.new_context(base_url=base, viewport={"width": 375, "height": 740}, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto("/login")
        page.keyboard.type("ducha")  # the user name field has the focus
        page.keyboard.press("Tab")
        page.keyboard.type("demo-pass-2026")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "我的待办"
        for path in ("/", "/start/p2_complaint", "/covers/", "/cases/"):
            page.goto(path)
            unlabelled = page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
                .filter(e => e.type !== 'hidden' && e.type !== 'radio' && e.labels.length === 0
                             && !e.getAttribute('aria-label')).map(e => e.name || e.id)""")
            assert unlabelled == [], f"{path}: {unlabelled}"
        open_task(page, demo.case["waiting_too"], ACCEPT)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('form.sf-task-form input, form.sf-task-form select, form.sf-task-form textarea')]
            .filter(e => e.type !== 'hidden' && e.labels.length === 0).map(e => e.name)""")
        assert unlabelled == []
    finally:
        ctx.close()
