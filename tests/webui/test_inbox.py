"""My tasks: who sees which task, the filters and their counts, marks, search, sort, keyset pages."""
from __future__ import annotations

import re

from tests.webui.conftest import csrf_token, sign_in


def _numbers(html: str) -> list[str]:
    return re.findall(r'class="sf-case-number" href="/tasks/[^"]+">([^<]+)</a>', html)


def _marks(html: str) -> dict[str, str]:
    """Task name -> the row's class (sf-overdue, sf-due-soon or nothing)."""
    rows = re.findall(r'<tr class="([^"]*)" data-testid="task-row">(.*?)</tr>', html, flags=re.S)
    return {re.search(r'class="sf-task-name"[^>]*>([^<]*)<', body).group(1): cls for cls, body in rows}


def _count(html: str, view: str) -> int:
    return int(re.search(rf'data-testid="count-{view}">(\d+)<', html).group(1))


def test_each_person_sees_their_own_tasks_and_their_groups_queue(client, staff, harness):
    harness.deploy("form.bpmn")
    harness.deploy("exclude.bpmn")
    staff("ma", "reception")
    staff("li", "staff")
    staff("zhao", "staff")
    harness.start("visit", "ma")
    harness.start("complaint", "ma", {"accused": "zhao"})
    sign_in(client, "ma")
    html = client.get("/tasks/").get_data(as_text=True)
    assert "Register visitor" in html and "Investigate" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks/")})
    sign_in(client, "li")
    html = client.get("/tasks/").get_data(as_text=True)
    assert "Investigate" in html and "Register visitor" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks/")})
    sign_in(client, "zhao")  # the accused: the complaint about them is not in their list
    html = client.get("/tasks/").get_data(as_text=True)
    assert "Investigate" not in html and "目前没有等待您办理的事项" in html


def test_filters_show_their_counts_and_keep_the_choice_for_the_refresh(client, staff, harness):
    harness.deploy("form.bpmn")
    staff("ma", "reception")
    for _ in range(3):
        harness.start("visit", "ma")
    first = harness.tasks("ma")[0]["id"]
    with harness.Session.begin() as s:
        from engine import runtime
        runtime.claim_task(s, first, user="ma", clock=harness.clock)
    sign_in(client, "ma")
    html = client.get("/tasks/").get_data(as_text=True)
    assert (_count(html, "all"), _count(html, "mine"), _count(html, "queue"), _count(html, "overdue")) == (3, 1, 2, 0)
    mine = client.get("/tasks/?view=mine").get_data(as_text=True)
    assert len(_numbers(mine)) == 1 and 'class="sf-badge">我的' in mine
    # the poll asks for the same filter, and gets only the list back
    assert 'hx-get="/tasks/?view=mine' in mine and 'hx-trigger="every 30s"' in mine
    fragment = client.get("/tasks/?view=mine", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and len(_numbers(fragment.get_data(as_text=True))) == 1
    assert "HX-Request" in fragment.headers["Vary"]


def test_case_number_search_finds_one_case(client, staff, harness):
    harness.deploy("exclude.bpmn")
    staff("li", "staff")
    numbers = [harness.start_tracked("complaint", "li", {"accused": "x"})[1] for _ in range(3)]
    sign_in(client, "li")
    html = client.get(f"/tasks/?q={numbers[1].lower()}").get_data(as_text=True)
    assert _numbers(html) == [numbers[1]]
    assert _count(html, "all") == 1


def test_overdue_and_due_soon_marks_follow_the_school_calendar(client, staff, harness, clock):
    harness.deploy("deadlines.bpmn")
    staff("ma", "office")
    harness.start("deadlines", "ma")
    # Wednesday 30 September 10:00. "Soon" is due 1 October 09:00: National Day is no working day, so
    # it falls within one working day; "Later" (20 October) does not; "No deadline" never.
    sign_in(client, "ma")
    marks = _marks(client.get("/tasks/").get_data(as_text=True))
    assert marks["Soon"] == "sf-due-soon" and marks["Later"] == "" and marks["No deadline"] == ""
    clock.advance(days=1, hours=1)  # 1 October 11:00: "Soon" is overdue now
    html = client.get("/tasks/?view=overdue").get_data(as_text=True)
    assert _marks(html) == {"Soon": "sf-overdue"} and "已超期" in html
    assert _count(html, "overdue") == 1 and _count(html, "all") == 4


def test_due_times_are_shown_in_the_school_time_zone_in_force(client, staff, harness, clock):
    harness.deploy("deadlines.bpmn")
    staff("ma", "office")
    harness.start("deadlines", "ma")
    sign_in(client, "ma")
    soon = re.compile(r'>Soon</a>.*?data-label="[^"]+">([0-9-]+ [0-9:]+)', flags=re.S)
    assert soon.search(client.get("/tasks/").get_data(as_text=True)).group(1) == "2026-10-01 09:00"
    with harness.Session.begin() as s:
        from engine.people.settings_changes import set_setting
        set_setting(s, "time_zone", "Europe/London", clock=clock)
    # the same moment (01:00 UTC), now read on a London clock; the htmx refresh shows it the same way
    assert soon.search(client.get("/tasks/").get_data(as_text=True)).group(1) == "2026-10-01 02:00"
    fragment = client.get("/tasks/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert soon.search(fragment).group(1) == "2026-10-01 02:00"


def test_sort_by_priority_and_keyset_pages(client, staff, harness, app):
    from webui.tasks import routes

    harness.deploy("form.bpmn")
    staff("ma", "reception")
    for _ in range(5):
        harness.start("visit", "ma")
    routes.PAGE_SIZE, old = 2, routes.PAGE_SIZE
    try:
        sign_in(client, "ma")
        seen: list[str] = []
        url = "/tasks/"
        while url:
            html = client.get(url).get_data(as_text=True)
            seen += re.findall(r'class="sf-case-number" href="/tasks/([0-9a-f-]{36})">', html)
            nxt = re.search(r'href="(/tasks/\?[^"]*after=[^"]+)" rel="next"', html)
            url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert len(seen) == 5 and len(set(seen)) == 5  # every task once, none twice
        bad = client.get("/tasks/?after=garbage").get_data(as_text=True)
        assert "该翻页链接已失效" in bad
    finally:
        routes.PAGE_SIZE = old


def test_covered_tasks_name_the_colleagues_by_the_names_they_are_known_by(app, client, staff, harness, clock):
    from engine import runtime
    from engine.people import substitution, users

    harness.deploy("form.bpmn")
    staff("ma", "reception")
    staff("li", "reception")
    staff("wang", "staff")
    with harness.Session.begin() as s:
        users.add_user(s, "ma", clock=clock, display_name="接待室 马老师")
    harness.start("visit", "ma")
    harness.start("visit", "ma")
    first, second = (t["id"] for t in harness.tasks("ma"))
    with harness.Session.begin() as s:
        runtime.claim_task(s, first, user="ma", clock=clock)
        runtime.claim_task(s, second, user="li", clock=clock)  # li has no display name: shown as li
        for absent in ("ma", "li"):
            substitution.arrange(s, absent, "wang", clock.now(), clock.now().replace(hour=23), clock=clock)
    sign_in(client, "wang")
    html = client.get("/tasks/?view=covered").get_data(as_text=True)
    assert sorted(re.findall(r'sf-badge-cover">([^<]+)<', html)) == ["代 li", "代 接待室 马老师"]
