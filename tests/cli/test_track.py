"""``schoolflow track`` and ``schoolflow serve`` from the command line (SQLite file, machine clock)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import cli
from tests.cli.test_cli import Cli
from tests.helpers import DATA
from webui import db

TRACK_KEYS = {"case_number", "procedure", "status", "status_text", "opened_at", "closed_at", "stages",
              "current", "result", "as_of"}


@pytest.fixture
def sf(tmp_path: Path) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'school.sqlite'}")
    run("init-db")
    run("deploy", str(DATA / "tracking.bpmn"))
    run("users", "add", "wang", "--groups", "王主任")
    run("users", "add", "li", "--groups", "调查组")
    return run


def test_start_hands_out_the_code_and_track_shows_the_case_with_it(sf):
    started = sf.json("start", "tracked", "--as", "wang", "--data", '{"summary": "罚站", "phone": "138"}')
    number, code = started["case_number"], started["tracking_code"]
    [task] = sf.json("tasks", "--as", "wang")
    sf("complete", task["id"], "--as", "wang", "--data", '{"internal_note": "内部"}')

    view = sf.json("track", number, "--code", code)
    assert set(view) == TRACK_KEYS
    assert (view["case_number"], view["status"], view["status_text"]) == (number, "in_progress", "处理中")
    assert [(s["name"], s["done"]) for s in view["stages"]] == [("受理登记", True), ("调查核实", False)]
    assert view["result"] == [{"id": "summary", "label": "投诉事项", "value": "罚站"}]

    lines = sf("track", number.lower(), "--code", code.replace("-", " ").lower()).stdout.splitlines()
    assert lines[0] == f"case {number}  家长投诉（测试）  处理中"
    assert re.fullmatch(r"opened \d{4}-\d\d-\d\d \d\d:\d\d", lines[1])
    assert [line.split()[:2] for line in lines[2:4]] == [["done", "受理登记"], ["waiting", "调查核实"]]
    assert lines[4:] == ["投诉事项: 罚站"]
    assert "wang" not in "\n".join(lines) and "内部" not in "\n".join(lines)


def test_a_wrong_code_or_number_is_one_error_line(sf):
    started = sf.json("start", "tracked", "--as", "wang")
    wrong_code, wrong_number = "0000-0000-0000", "TR-1999-000001"
    for number, code in ((started["case_number"], wrong_code), (wrong_number, started["tracking_code"])):
        result = sf.fails("track", number, "--code", code)
        assert result.stderr == "error: no case has this case number and tracking code\n"
        assert result.stdout == ""


def test_the_code_is_asked_for_when_left_out_of_the_command_line(sf):
    started = sf.json("start", "tracked", "--as", "wang")
    result = sf.runner.invoke(cli, ["--db", sf.url, "track", started["case_number"]],
                              input=started["tracking_code"] + "\n")
    assert result.exit_code == 0, result.output
    assert started["tracking_code"] not in result.output  # typed without echo
    assert f"case {started['case_number']}" in result.output


def test_serve_runs_the_web_ui_with_waitress(sf, monkeypatch):
    served = {}

    class Server:  # waitress's server, bound to the port asked for, without serving anything
        effective_port = 8080

        def run(self) -> None:
            served["ran"] = True

    monkeypatch.setattr("waitress.create_server", lambda app, **kw: served.update(app=app, **kw) or Server())
    out = sf("serve", "--host", "0.0.0.0", "--port", "8080").stdout
    assert out == "serving the web UI on http://0.0.0.0:8080/ (Ctrl+C stops it)\n"
    app = served["app"]
    assert (served["host"], served["port"], served["threads"], served["ran"]) == ("0.0.0.0", 8080, 8, True)
    assert app.config["DATABASE_URL"] == sf.url  # --db reaches the web UI
    response = app.test_client().get("/track")
    assert response.status_code == 200 and "案件进度查询" in response.get_data(as_text=True)
    db.dispose(app)
