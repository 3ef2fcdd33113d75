"""The modeler speaks Chinese in the Chinese UI: the properties panel's group headers, help texts and
type labels, the lint badge, and the token simulation's toggle, buttons and log (the library hard-codes
its English; webui/frontend/hard-coded-zh.js passes it through the translate table). A user who
chose English keeps the libraries' English.

What is checked is what an administrator sees on the elements of the archive-access procedure (a user
task with every properties group open, the gateway, a flow, the start event, the process) and during a
simulated run.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import shot

KEY = "p1_archive_access"
# English that may stay: ids and expressions the file itself holds, units of the BPMN standard.
ALLOWED = re.compile(r"^(?:[\w.:-]*_[\w.:-]*|[\w]+\(.*\)|\$\{.*\}|#\{.*\}|BPMN|ID|Camunda|Java|ISO|EL|FEEL|"
                     r"Python|URL|JSON|XML|ms|P\d+\w*|true|false|[A-Z]\d*)$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")  # a form field's or a variable's id, from the file
# Hard-coded in a library and only a tooltip: the bpmn.io logo's, and element templates' "Select"
# button (whose visible word, 选择, is translated).
LEFT_IN_ENGLISH = {"Powered by bpmn.io", "Select a template"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z' ]{2,}[A-Za-z]")


def open_modeler(page) -> None:
    page.goto(f"/procedures/{KEY}/1/edit")
    expect(page.locator("[data-sf-modeler]")).to_have_attribute("data-sf-ready", "true")


def open_all_groups(page) -> None:
    page.evaluate("() => document.querySelectorAll('.bio-properties-panel-group-header:not(.open)')"
                  ".forEach(h => h.click())")


def english_on(page, *, element_id: str | None) -> set[str]:
    """The English phrases the modeler shows (text and tooltips), on the element selected."""
    if element_id:
        # The middle of a flow's line, or a shape's label-free corner: a lane's hit area covers the
        # centre of what lies in it, and a flow's bounding box need not touch the flow.
        x, y = page.evaluate("""id => {
            const g = document.querySelector(`g.djs-element[data-element-id="${id}"]`);
            const hit = g.querySelector('.djs-hit');
            const m = hit.getScreenCTM();
            let p;
            if (hit.getTotalLength && g.classList.contains('djs-connection')) {
                p = hit.getPointAtLength(hit.getTotalLength() / 2);
            } else {
                const b = hit.getBBox();
                p = { x: b.x + 6, y: b.y + 6 };
            }
            return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f];
        }""", element_id)
        page.mouse.click(x, y)
        expect(page.locator(".bio-properties-panel-header-label")).to_be_visible()
    else:
        canvas = page.locator(".djs-container > svg")
        box = canvas.bounding_box()
        canvas.click(position={"x": box["width"] / 2, "y": box["height"] - 15})
    open_all_groups(page)
    texts = page.evaluate("""() => {
        const root = document.querySelector('[data-sf-modeler]');
        const out = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, el = node.parentElement;
            if (!el || el.closest('svg text, textarea, [contenteditable], .bjs-powered-by, script, style')) continue;
            if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
            out.push(node.textContent);
        }
        root.querySelectorAll('[title]').forEach(el => out.push(el.getAttribute('title')));
        root.querySelectorAll('input[placeholder]').forEach(el => out.push(el.getAttribute('placeholder')));
        return out;
    }""")
    values = set(page.evaluate("""() => [...document.querySelectorAll('[data-sf-modeler] input, [data-sf-modeler] select')]
        .flatMap(el => [el.value, ...(el.options ? [] : [])])"""))
    found = set()
    for text in texts:
        text = text.strip()
        if not text or text in values or IDENTIFIER.match(text) or text in LEFT_IN_ENGLISH or CHINESE.search(text):
            continue  # a translation keeps examples such as ${add_working_days(7)}
        for word in WORD.findall(text):
            if not ALLOWED.match(word.strip()):
                found.add(text)
    return found


def test_the_modeler_shows_no_english_in_the_chinese_ui(sign_in):
    page = sign_in("admin")
    open_modeler(page)
    seen: dict[str, set[str]] = {}
    for element in ("apply", "gw_approved", "f_gw_approved_supervise", "start", "lane_head",
                    "pool_p1_archive_access", None):
        seen[element or "process"] = english_on(page, element_id=element)
    shot(page, "modeler-zh-process")
    expect(page.locator(".bjsl-button")).to_contain_text(re.compile("没有问题|个错误"))
    page.locator(".bts-toggle-mode").click()
    expect(page.locator(".bts-toggle-mode")).to_have_text("流程模拟")
    seen["simulation"] = english_on(page, element_id=None)
    shot(page, "modeler-zh-simulation")
    assert {k: v for k, v in seen.items() if v} == {}


def test_a_user_who_chose_english_keeps_the_libraries_english(sign_in):
    page = sign_in("admin")
    page.goto("/tasks/")
    page.click("form.sf-language button[value=en]")
    page.wait_for_load_state()
    try:
        open_modeler(page)
        expect(page.locator(".bts-toggle-mode")).to_have_text("Token Simulation")
        expect(page.locator(".bjsl-button")).to_contain_text(re.compile("No Issues|Errors"))
        page.locator("g.djs-element[data-element-id=apply] .djs-hit").first.click(position={"x": 6, "y": 6})
        expect(page.locator(".bio-properties-panel-header-type")).to_have_text(re.compile("user task", re.I))
    finally:
        page.goto("/tasks/")
        page.click("form.sf-language button[value=zh_Hans_CN]")
