"""What each demo role sees and does in a real browser on a real server (the demo data of scripts/demo.sh).

Demo cases (cli.demo_cases): TS-2026-000001/2/4 wait for acceptance by 督察室 (ducha), 3 for ducha's
first reply; 5 waits for 告知相关领导 by lingdao, whom xiaowei covers this week. zhang_teacher is the
accused in every case.
"""
from __future__ import annotations

from tests.browser.conftest import shot

ACCEPT = "受理建档"
TELL = "告知相关领导"


def rows(page) -> list[str]:
    return [r.inner_text() for r in page.locator("[data-testid=task-row]").all()]


def test_each_role_sees_its_own_tasks(sign_in):
    ducha = sign_in("ducha")
    mine = rows(ducha)
    assert sum(ACCEPT in r for r in mine) == 3 and not any(TELL in r for r in mine)
    assert any("TS-2026-000003" in r and "初步电话回复" in r for r in mine)
    shot(ducha, "inbox")
    lingdao = rows(sign_in("lingdao"))
    assert sum(TELL in r for r in lingdao) == 1 and not any(ACCEPT in r for r in lingdao)
    covering = rows(sign_in("xiaowei"))  # covers lingdao this week
    assert any("TS-2026-000005" in r and TELL in r for r in covering)
    assert rows(sign_in("zhang_teacher")) == []  # the accused sees none of the cases about him


def test_form_error_keeps_typed_values_then_submits(sign_in):
    page = sign_in("ducha")
    page.click("tr:has-text('TS-2026-000001') a.sf-task-name")
    if page.locator("form[action$='/claim'] button").count():
        page.click("form[action$='/claim'] button")  # a queue task is claimed first
        page.wait_for_load_state()
        assert page.locator("form[action$='/unclaim']").count() == 1
    page.select_option("#f-category", "ethics")
    page.fill("#f-acceptance_note", "家长来电，已记录")
    page.click("form.sf-task-form button[type=submit]")  # no case item, no date
    assert page.locator("#form-errors").is_visible()
    assert page.locator("#f-category_item-error").is_visible()
    assert page.input_value("#f-acceptance_note") == "家长来电，已记录"
    assert page.input_value("#f-category") == "ethics"
    shot(page, "task-form-error")
    page.select_option("#f-category_item", "ethics_punishment")
    page.fill("#f-accepted_on", "2026-12-01")
    page.click("form.sf-task-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#form-errors").count() == 0
    page.goto("/")
    assert not any("TS-2026-000001" in r and ACCEPT in r for r in rows(page))


def test_second_user_sees_conflict_page(sign_in):
    first, second = sign_in("lingdao"), sign_in("xiaowei")
    for page in (first, second):
        page.click("tr:has-text('TS-2026-000005') a.sf-task-name")
        page.fill("#f-leader_instruction", f"请督察室牵头调查（{page is first}）")
    first.click("form.sf-task-form button[type=submit]")
    first.wait_for_load_state()
    second.click("form.sf-task-form button[type=submit]")
    second.wait_for_load_state()
    assert second.locator("a[href*='/cases/TS-2026-000005']").count() >= 1  # a link to the case
    assert "请督察室牵头调查（False）" in second.content()  # what they typed is shown back


def test_case_page_marks_current_task_and_hides_from_the_accused(sign_in):
    page = sign_in("ducha")
    page.goto("/cases/TS-2026-000005")
    page.wait_for_selector("[data-testid=case-diagram] .sf-current")
    shot(page, "case-page")
    accused = sign_in("zhang_teacher")
    assert accused.goto("/cases/TS-2026-000005").status == 404
    assert accused.goto("/cases/TS-2099-999999").status == 404


def test_switch_to_english_is_remembered(sign_in):
    page = sign_in("jiefang")
    page.click("form.sf-language button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"


def test_inbox_at_375_px(sign_in):
    page = sign_in("ducha", width=375, height=740)
    assert page.locator("[data-testid=task-row]").count() >= 2
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 375, f"the inbox is {scroll} px wide at a 375 px screen"
    shot(page, "inbox-phone")
