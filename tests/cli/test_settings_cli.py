"""``schoolflow settings``: an administrator changes the office-day end and time zone from the command line.

The CLI reads the machine's clock, so dates are not asserted; the time of day and the zone offset of a
deadline are, since they come from the settings alone.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.cli.test_cli import Cli
from tests.helpers import DATA


@pytest.fixture
def sf(tmp_path: Path) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'school.sqlite'}")
    run("init-db")
    run("users", "add", "root", "--admin")
    run("users", "add", "ann", "--groups", "office")
    run("deploy", str(DATA / "escalation.bpmn"))
    return run


def reply_due(sf: Cli) -> list[str]:
    return [t["due_at"] for t in sf.json("tasks", "--as", "ann") if t["name"] == "Reply to complainant"]


def test_show_lists_the_defaults(sf):
    assert sf("settings", "show").stdout.splitlines() == [
        "office_day_end   17:30            (default)",
        "time_zone        Asia/Shanghai    (default)",
    ]
    rows = {r["name"]: r for r in sf.json("settings", "show")}
    assert rows["office_day_end"] | {"description": ""} == {
        "name": "office_day_end", "value": "17:30", "default": "17:30", "overridden": False,
        "description": "", "updated_at": None, "updated_by": None}
    assert (rows["time_zone"]["value"], rows["time_zone"]["overridden"]) == ("Asia/Shanghai", False)


def test_set_show_and_unset_round_trip_into_deadlines(sf):
    sf("start", "escalation", "--as", "ann")
    [first] = reply_due(sf)
    assert first.endswith("T17:30:00+08:00")

    result = sf("settings", "set", "office_day_end", "18:00", "--as", "root")
    assert result.stdout == "office_day_end = 18:00\n"
    row = {r["name"]: r for r in sf.json("settings", "show")}["office_day_end"]
    assert (row["value"], row["default"], row["overridden"], row["updated_by"]) == (
        "18:00", "17:30", True, "root")
    assert row["updated_at"].endswith("+08:00")
    assert "office_day_end   18:00            (default 17:30; set " in sf("settings", "show").stdout
    sf("start", "escalation", "--as", "ann")
    assert sorted(due[10:] for due in reply_due(sf)) == ["T17:30:00+08:00", "T18:00:00+08:00"]

    assert sf("settings", "set", "time_zone", "Europe/Berlin").stdout == "time_zone = Europe/Berlin\n"
    shown = reply_due(sf)
    assert {due[-6:] for due in shown} <= {"+01:00", "+02:00"}  # the same deadlines, on Berlin's clock
    assert datetime.fromisoformat(first) in [datetime.fromisoformat(due) for due in shown]

    assert sf("settings", "unset", "time_zone").stdout == "time_zone back to the default (Asia/Shanghai)\n"
    assert sf("settings", "unset", "time_zone").stdout == (
        "time_zone was not set; it is the default (Asia/Shanghai)\n")
    assert reply_due(sf)[0][-6:] == "+08:00"
    assert sf("audit", "verify").stdout.startswith("audit log intact")


@pytest.mark.parametrize("args, message", [
    (["office_day_end", "25:00"],
     "error: office_day_end: '25:00' is not a time of day like 17:30 (HH:MM, 24-hour clock)"),
    (["time_zone", "Asia/Shangai"],
     "error: time_zone: 'Asia/Shangai' is not a time zone name; did you mean Asia/Shanghai?"),
    (["lunch_break", "12:00"],
     "error: there is no setting 'lunch_break'; the settings are office_day_end, time_zone"),
    (["office_day_end", "18:00", "--as", "ann"],
     "error: only an administrator can change the school's settings"),
])
def test_a_refused_value_prints_one_line_exits_1_and_changes_nothing(sf, args, message):
    sf("settings", "set", "office_day_end", "18:30")
    result = sf.fails("settings", "set", *args)
    assert (result.stdout, result.stderr) == ("", message + "\n")
    assert {r["name"]: r["value"] for r in sf.json("settings", "show")} == {
        "office_day_end": "18:30", "time_zone": "Asia/Shanghai"}
