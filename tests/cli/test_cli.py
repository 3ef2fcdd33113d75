"""The ``schoolflow`` command line, end to end on a SQLite file: what an administrator types and reads.

The CLI reads the machine's clock, so nothing here asserts times (nor the year in case numbers).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.helpers import DATA

TASK_KEYS = {"id", "instance_id", "case_number", "process_key", "name", "lane", "assignee",
             "candidate_groups", "due_at", "priority", "form", "overdue", "on_behalf_of"}
FORM_ITEM_KEYS = {"id", "label", "type", "required", "values"}
CASE = re.compile(r"SIMPLE-\d{4}-000001")


class Cli:
    def __init__(self, url: str):
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = self.runner.invoke(cli, ["--db", self.url, *args])
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--json").stdout)

    def fails(self, *args: str) -> Result:
        result = self(*args, ok=False)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), "a traceback escaped"
        return result


@pytest.fixture
def sf(tmp_path: Path) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'school.sqlite'}")
    assert run("init-db").stdout == f"database ready: {run.url}\n"
    return run


@pytest.fixture
def case(sf: Cli) -> str:
    """simple deployed, ann and bob in the office, one case started by ann; returns its task id."""
    sf("deploy", str(DATA / "simple.bpmn"))
    sf("users", "add", "ann", "--groups", "office")
    sf("users", "add", "bob", "--groups", "office")
    sf("start", "simple", "--as", "ann")
    [task] = sf.json("tasks", "--as", "ann")
    return task["id"]


def test_deploy_reports_the_version_and_unchanged_content(sf):
    path = str(DATA / "simple.bpmn")
    assert sf("deploy", path).stdout == f"deployed: simple v1 ({path})\n"
    assert sf("deploy", path).stdout == f"unchanged: simple v1 ({path})\n"
    [row] = sf.json("definitions")
    assert (row["key"], row["version"], row["versions"], row["allow_scripts"]) == ("simple", 1, 1, False)


def test_a_refused_file_prints_every_reason_and_exits_1(sf, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text((DATA / "simple.bpmn").read_text()
                   .replace('type="boolean"', 'type="colour"')
                   .replace('<bpmn:endEvent id="end" />',
                            '<bpmn:endEvent id="end" />\n    <bpmn:serviceTask id="svc" />'))
    result = sf.fails("deploy", str(bad))
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "refused: 2 problem(s)"
    assert sorted(lines[1:]) == sorted([
        f"  {bad}:7 [approved]: form field 'approved' has type 'colour'; "
        "allowed types are boolean, date, enum, file, long, string",
        f"  {bad}:13 [svc]: service tasks call other systems and schoolflow has no connectors; "
        "model the work as a user task",
    ])
    assert sf.json("definitions") == []


def test_users_add_and_list(sf):
    no_password = " (no password: cannot sign in)"
    assert sf("users", "add", "ann", "--groups", "office, staff").stdout == \
        f"user ann: groups office, staff{no_password}\n"
    assert sf("users", "add", "root", "--admin").stdout == f"user root: groups - (administrator){no_password}\n"
    more = sf("users", "add", "ann", "--groups", "library")
    assert more.stdout == f"user ann: groups library, office, staff{no_password}\n"
    assert sf.json("users", "list") == [
        {"name": "ann", "display_name": None, "groups": ["library", "office", "staff"], "admin": False},
        {"name": "root", "display_name": None, "groups": [], "admin": True},
    ]
    result = sf.fails("users", "add", "bad name")
    assert result.stderr == "error: invalid name(s): bad name; use letters, digits and . _ - @\n"


def test_start_prints_the_instance_and_case_number(sf):
    sf("deploy", str(DATA / "simple.bpmn"))
    sf("users", "add", "ann", "--groups", "office")
    out = sf("start", "simple", "--as", "ann").stdout
    assert re.fullmatch(r"started instance 1 case SIMPLE-\d{4}-000001 \(running\)\n"
                        r"tracking code: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} "
                        r"\(give it to the complainant; it cannot be shown again\)\n", out)
    second = sf.json("start", "simple", "--as", "ann")
    assert second["id"] == 2 and second["status"] == "running"
    assert re.fullmatch(r"SIMPLE-\d{4}-000002", second["case_number"])
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", second["tracking_code"])
    assert sf.fails("start", "nope", "--as", "ann").stderr == "error: no procedure 'nope' is deployed\n"


def test_tasks_json_shape(sf, case):
    [task] = sf.json("tasks", "--as", "bob")
    assert set(task) == TASK_KEYS
    assert task["id"] == case
    assert (task["instance_id"], task["process_key"], task["name"]) == (1, "simple", "Fill")
    assert CASE.fullmatch(task["case_number"])
    assert (task["lane"], task["assignee"], task["candidate_groups"]) == (None, None, ["office"])
    assert (task["due_at"], task["priority"], task["overdue"]) == (None, 50, False)
    [item] = task["form"]
    assert FORM_ITEM_KEYS <= set(item)
    assert {k: item[k] for k in FORM_ITEM_KEYS} == {
        "id": "approved", "label": "Approved?", "type": "boolean", "required": False, "values": []}


def test_tasks_text_listing(sf, case):
    out = sf("tasks", "--as", "ann").stdout
    assert re.fullmatch(rf"{case}  SIMPLE-\d{{4}}-000001  Fill  \[for office\]\n", out)
    sf("users", "add", "carl")
    assert sf("tasks", "--as", "carl").stdout == "no tasks for carl\n"


def test_claim_unclaim_and_reassign(sf, case):
    sf("users", "add", "root", "--admin")
    assert sf("claim", case, "--as", "ann").stdout == "claimed: Fill (assignee: ann)\n"
    assert sf.json("tasks", "--as", "bob") == []
    assert sf.fails("claim", case, "--as", "bob").stderr == "error: task 'Fill' is already claimed by ann\n"
    assert sf("unclaim", case, "--as", "ann").stdout == "unclaimed: Fill (assignee: -)\n"
    assert sf.fails("reassign", case, "--as", "ann", "--to", "bob").stderr == \
        "error: only an administrator can reassign tasks\n"
    assert sf("reassign", case, "--as", "root", "--to", "bob").stdout == "reassigned: Fill -> bob\n"
    assert [t["assignee"] for t in sf.json("tasks", "--as", "bob")] == ["bob"]


@pytest.mark.parametrize("data, message", [
    ("{not json", "Error: --data is not valid JSON: Expecting property name enclosed in double quotes"),
    ("[true]", "Error: --data must be a JSON object such as '{\"approved\": true}'"),
    ('{"approved": "maybe"}', "error: the form has errors: approved: must be yes or no"),
    ('{"approved": true, "extra": 1}', "error: the form has errors: extra: this form has no such field"),
])
def test_complete_with_bad_data_prints_one_clear_line(sf, case, data, message):
    result = sf("complete", case, "--as", "ann", "--data", data, ok=False)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message]
    assert [t["id"] for t in sf.json("tasks", "--as", "ann")] == [case]  # still waiting


def test_complete_and_show(sf, case):
    assert sf.fails("complete", case, "--as", "nobody").stderr == "error: no user named 'nobody'\n"
    view = sf.json("show", "1")
    assert {"status", "version", "open_tasks", "history"} <= set(view)
    assert (view["status"], view["version"], view["process_key"]) == ("running", 1, "simple")
    assert [t["name"] for t in view["open_tasks"]] == ["Fill"]
    assert [h["kind"] for h in view["history"]] == ["instance.started"]

    out = sf("complete", case, "--as", "bob", "--data", '{"approved": true}').stdout
    assert out == "completed: Fill by bob; case is completed\n"
    view = sf.json("show", "1")
    assert (view["status"], view["open_tasks"]) == ("completed", [])
    assert [(h["kind"], h["actor"]) for h in view["history"]] == [
        ("instance.started", "ann"), ("task.completed", "bob"), ("instance.completed", None)]
    assert json.loads(view["history"][1]["detail"])["data"] == {"approved": True}

    text = sf("show", "1").stdout.splitlines()
    assert re.fullmatch(r"instance 1  case SIMPLE-\d{4}-000001  simple v1  completed", text[0])
    kinds = [line.split()[1] for line in text[1:]]
    assert kinds == ["instance.started", "task.completed", "instance.completed"]

    again = sf.fails("complete", case, "--as", "ann")
    assert again.stderr == "error: task 'Fill' was already completed by bob\n"
    assert sf.fails("show", "99").stderr == "error: no such case: 99\n"
