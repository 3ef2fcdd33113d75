"""The task page: the form from camunda:formData, validation that keeps what was typed, claim / unclaim /
complete as the engine allows, the conflict page, evidence uploads, and 404 for what one may not see."""
from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import MultiDict

from engine import runtime
from tests.webui.conftest import sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%fake but signed like a PDF\n"


def _token(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def visit(harness, staff):
    harness.deploy("form.bpmn")
    staff("ma", "reception")
    staff("li", "reception")
    staff("wang", "kitchen")
    harness.start("visit", "ma")
    return harness.tasks("ma")[0]["id"]


def test_the_form_shows_every_field_type_required_marks_and_readonly_values(client, visit):
    sign_in(client, "ma")
    html = client.get(f"/tasks/{visit}").get_data(as_text=True)
    assert re.search(r'<label for="f-visitor">Visitor name<span class="sf-required"', html)
    assert 'type="number" step="1"' in html and 'min="1"' in html and 'max="30"' in html
    assert 'type="checkbox" id="f-has_car"' in html
    assert 'type="date" id="f-visit_date"' in html
    assert '<option value="parent_meeting">Parent meeting</option>' in html
    assert 'type="file" id="f-id_scan"' in html
    assert '<p class="sf-readonly" id="f-office_note">set by the office</p>' in html
    assert 'name="office_note"' not in html  # a readonly field is never taken from the browser
    assert "认领" in html and "提交" in html


def test_invalid_answers_come_back_next_to_their_fields_with_everything_typed_kept(client, visit, harness):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    answer = client.post(f"/tasks/{visit}/complete", data={
        "csrf_token": token, "visitor": "X", "party_size": "lots", "has_car": "true", "visit_date": "2026-02-30",
        "purpose": "delivery"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'id="f-visitor-error">请至少填写 2 个字。<', html)
    assert re.search(r'id="f-party_size-error">请填写整数。<', html)
    assert re.search(r'id="f-visit_date-error">请填写日期', html)
    assert 'value="X"' in html and 'value="lots"' in html and 'value="2026-02-30"' in html
    assert '<option value="delivery" selected>' in html and 'id="f-has_car" name="has_car" value="true" checked' in html
    assert harness.tasks("ma")[0]["id"] == visit  # nothing was completed


def test_a_correct_submission_completes_the_task_and_records_the_data_by_form(client, visit, harness):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    answer = client.post(f"/tasks/{visit}/complete", data={
        "csrf_token": token, "visitor": "Zhang San", "party_size": "2", "has_car": "false",
        "purpose": "parent_meeting", "id_scan": ""})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/tasks/?done=")
    following = harness.tasks("ma")[0]
    assert following["name"] == "Check visit"
    html = client.get(f"/tasks/{following['id']}").get_data(as_text=True)
    assert "Register visitor" in html and "<dt>Visitor name</dt><dd>Zhang San</dd>" in html
    assert "<dt>Arrives by car?</dt><dd>否</dd>" in html


def test_a_ticked_checkbox_is_yes_although_the_page_also_posts_its_hidden_no(client, visit, harness):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    # what a browser posts for a ticked box: the hidden "false" first, then the checkbox's "true"
    answer = client.post(f"/tasks/{visit}/complete", data=MultiDict([
        ("csrf_token", token), ("visitor", "Zhang San"), ("party_size", "2"), ("has_car", "false"),
        ("has_car", "true"), ("purpose", "parent_meeting")]))
    assert answer.status_code == 302
    following = harness.tasks("ma")[0]
    html = client.get(f"/tasks/{following['id']}").get_data(as_text=True)
    assert "<dt>Arrives by car?</dt><dd>是</dd>" in html


def test_claim_and_unclaim_as_the_engine_allows_and_the_reason_for_others(app, client, visit):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    assert client.post(f"/tasks/{visit}/claim", data={"csrf_token": token}).status_code == 302
    html = client.get(f"/tasks/{visit}").get_data(as_text=True)
    assert "退回待认领" in html and f'action="/tasks/{visit}/claim"' not in html
    li = app.test_client()
    sign_in(li, "li")
    seen = li.get(f"/tasks/{visit}")
    html = seen.get_data(as_text=True)
    assert seen.status_code == 200 and "“Register visitor”已由 ma 认领" in html
    assert f'action="/tasks/{visit}/complete"' in html and ">提交</button>" not in html
    # li may not give ma's task back either: the engine refuses, the page says why
    refused = li.post(f"/tasks/{visit}/unclaim", data={"csrf_token": _token(li, f"/tasks/{visit}")})
    assert refused.status_code == 403 and "只有 ma 或管理员可以退回此事项" in refused.get_data(as_text=True)
    assert client.post(f"/tasks/{visit}/unclaim", data={"csrf_token": token}).status_code == 302
    assert "认领</button>" in li.get(f"/tasks/{visit}").get_data(as_text=True)


def test_someone_else_completed_first_the_second_sees_the_conflict_page_with_what_they_typed(app, client, visit,
                                                                                             harness):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    li = app.test_client()
    sign_in(li, "li")
    li_token = _token(li, f"/tasks/{visit}")
    assert client.post(f"/tasks/{visit}/complete", data={
        "csrf_token": token, "visitor": "Zhang San"}).status_code == 302
    late = li.post(f"/tasks/{visit}/complete", data={"csrf_token": li_token, "visitor": "Li Si",
                                                     "party_size": "3"})
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "已由 ma 办理完毕" in html
    assert "<dt>Visitor name</dt><dd>Li Si</dd>" in html and "<dt>Number of people</dt><dd>3</dd>" in html
    assert "VISIT-2026-000001" in html


def test_a_stranger_gets_404_for_the_task_and_its_actions(app, visit):
    wang = app.test_client()
    sign_in(wang, "wang")
    token = _token(wang, "/tasks/")
    assert wang.get(f"/tasks/{visit}").status_code == 404
    assert wang.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    for action in ("claim", "unclaim", "complete"):
        assert wang.post(f"/tasks/{visit}/{action}", data={"csrf_token": token, "visitor": "x"}).status_code == 404


def test_posts_without_csrf_are_refused(client, visit, harness):
    sign_in(client, "ma")
    assert client.post(f"/tasks/{visit}/claim").status_code == 400
    assert client.post(f"/tasks/{visit}/complete", data={"visitor": "Zhang San"}).status_code == 400
    assert harness.tasks("ma")[0]["assignee"] is None


def test_evidence_is_checked_by_content_stored_once_and_kept_through_an_error(app, client, visit, harness):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    fake = client.post(f"/tasks/{visit}/complete", data={
        "csrf_token": token, "visitor": "Zhang San", "id_scan": (io.BytesIO(b"MZ\x90\x00 not an image"), "scan.png")},
        content_type="multipart/form-data")
    assert fake.status_code == 422 and "只接受以下类型的文件" in fake.get_data(as_text=True)
    # a real PNG with an invalid other field: the upload is kept, so the person need not choose it again
    kept = client.post(f"/tasks/{visit}/complete", data={
        "csrf_token": token, "visitor": "Z", "id_scan": (io.BytesIO(PNG), "身份证.png")},
        content_type="multipart/form-data")
    html = kept.get_data(as_text=True)
    assert kept.status_code == 422
    ref = re.search(r'name="id_scan" value="(evidence:\d+)"', html).group(1)
    link = re.search(r'href="(/tasks/evidence/\d+)">身份证.png<', html).group(1)
    done = client.post(f"/tasks/{visit}/complete", data={"csrf_token": token, "visitor": "Zhang San",
                                                        "id_scan": ref})
    assert done.status_code == 302
    download = client.get(link)
    assert download.status_code == 200 and download.data == PNG and download.mimetype == "image/png"
    assert "attachment" in download.headers["Content-Disposition"]
    # a second upload of the same bytes stores no second copy
    harness.start("visit", "ma")
    second = harness.tasks("ma")
    task2 = next(t["id"] for t in second if t["name"] == "Register visitor")
    client.post(f"/tasks/{task2}/complete", data={"csrf_token": token, "visitor": "Z",
                                                 "id_scan": (io.BytesIO(PNG), "again.png")},
                content_type="multipart/form-data")
    with harness.Session() as s:
        import sqlalchemy as sa
        from engine.storage.models import EvidenceFile, EvidenceUpload
        assert s.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 1
        assert s.scalar(sa.select(sa.func.count()).select_from(EvidenceUpload)) == 2
    # someone who may not see the case gets 404 for its file, as for a file that does not exist
    wang = app.test_client()
    sign_in(wang, "wang")
    assert wang.get(link).status_code == 404
    assert wang.get("/tasks/evidence/999999").status_code == 404


def test_a_file_reference_of_another_case_is_dropped(client, visit, harness):
    sign_in(client, "ma")
    token = _token(client, f"/tasks/{visit}")
    client.post(f"/tasks/{visit}/complete", data={"csrf_token": token, "visitor": "Z",
                                                 "id_scan": (io.BytesIO(PDF), "a.pdf")},
                content_type="multipart/form-data")
    harness.start("visit", "ma")
    other = next(t["id"] for t in harness.tasks("ma") if t["id"] != visit and t["name"] == "Register visitor")
    html = client.post(f"/tasks/{other}/complete", data={"csrf_token": token, "visitor": "Z",
                                                        "id_scan": "evidence:1"}).get_data(as_text=True)
    assert "evidence:1" not in html


def test_a_covering_colleague_completes_the_absent_persons_claimed_task(app, client, visit, harness, clock):
    from engine.people import substitution

    with harness.Session.begin() as s:
        runtime.claim_task(s, visit, user="ma", clock=clock)
    with harness.Session.begin() as s:
        substitution.arrange(s, "ma", "wang", clock.now(), clock.now().replace(hour=23), clock=clock)
    wang = app.test_client()
    sign_in(wang, "wang")
    inbox = wang.get("/tasks/").get_data(as_text=True)
    assert "代 ma" in inbox
    html = wang.get(f"/tasks/{visit}").get_data(as_text=True)
    assert "您代 ma 岗" in html and ">提交</button>" in html


def test_the_task_page_shows_what_the_engine_computed_for_the_task(client, harness, staff):
    """P5 违规处理: the check of a second report about the same member shows 第几次违规 = 2 and the earlier
    case's number, read-only (computed from the case records, so the page must read the task's data)."""
    from pathlib import Path

    harness.deploy(Path(__file__).resolve().parents[2] / "processes" / "p5_communication_groups.bpmn")
    staff("bzr", "申请人")
    staff("qun", "群管理员")
    report = {"request_type": "violation", "group_name": "初二(3)班家长群", "group_kind": "class_parents",
              "class_name": "初二3班", "title": "发广告", "offender": "王某"}
    first = harness.start("p5_group_request", "bzr", report)
    harness.start("p5_group_request", "bzr", report)
    task = [t for t in harness.tasks("qun") if t["instance_id"] != first][0]
    sign_in(client, "qun")
    html = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert '<p class="sf-readonly" id="f-offence_count">2</p>' in html
    assert f'<p class="sf-readonly" id="f-offence_count_cases">{harness.show(first)["case_number"]}</p>' in html
    assert 'name="offence_count"' not in html
