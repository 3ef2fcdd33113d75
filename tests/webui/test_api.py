"""The JSON API (issue #14): a program with a token does what its user may do in the web UI, no more."""

from __future__ import annotations

import re

import json

import pytest

from engine.people import tokens
from tests.helpers import DATA

GOOD = {"visitor": "王芳", "party_size": 2, "has_car": False, "purpose": "delivery"}


@pytest.fixture
def office(harness):
    harness.deploy("form.bpmn")
    harness.user("rita", "reception")
    harness.user("rob", "reception")
    harness.user("ivan", "it")
    harness.user("root", admin=True)
    return harness


def token(harness, user: str) -> dict[str, str]:
    with harness.Session.begin() as s:
        _, secret = tokens.create_token(s, user, clock=harness.clock)
    return {"Authorization": f"Bearer {secret}"}


def call(client, method: str, path: str, auth: dict[str, str] | None = None, body=None, **headers):
    kwargs = {"headers": {**(auth or {}), **headers}}
    if body is not None:
        kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = getattr(client, method)(path, **kwargs)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response


def started(client, auth) -> dict:
    r = call(client, "post", "/api/v1/processes/visit/instances", auth, {"data": {}})
    assert r.status_code == 201, r.json
    return r.json


def test_without_or_with_a_bad_token_the_answer_is_401_json(client, office):
    assert call(client, "get", "/api/v1/tasks").status_code == 401
    bad = call(client, "get", "/api/v1/tasks", {"Authorization": "Bearer sf_nope"})
    assert (bad.status_code, bad.json["error"]) == (401, "unauthorized")
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")


def test_start_find_claim_and_complete_a_task(client, office):
    rita, rob = token(office, "rita"), token(office, "rob")
    case = started(client, rita)
    assert case["case_number"] and case["tracking_code"] and case["status"] == "running"

    listing = call(client, "get", "/api/v1/tasks", rob).json
    [task] = listing["items"]
    assert (task["name"], task["case_number"], task["assignee"]) == (
        "Register visitor",
        case["case_number"],
        None,
    )
    assert listing["counts"] == {"all": 1, "mine": 0, "queue": 1, "overdue": 0}
    assert call(client, "get", "/api/v1/tasks", token(office, "ivan")).json["items"] == []

    assert call(client, "post", f"/api/v1/tasks/{task['id']}/claim", rob).status_code == 200
    assert call(client, "get", "/api/v1/tasks?view=mine", rob).json["counts"]["mine"] == 1

    invalid = call(
        client, "post", f"/api/v1/tasks/{task['id']}/complete", rob, {"data": {**GOOD, "party_size": 99}}
    )
    assert invalid.status_code == 422 and set(invalid.json["fields"]) == {"party_size"}
    done = call(client, "post", f"/api/v1/tasks/{task['id']}/complete", rob, {"data": GOOD})
    assert (done.status_code, done.json["instance_status"]) == (200, "running")
    assert [t["name"] for t in call(client, "get", "/api/v1/tasks", rob).json["items"]] == ["Check visit"]


def test_a_task_the_caller_cannot_see_is_404_and_a_task_of_someone_else_is_not_taken(client, office):
    rita = token(office, "rita")
    started(client, rita)
    [task] = call(client, "get", "/api/v1/tasks", rita).json["items"]
    ivan = token(office, "ivan")
    for action in ("claim", "complete"):
        r = call(client, "post", f"/api/v1/tasks/{task['id']}/{action}", ivan, {"data": GOOD})
        assert r.status_code == 404
    assert call(client, "get", f"/api/v1/tasks/{task['id']}", ivan).status_code == 404
    assert office.tasks("rita")[0]["assignee"] is None  # nothing happened to it


def test_a_stale_if_match_answers_412_and_leaves_the_case_alone(client, office):
    rita = token(office, "rita")
    case = started(client, rita)
    [task] = call(client, "get", "/api/v1/tasks", rita).json["items"]
    etag = call(client, "get", f"/api/v1/tasks/{task['id']}", rita).headers["ETag"]
    call(client, "post", f"/api/v1/tasks/{task['id']}/claim", rita)  # the case moves on: a new version
    stale = call(
        client, "post", f"/api/v1/tasks/{task['id']}/complete", rita, {"data": GOOD}, **{"If-Match": etag}
    )
    assert stale.status_code == 412
    assert office.show(case["id"])["open_tasks"][0]["name"] == "Register visitor"
    fresh = call(client, "get", f"/api/v1/tasks/{task['id']}", rita).headers["ETag"]
    ok = call(
        client, "post", f"/api/v1/tasks/{task['id']}/complete", rita, {"data": GOOD}, **{"If-Match": fresh}
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("{not json", "application/json", 400),
        ('{"data": {}, "extra": 1}', "application/json", 422),
        ('{"data": []}', "application/json", 422),
        ("data=1", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies_get_a_json_error(client, office, body, content_type, status):
    rita = token(office, "rita")
    r = client.post("/api/v1/processes/visit/instances", data=body, content_type=content_type, headers=rita)
    assert (r.status_code, r.mimetype) == (status, "application/json")
    assert set(r.json) >= {"error", "message", "fields"}


def test_a_body_over_the_limit_is_413(client, office):
    r = call(
        client,
        "post",
        "/api/v1/processes/visit/instances",
        token(office, "rita"),
        {"data": {"visitor": "x" * (1024 * 1024 + 10)}},
    )
    assert r.status_code == 413


def test_unknown_paths_and_methods_answer_json(client, office):
    assert call(client, "get", "/api/v1/nothing", token(office, "rita")).status_code == 404
    assert call(client, "delete", "/api/v1/tasks", token(office, "rita")).status_code == 405


def test_only_administrators_deploy_and_a_refused_file_keeps_the_active_version(client, office):
    files = lambda data: {"file": (__import__("io").BytesIO(data), "visit.bpmn")}  # noqa: E731
    good = (DATA / "form.bpmn").read_bytes().replace(b'name="Check visit"', b'name="Check the visit"')
    refused = client.post("/api/v1/definitions", headers=token(office, "rita"), data=files(good))
    assert refused.status_code == 403
    root = token(office, "root")
    bad = client.post("/api/v1/definitions", headers=root, data=files(b"<bpmn:definitions"))
    assert bad.status_code == 422 and bad.json["problems"][0]["file"] == "visit.bpmn"
    assert [d["version"] for d in call(client, "get", "/api/v1/definitions", root).json] == [1]
    ok = client.post("/api/v1/definitions", headers=root, data=files(good))
    assert (ok.status_code, ok.json[0]["version"], ok.json[0]["created"]) == (201, 2, True)


def test_tracking_needs_no_sign_in_and_says_the_same_for_a_wrong_number_or_code(client, office):
    case = started(client, token(office, "rita"))
    ok = call(
        client, "get", f"/api/v1/track/{case['case_number']}", **{"X-Tracking-Code": case["tracking_code"]}
    )
    assert ok.status_code == 200 and ok.json["case_number"] == case["case_number"]
    wrong_code = call(
        client, "get", f"/api/v1/track/{case['case_number']}", **{"X-Tracking-Code": "AAAA-BBBB"}
    )
    wrong_number = call(
        client, "get", "/api/v1/track/VR-2026-999999", **{"X-Tracking-Code": case["tracking_code"]}
    )
    assert wrong_code.status_code == wrong_number.status_code == 404
    assert wrong_code.json == wrong_number.json


def test_the_openapi_document_is_generated_from_the_code(client, office):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}/complete", "/api/v1/processes/{key}/instances"} <= set(
        doc["paths"]
    )
    task = next(v for k, v in doc["components"]["schemas"].items() if k.split(".")[-1] == "Task")
    from tests.cli.test_cli import TASK_KEYS

    assert TASK_KEYS <= set(task["properties"])  # the same shape as `schoolflow tasks --json`


def test_the_docs_page_lists_every_operation_from_the_document(client, office):
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    # Scripts only from files (app.js, htmx): nothing inline.
    assert page.status_code == 200 and "接口文档" in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    for path in client.get("/api/v1/openapi.json").json["paths"]:
        assert path in html


def test_a_case_is_shown_to_who_may_see_it_and_404_to_others(client, office):
    rita = token(office, "rita")
    case = started(client, rita)
    shown = call(client, "get", f"/api/v1/instances/{case['id']}", rita)
    assert shown.status_code == 200 and shown.json["case_number"] == case["case_number"]
    assert shown.headers["ETag"]
    stranger = call(client, "get", f"/api/v1/instances/{case['id']}", token(office, "ivan"))
    missing = call(client, "get", "/api/v1/instances/99999", token(office, "ivan"))
    assert stranger.status_code == missing.status_code == 404
    assert stranger.json["error"] == missing.json["error"] == "not_found"
    assert [c["case_number"] for c in call(client, "get", "/api/v1/instances", rita).json["items"]] == [
        case["case_number"]]
    assert call(client, "get", "/api/v1/instances", token(office, "ivan")).json["items"] == []


def test_someone_else_completed_it_first_is_409_for_colleagues_and_404_for_strangers(client, office):
    rita, rob = token(office, "rita"), token(office, "rob")
    started(client, rita)
    [task] = call(client, "get", "/api/v1/tasks", rita).json["items"]
    assert call(client, "post", f"/api/v1/tasks/{task['id']}/complete", rita, {"data": GOOD}).status_code == 200
    late = call(client, "post", f"/api/v1/tasks/{task['id']}/complete", rob, {"data": GOOD})
    assert (late.status_code, late.json["error"]) == (409, "conflict")
    stranger = call(client, "post", f"/api/v1/tasks/{task['id']}/complete", token(office, "ivan"), {"data": GOOD})
    assert stranger.status_code == 404


def test_cases_are_paged_newest_first(client, office):
    rita = token(office, "rita")
    numbers = [started(client, rita)["case_number"] for _ in range(3)]
    first = call(client, "get", "/api/v1/instances?limit=2", rita).json
    assert [c["case_number"] for c in first["items"]] == numbers[::-1][:2]
    second = call(client, "get", first["next"], rita).json
    assert [c["case_number"] for c in second["items"]] == numbers[:1] and second["next"] is None
