"""Parameters overridable per deployment (engine.definitions.params, ``schoolflow params``) and the demo data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from engine import definitions
from engine.definitions import params
from engine.errors import InvalidInput, NotAllowed

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_overrides_and_validation(harness):
    harness.deploy(ROOT / "processes" / "p2_parent_student_complaints.bpmn")
    harness.user("admin", admin=True)
    harness.user("ann", "office")
    with harness.Session.begin() as s:
        d = definitions.latest_definition(s, "p2_complaint")
        with pytest.raises(NotAllowed, match="^only an administrator can change a procedure's parameters; ann"):
            params.set_param(s, d, "reply_days", "30", clock=harness.clock, actor="ann")
        assert params.effective_params(s, d) == {"reply_days": 7, "escalation_group": "主管领导"}
        assert params.set_param(s, d, "reply_days", "10", clock=harness.clock, actor="admin") == 10
        with pytest.raises(InvalidInput):
            params.set_param(s, d, "reply_days", "ten", clock=harness.clock)
        with pytest.raises(InvalidInput):
            params.set_param(s, d, "retention_years", "5", clock=harness.clock)
    with harness.Session.begin() as s:
        d = definitions.latest_definition(s, "p2_complaint")
        assert params.effective_params(s, d)["reply_days"] == 10
        assert [(v.name, v.value, v.overridden) for v in params.describe(s, d)] == [
            ("escalation_group", "主管领导", False), ("reply_days", 10, True)]
        assert params.unset_param(s, "p2_complaint", "reply_days", clock=harness.clock)
        assert params.effective_params(s, d)["reply_days"] == 7


def test_cli_params_and_demo_data(tmp_path, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("the CLI is exercised once, on SQLite")
    run = CliRunner().invoke
    base = ["--db", db_url]
    assert run(cli, [*base, "deploy", str(ROOT / "processes")]).exit_code == 0
    assert run(cli, [*base, "users", "add", "admin", "--admin"]).exit_code == 0
    out = run(cli, [*base, "params", "set", "p1_visit", "reply_days", "3", "--as", "admin"])
    assert out.exit_code == 0 and "reply_days = 3" in out.output
    out = run(cli, [*base, "params", "show", "p1_visit", "--json"])
    assert {r["name"]: r["value"] for r in json.loads(out.output)}["reply_days"] == 3
    assert run(cli, [*base, "params", "set", "p1_visit", "nope", "1"]).exit_code == 1
    out = run(cli, [*base, "definitions", "--json"])
    rows = {r["key"]: r for r in json.loads(out.output)}
    assert rows["p1_visit"]["params"] == {"escalation_group": "接访室负责人", "reply_days": 3}
    out = run(cli, [*base, "demo-data"])
    assert out.exit_code == 0, out.output
    out = run(cli, [*base, "users", "list", "--json"])
    people = {u["name"]: u for u in json.loads(out.output)}
    assert people["admin"]["admin"] and "信息督察室" in people["ducha"]["groups"]
    demo = json.loads((ROOT / "processes" / "demo" / "demo.json").read_text(encoding="utf-8"))
    covered = {g for u in demo["users"] for g in u["groups"]}
    assert {g["name"] for g in demo["groups"]} <= covered  # one demo user per lane's group
