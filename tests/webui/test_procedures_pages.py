"""The procedures pages (/procedures/) as an administrator uses them, with Flask's test client: the list,
a procedure's versions, downloading a version's file, and uploading a new one (refused, unchanged or
staged). Everyone else gets the 404 a page that does not exist gets."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.helpers import DATA
from tests.webui.conftest import page_token, sign_in

SIMPLE = (DATA / "simple.bpmn").read_bytes()
# The same procedure with a second task; drawn (it has a diagram) so the refused page can mark elements.
SIMPLE_V2 = SIMPLE.replace(b'<bpmn:endEvent id="end" />', b'<bpmn:endEvent id="end" name="Done" />')
SERVICE_TASK = SIMPLE.replace(b'<bpmn:endEvent id="end" />',
                              b'<bpmn:endEvent id="end" /><bpmn:serviceTask id="call_system" name="Call" />')


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, data: bytes, name: str = "simple.bpmn", key: str | None = None, *,
           page: str = "/procedures/"):
    import io

    form = {"csrf_token": page_token(client, page), "file": (io.BytesIO(data), name)}
    if key:
        form["key"] = key
    return client.post("/procedures/upload", data=form, content_type="multipart/form-data")


def versions(harness, key: str = "simple") -> list[tuple[int, bool]]:
    from engine.views.procedures import procedure

    with harness.ReadSession() as s:
        return [(v.version, v.staged) for v in procedure(s, key).versions]


@pytest.fixture
def school(harness, staff):
    harness.deploy("simple.bpmn")
    staff("ann", "office")
    staff("root", admin=True)
    harness.start("simple", "ann")
    return harness


@pytest.mark.parametrize("path", ["/procedures/", "/procedures/simple", "/procedures/simple/1.bpmn",
                                  "/procedures/nothing-here", "/procedures/upload"])
def test_staff_get_the_not_found_page(client, school, path):
    sign_in(client, "ann")
    response = client.get(path)
    assert response.status_code == 404
    missing = text(client.get("/no-such-page"))

    def same(page: str) -> str:  # the CSRF token carries the second it was made in
        return re.sub(r'(name="csrf-token" content|name="csrf_token" value)="[^"]*"', r"\1", page)

    # The pages differ only in the address echoed back (the language switch returns to it).
    assert same(text(response).replace(path, "/no-such-page")) == same(missing)


def test_staff_cannot_upload_and_nothing_is_stored(client, school):
    sign_in(client, "ann")
    response = upload(client, SIMPLE_V2, page="/tasks/")
    assert response.status_code == 404
    assert versions(school) == [(1, False)]


def test_the_menu_shows_procedures_to_administrators_only(client, school):
    sign_in(client, "ann")
    assert "/procedures/" not in text(client.get("/tasks/"))
    client.post("/logout", data={"csrf_token": page_token(client, "/tasks/")})
    sign_in(client, "root")
    assert 'href="/procedures/"' in text(client.get("/tasks/"))


def test_the_list_shows_each_procedure_with_its_version_in_use_and_open_cases(client, school):
    school.deploy_bytes(SIMPLE_V2, stage=True, actor="root")
    sign_in(client, "root")
    page = text(client.get("/procedures/"))
    row = page[page.index('data-key="simple"'):]
    row = row[:row.index("</tr>")]
    assert 'href="/procedures/simple"' in row and "Simple" in row
    assert re.search(r'data-testid="active-version">第 1 版<', row)
    assert "第 2 版" in row and "待启用" in row
    assert re.search(r'data-label="未结案件">1<', row)


def test_a_procedure_page_lists_versions_with_who_when_hash_and_open_cases(client, school):
    school.clock.advance(hours=2)
    school.deploy_bytes(SIMPLE_V2, stage=True, actor="root")
    sign_in(client, "root")
    page = text(client.get("/procedures/simple"))
    v2 = page[page.index('data-version="2"'):page.index('data-version="1"')]
    assert "待启用" in v2 and "root" in v2
    assert "2026-09-30 12:00" in v2  # deployed at 04:00 UTC, shown in the school's zone (Shanghai)
    from engine.definitions.deploy import content_hash

    digest = content_hash(SIMPLE_V2, False)
    assert f'title="{digest}">{digest[:12]}</code>' in v2
    assert 'href="/procedures/simple/2.bpmn"' in v2
    v1 = page[page.index('data-version="1"'):]
    assert "在用" in v1 and re.search(r'data-testid="open-cases">1<', v1)
    # The diagram shown is the version in use, drawn from its file.
    assert 'data-sf-bpmn-url="/procedures/simple/1.bpmn"' in page and "js/procedure_diagram.js" in page
    assert "<script>" not in page
    chosen = text(client.get("/procedures/simple?version=2"))
    assert 'data-sf-bpmn-url="/procedures/simple/2.bpmn"' in chosen and "第 2 版流程图" in chosen


def test_the_upload_address_opened_in_the_browser_leads_to_the_form(client, school):
    sign_in(client, "root")
    response = client.get("/procedures/upload")
    assert response.status_code == 302 and response.headers["Location"] == "/procedures/"


def test_download_returns_the_stored_bytes_as_an_attachment(client, school):
    sign_in(client, "root")
    response = client.get("/procedures/simple/1.bpmn")
    assert response.status_code == 200 and response.data == SIMPLE
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "simple-v1.bpmn" in response.headers["Content-Disposition"]
    assert client.get("/procedures/simple/9.bpmn").status_code == 404


def test_a_refused_file_shows_every_reason_and_stores_nothing(client, school):
    bad = SERVICE_TASK.replace(b'camunda:candidateGroups="office"', b'camunda:priority="high" '
                                                                   b'camunda:candidateGroups="office"')
    sign_in(client, "root")
    response = upload(client, bad, "mine.bpmn", key="simple", page="/procedures/simple")
    assert response.status_code == 422
    page = text(response)
    assert "文件未被接受" in page and "没有保存任何内容：“Simple”仍使用第 1 版。" in page
    reasons = page[page.index('data-testid="reasons"'):page.index("</ol>")]
    assert "服务任务要调用其他系统" in reasons and "<code>call_system</code>" in reasons
    assert "优先级“high”不是整数。" in reasons and "<code>t1</code>" in reasons
    assert "mine.bpmn" in reasons and re.search(r"第 \d+ 行", reasons)
    # The uploaded file goes to the viewer with the elements to mark.
    found = re.search(r'data-sf-bpmn-xml="([^"]*)"', page)
    assert found and unescape(found.group(1)).encode() == bad
    assert re.search(r'data-sf-problems="([^"]*)"', page).group(1) == "[&#34;call_system&#34;, &#34;t1&#34;]"
    assert versions(school) == [(1, False)]


def test_a_file_that_is_not_xml_is_refused_in_a_sentence(client, school):
    sign_in(client, "root")
    page = text(upload(client, b"%PDF-1.4 not a diagram", "scan.bpmn"))
    assert "这不是 BPMN 文件：它不是格式正确的 XML" in page
    assert "data-sf-bpmn-xml" not in page.replace("data-sf-bpmn-xml]", "")
    page = text(upload(client, SIMPLE, "scan.pdf"))
    assert "“scan.pdf”不是 .bpmn 文件。" in page
    assert versions(school) == [(1, False)]


def test_an_identical_file_changes_nothing_and_says_so(client, school):
    sign_in(client, "root")
    response = upload(client, SIMPLE, "again.bpmn")
    assert response.status_code == 303 and response.headers["Location"] == "/procedures/simple"
    page = text(client.get(response.headers["Location"]))
    assert "文件与 simple 的第 1 版内容相同：没有任何变化，未新建版本。" in page
    assert versions(school) == [(1, False)]


def test_a_new_version_is_staged_and_the_active_one_stays(client, app, school):
    sign_in(client, "root")
    response = upload(client, SIMPLE_V2, key="simple", page="/procedures/simple")
    assert response.status_code == 303
    assert versions(school) == [(2, True), (1, False)]
    if "activation.show" in app.view_functions:  # the activation page, once it exists, takes over
        with app.test_request_context():
            from flask import url_for

            assert response.headers["Location"] == url_for("activation.show", key="simple", version=2)
    else:
        assert response.headers["Location"] == "/procedures/simple"
        page = text(client.get("/procedures/simple"))
        assert "simple 的第 2 版已保存，等待启用" in page
        assert re.search(r'data-testid="active-version">第 1 版<', page)


def test_a_file_of_another_procedure_sent_from_a_procedure_page_is_refused(client, school):
    sign_in(client, "root")
    other = (DATA / "form.bpmn").read_bytes()
    page = text(upload(client, other, "form.bpmn", key="simple", page="/procedures/simple"))
    assert "这个文件里是流程 visit，不是 simple。" in page
    from engine.views.procedures import procedures

    with school.ReadSession() as s:
        assert [p.key for p in procedures(s)] == ["simple"]


def test_a_new_procedure_is_uploaded_from_the_list(client, school):
    sign_in(client, "root")
    response = upload(client, (DATA / "form.bpmn").read_bytes(), "form.bpmn")
    assert response.status_code == 303
    assert versions(school, "visit") == [(1, True)]
    page = text(client.get("/procedures/"))
    row = page[page.index('data-key="visit"'):]
    assert "尚无" in row[:row.index("</tr>")]


def test_a_request_over_the_limit_is_refused_before_it_is_read(client, school):
    sign_in(client, "root")
    import io

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    huge = SIMPLE + b"<!--" + b"x" * (6 * 1024 * 1024) + b"-->"
    boundary, body = encode_multipart({"csrf_token": page_token(client, "/procedures/"),
                                       "file": FileStorage(io.BytesIO(huge), "huge.bpmn")})
    # Sent as bytes: the test client's own spooled copy of a large form would never be read, nor closed.
    response = client.post("/procedures/upload", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "文件超过 5120 KB" in text(response)
    assert versions(school) == [(1, False)]
