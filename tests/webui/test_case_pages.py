"""The case page (/cases/<case number>), my cases (/cases/) and duty cover (/covers/) in the browser's
place: Flask's test client, signed in as each person."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.webui.conftest import page_token, sign_in

SHANGHAI_OFFSET = "+08:00"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def accused_case(harness, staff):
    """exclude.bpmn: a complaint against dan, who is in the staff group that investigates it."""
    harness.deploy("exclude.bpmn")
    staff("eve", "staff")
    staff("dan", "staff")
    staff("sue", "office")  # a stranger to the case
    staff("root", admin=True)
    iid = harness.start("complaint", "eve", {"accused": "dan"})
    return harness.show(iid)["case_number"]


@pytest.mark.parametrize("who, status", [("eve", 200), ("root", 200), ("dan", 404), ("sue", 404)])
def test_only_people_who_may_see_the_case_open_its_page(client, accused_case, who, status):
    sign_in(client, who)
    page = client.get(f"/cases/{accused_case}")
    assert page.status_code == status
    assert client.get(f"/cases/{accused_case}/diagram.bpmn").status_code == status
    if status == 200:
        assert accused_case in text(page) and "Investigate" in text(page)


def test_the_accused_gets_the_same_answer_as_for_a_case_that_does_not_exist(client, accused_case):
    sign_in(client, "dan")
    refused = client.get(f"/cases/{accused_case}")
    missing = client.get("/cases/TS-2026-999999")
    assert refused.status_code == missing.status_code == 404
    # The pages differ only in the address echoed back (the language switch returns to it), and in the
    # CSRF token, which carries the second it was made in.
    def same(page: str) -> str:
        return re.sub(r'(content|value)="[A-Za-z0-9._-]{40,}"', r'\1="TOKEN"', page)
    assert same(text(refused).replace(accused_case, "TS-2026-999999")) == same(text(missing))


def test_signed_out_visitors_are_sent_to_sign_in(client, accused_case):
    response = client.get(f"/cases/{accused_case}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_diagram_is_marked_with_done_current_and_overdue_steps(client, harness, staff):
    harness.deploy("deadlines.bpmn")
    staff("ann", "office")
    number = harness.show(harness.start("deadlines", "ann"))["case_number"]
    harness.do("ann", "No deadline")
    harness.clock.advance(days=1)  # "Soon" was due on 1 October at 09:00
    sign_in(client, "ann")
    page = text(client.get(f"/cases/{number}"))
    found = re.search(r"data-sf-marks='([^']*)'", page)
    assert found, "the page hands the marks to the viewer in data-sf-marks"
    marks = json.loads(found.group(1))
    assert marks["done"] == ["start", "fork", "no_deadline"]
    assert sorted(marks["current"]) == ["later", "middle", "soon"] and marks["overdue"] == ["soon"]
    assert f'data-sf-bpmn-url="/cases/{number}/diagram.bpmn"' in page
    assert "<script>" not in page and "vendor/viewer.css" in page and "js/case_diagram.js" in page
    xml = client.get(f"/cases/{number}/diagram.bpmn")
    assert xml.mimetype == "application/xml" and b'id="deadlines"' in xml.data


def test_the_case_page_shows_the_data_by_form_and_who_did_what(client, harness, staff):
    harness.deploy("form.bpmn")
    staff("rita", "reception")
    staff("sam", "reception")
    number = harness.show(harness.start("visit", "rita"))["case_number"]
    harness.clock.advance(minutes=5)
    harness.do("sam", "Register visitor", {"visitor": "张伟", "party_size": 2, "purpose": "delivery",
                                           "has_car": True})
    sign_in(client, "rita")
    page = text(client.get(f"/cases/{number}"))
    assert "办理中" in page and "Visitor registration" in page
    assert re.search(r"<dt>Purpose</dt>\s*<dd>Delivery</dd>", page)
    assert re.search(r"<dt>Arrives by car\?</dt>\s*<dd>是</dd>", page)
    timeline = page[page.index('data-testid="timeline"'):]
    assert re.search(r"2026-09-30 10:05</time>\s*<span class=\"sf-what\">办理完成: Register visitor", timeline)
    assert '<span class="sf-who-did">sam' in timeline


def test_my_cases_lists_started_and_acted_on_cases_and_searches_by_number(client, harness, staff):
    harness.deploy("simple.bpmn")
    staff("ann", "office")
    staff("bob", "office")
    numbers = [harness.show(harness.start("simple", "ann"))["case_number"] for _ in range(3)]
    first = next(t for t in harness.tasks("bob") if t["case_number"] == numbers[0])
    harness.complete(first["id"], "bob", {"approved": True})
    sign_in(client, "bob")
    page = text(client.get("/cases/"))
    assert numbers[0] in page and numbers[1] not in page and "已办结" in page
    client.post("/logout", data={"csrf_token": page_token(client, "/cases/")})
    sign_in(client, "ann")
    page = text(client.get("/cases/"))
    assert all(n in page for n in numbers)
    found = text(client.get("/cases/", query_string={"q": numbers[1][-6:]}))
    assert numbers[1] in found and numbers[0] not in found and numbers[2] not in found
    assert f'value="{numbers[1][-6:]}"' in found  # the search stays in the box
    nothing = text(client.get("/cases/", query_string={"q": "XX-0000"}))
    assert "XX-0000" in nothing and numbers[0] not in nothing
    open_only = text(client.get("/cases/", query_string={"which": "open"}))
    assert numbers[0] not in open_only and numbers[1] in open_only


def arrange(client, **fields):
    data = {"csrf_token": page_token(client, "/covers/"), "substitute": "", "starts": "", "ends": "",
            "reason": "", **fields}
    return client.post("/covers/", data=data)


@pytest.fixture
def office(staff):
    staff("ma", "reception")
    staff("li", "reception")
    staff("root", admin=True)


def test_arranging_my_cover_lists_it_and_the_colleague_sees_my_tasks(client, harness, office):
    sign_in(client, "ma")
    done = arrange(client, substitute="li", starts="2026-09-30T14:00", ends="2026-09-30T16:00", reason="临时离岗")
    assert done.status_code == 303
    page = text(client.get(done.headers["Location"]))
    assert "已安排代岗" in page or "代岗已安排" in page
    assert re.search(r"<td[^>]*>ma</td>\s*<td[^>]*>li</td>\s*<td[^>]*>2026-09-30 14:00</td>\s*"
                     r"<td[^>]*>2026-09-30 16:00</td>\s*<td[^>]*>临时离岗</td>", page)
    with harness.ReadSession() as s:
        from engine.people import substitution
        (cover,) = substitution.list_covers(s, now=harness.clock.now(), involving="ma")
    assert (cover.substitute, cover.starts_at.isoformat()) == ("li", "2026-09-30T06:00:00+00:00")


def test_a_refused_cover_shows_the_reason_by_the_field_and_keeps_what_was_typed(client, harness, office):
    sign_in(client, "ma")
    refused = arrange(client, substitute="li", starts="2026-10-08T16:00", ends="2026-10-08T14:00",
                      reason="开会")
    assert refused.status_code == 422
    page = text(refused)
    assert re.search(r'id="ends-error">[^<]*结束时间', page)
    assert 'value="2026-10-08T16:00"' in page and 'value="2026-10-08T14:00"' in page and 'value="开会"' in page
    assert re.search(r'<option value="li" selected>', page)
    missing = text(arrange(client, substitute="", starts="", ends="tomorrow"))
    assert re.search(r'id="substitute-error">[^<]+', missing) and re.search(r'id="ends-error">[^<]+', missing)
    assert 'value="tomorrow"' in missing
    itself = text(arrange(client, substitute="ma", starts="2026-10-08", ends="2026-10-09"))
    assert re.search(r'id="substitute-error">[^<]+', itself)
    with harness.ReadSession() as s:
        from engine.people import substitution
        assert substitution.list_covers(s, now=harness.clock.now(), include_past=True) == []


def test_a_clash_with_an_existing_cover_is_refused(client, harness, office):
    start = harness.clock.now() + timedelta(days=1)
    harness.cover("ma", "li", start, start + timedelta(hours=4))
    sign_in(client, "ma")
    clash = arrange(client, substitute="li", starts="2026-10-01T09:00", ends="2026-10-01T18:00")
    assert clash.status_code == 422
    assert re.search(r'id="starts-error">[^<]+', text(clash))


def test_only_an_administrator_arranges_someone_elses_cover(client, harness, office):
    sign_in(client, "li")
    # A user field from a non-administrator is ignored: the cover is li's own.
    arrange(client, user="ma", substitute="root", starts="2026-10-08", ends="2026-10-09")
    client.post("/logout", data={"csrf_token": page_token(client, "/covers/")})
    sign_in(client, "root")
    assert 'id="user"' in text(client.get("/covers/"))
    done = arrange(client, user="ma", substitute="li", starts="2026-10-12", ends="2026-10-13")
    assert done.status_code == 303
    with harness.ReadSession() as s:
        from engine.people import substitution
        covers = substitution.list_covers(s, now=harness.clock.now())
    assert [(c.user, c.substitute, c.created_by) for c in covers] == [
        ("li", "root", "li"), ("ma", "li", "root")]


def test_cancelling_my_cover_ends_it_and_someone_elses_is_not_found(client, harness, office):
    start = harness.clock.now() + timedelta(days=1)
    mine = harness.cover("ma", "li", start, start + timedelta(hours=4))
    sign_in(client, "li")
    token = page_token(client, "/covers/")
    assert client.post(f"/covers/{mine}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.post("/covers/999/cancel", data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "ma")
    assert client.post(f"/covers/{mine}/cancel").status_code == 400  # no CSRF token: refused
    token = page_token(client, "/covers/")
    done = client.post(f"/covers/{mine}/cancel", data={"csrf_token": token})
    assert done.status_code == 303
    again = client.post(f"/covers/{mine}/cancel", data={"csrf_token": token})
    assert again.status_code == 409
    with harness.ReadSession() as s:
        from engine.people import substitution
        (cover,) = substitution.list_covers(s, now=harness.clock.now(), include_past=True)
    assert cover.state(harness.clock.now()) == "cancelled"


def test_the_cover_page_lays_out_at_phone_width_without_inline_code(client, office):
    sign_in(client, "ma")
    response = client.get("/covers/")
    page = text(response)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
    assert '<label for="substitute">' in page and '<label for="starts">' in page
