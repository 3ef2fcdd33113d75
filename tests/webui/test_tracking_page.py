"""The public tracking page /track: case number and code in, progress and result out, in Chinese."""
from __future__ import annotations

import re

import pytest

from tests.webui.conftest import csrf_token

START = {"summary": "孩子被罚站两节课", "phone": "13800000000"}


@pytest.fixture
def case(harness):
    """tests/data/tracking.bpmn deployed and one case started; returns (case number, tracking code)."""
    harness.deploy("tracking.bpmn")
    harness.user("wang_zhuren", "王主任")
    harness.user("li_diaocha", "调查组")
    _, number, code = harness.start_tracked("tracked", "wang_zhuren", START)
    return number, code


def look_up(client, number: str, code: str):
    return client.post("/track", data={"csrf_token": csrf_token(client), "case_number": number, "code": code})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_get_shows_the_form_in_chinese(client):
    response = client.get("/track")
    assert response.status_code == 200
    page = text(response)
    assert '<html lang="zh-CN">' in page
    assert "案件编号" in page and "查询码" in page and 'name="csrf_token"' in page
    assert "cdn" not in page.lower() and 'href="/static/style.css"' in page
    assert response.headers["Cache-Control"] == "no-store"
    with client.get("/static/style.css") as style:  # served from the app itself
        assert style.status_code == 200 and style.mimetype == "text/css"


def test_the_right_code_shows_the_progress_in_chinese(client, harness, case):
    number, code = case
    harness.clock.advance(hours=1)
    harness.do("wang_zhuren", "受理登记", {"internal_note": "家长情绪激动"})
    response = look_up(client, number, code)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert f"案件编号 {number}" in page
    assert "处理中" in page and "受理时间</dt><dd>2026-09-30 10:00" in page
    steps = re.findall(r'<li class="(done|waiting)">\s*<span class="stage-name">([^<]+)</span>\s*'
                       r'<span class="stage-state">([^<]+)</span>', page)
    assert steps == [("done", "受理登记", "已完成"), ("waiting", "调查核实", "办理中")]
    assert "当前环节</dt><dd>调查核实" in page
    assert "<dt>投诉事项</dt><dd>孩子被罚站两节课</dd>" in page
    for hidden in ("wang_zhuren", "王主任", "调查组", "家长情绪激动", "13800000000", code):
        assert hidden not in page


def test_the_result_appears_once_the_reply_is_given(client, harness, case):
    number, code = case
    assert "答复内容" not in text(look_up(client, number, code))
    harness.do("wang_zhuren", "受理登记", {})
    harness.do("li_diaocha", "调查核实", {"findings": "查明属实"})
    harness.clock.advance(days=1)
    harness.do("wang_zhuren", "答复家长", {"reply": "已约谈老师并整改", "outcome": "partly"})
    page = text(look_up(client, number, code))
    assert "已办结" in page and "办结时间</dt><dd>2026-10-01 10:00" in page
    assert "<dt>答复内容</dt><dd>已约谈老师并整改</dd>" in page
    assert "<dt>处理结果</dt><dd>部分解决</dd>" in page
    assert "查明属实" not in page


@pytest.mark.parametrize("wrong", ["code", "number"])
def test_a_wrong_code_or_number_shows_the_same_error_and_keeps_what_was_typed(client, case, wrong):
    number, code = case
    typed_number, typed_code = (number, "0000-0000-0000") if wrong == "code" else ("TR-2026-000999", code)
    response = look_up(client, typed_number, typed_code)
    assert response.status_code == 404
    page = text(response)
    assert "案件编号或查询码不正确，请核对后重新输入。" in page
    assert f'name="case_number" value="{typed_number}"' in page
    assert f'name="code" value="{typed_code}"' in page
    assert "办理进度" not in page and "孩子被罚站两节课" not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_an_empty_field_is_asked_for(client, case):
    number, _ = case
    response = look_up(client, number, "  ")
    assert response.status_code == 400
    assert "请填写案件编号和查询码。" in text(response)
    assert f'value="{number}"' in text(response)


def test_a_post_without_a_valid_csrf_token_is_refused(client, case):
    number, code = case
    csrf_token(client)  # the browser has a session, but the form below is not ours
    for token in (None, "forged"):
        data = {"case_number": number, "code": code} | ({"csrf_token": token} if token else {})
        response = client.post("/track", data=data)
        assert response.status_code == 400
        page = text(response)
        assert "页面已过期或来源无效" in page and "孩子被罚站两节课" not in page
        assert response.headers["Cache-Control"] == "no-store"
    assert look_up(client, number, code).status_code == 200  # with the token it works


def test_what_complainants_and_visitors_type_is_escaped(client, harness):
    harness.deploy("tracking.bpmn")
    harness.user("wang_zhuren", "王主任")
    _, number, code = harness.start_tracked("tracked", "wang_zhuren",
                                            {"summary": '<script>alert("x")</script>&'})
    page = text(look_up(client, number, code))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in page
    page = text(look_up(client, '"><script>alert(1)</script>', code))
    assert "<script>" not in page and 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_pages_are_served_with_protective_headers(client):
    headers = client.get("/track").headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("field", ["number", "code"])
def test_an_over_long_value_is_refused_without_being_shown_back(client, case, field):
    """Issue #10, point 9: the server limits both fields, whatever the browser's maxlength says."""
    number, code = case
    long_value = "X" * 5000 + "<b>"
    typed = (long_value, code) if field == "number" else (number, long_value)
    response = look_up(client, *typed)
    page = text(response)
    assert response.status_code == 400
    assert "案件编号或查询码过长，请核对后重新输入。" in page
    assert "XXXXXXXXXX" not in page and "办理进度" not in page


def test_failed_lookups_from_one_address_are_limited_whichever_was_wrong(app, client, case):
    app.config["TRACK_LIMIT_PER_ADDRESS"] = "3 per 10 minutes"
    number, code = case
    for typed in ((number, "0000-0000-0000"), ("TS-2026-000999", code), (number, "1111-1111-1111")):
        assert look_up(client, *typed).status_code == 404
    blocked = look_up(client, number, code)  # even the right code, once the address is blocked
    page = text(blocked)
    assert blocked.status_code == 429 and "查询失败次数过多，请十分钟后再试。" in page
    assert "办理进度" not in page and code not in page and blocked.headers["Cache-Control"] == "no-store"
    other = app.test_client()  # another address is not affected
    answer = other.post("/track", data={"csrf_token": csrf_token(other, "/track"), "case_number": number,
                                        "code": code}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert answer.status_code == 200 and "办理进度" in text(answer)


def test_looking_up_ones_own_case_again_and_again_is_not_limited(app, client, case):
    app.config["TRACK_LIMIT_PER_ADDRESS"] = "2 per 10 minutes"
    number, code = case
    for _ in range(5):
        assert look_up(client, number, code).status_code == 200
