"""Whom the command line trusts: the operator without ``--as``; with ``--as NAME``, exactly NAME's rights.

The CLI reads the machine's clock, so nothing here asserts times (nor the year in case numbers).
"""
from __future__ import annotations

import re

from tests.cli.test_cli import Cli, sf  # noqa: F401 - the fixture
from tests.helpers import DATA


def test_deploy_as_someone_who_is_not_an_administrator_is_refused_and_changes_nothing(sf, tmp_path):
    sf("users", "add", "ann", "--groups", "office")
    sf("users", "add", "root", "--admin")
    simple = DATA / "simple.bpmn"
    sf("deploy", str(simple))
    changed = tmp_path / "simple.bpmn"
    changed.write_text(simple.read_text().replace('name="Fill"', 'name="Fill in"'))

    refused = sf.fails("deploy", str(changed), "--as", "ann")
    assert refused.stderr == "error: only an administrator can deploy procedures; ann is not one\n"
    assert sf.fails("deploy", str(changed), "--as", "ghost").stderr == "error: no user named 'ghost'\n"
    [row] = sf.json("definitions")
    assert row["version"] == 1  # the active version stays

    assert sf("deploy", str(changed), "--as", "root").stdout == f"deployed: simple v2 ({changed})\n"
    sf("start", "simple", "--as", "ann")
    assert [t["name"] for t in sf.json("tasks", "--as", "ann")] == ["Fill in"]


def test_show_as_applies_who_may_see_the_case(sf):
    sf("deploy", str(DATA / "exclude.bpmn"))
    sf("users", "add", "sam", "--groups", "staff")
    sf("users", "add", "acc", "--groups", "staff")
    sf("users", "add", "out", "--groups", "library")
    sf("users", "add", "parent")
    started = sf.json("start", "complaint", "--as", "parent", "--data", '{"accused": "acc"}')
    number = started["case_number"]
    assert re.fullmatch(r"TS-\d{4}-000001", number)

    for who in ("acc", "out"):
        assert sf.fails("show", number, "--as", who).stderr == f"error: no such case: {number}\n"
        assert sf.fails("show", "1", "--as", who).stderr == "error: no such case: 1\n"
    assert sf.fails("show", "TS-2000-000001", "--as", "sam").stderr == "error: no such case: TS-2000-000001\n"

    assert sf.json("show", number, "--as", "sam")["case_number"] == number
    assert sf.json("show", number, "--as", "parent")["id"] == started["id"]  # who started it
    assert sf.json("show", number)["id"] == started["id"]  # the operator sees every case
    assert sf.json("show", "1")["case_number"] == number  # the id still works

    # Still workable: sam completes the investigation and the accused is still kept out.
    [task] = sf.json("tasks", "--as", "sam")
    sf("complete", task["id"], "--as", "sam")
    assert sf.json("show", number, "--as", "sam")["status"] == "completed"
    assert sf.fails("show", number, "--as", "acc").stderr == f"error: no such case: {number}\n"
