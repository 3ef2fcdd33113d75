"""``schoolflow migrate``: an operator moves open cases to a new version, after a dry run."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import Cli, sf  # noqa: F401 - the fixture
from tests.engine.test_migration import V1, V2, V3


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_dry_run_then_move_then_a_case_that_cannot_move(sf: Cli, tmp_path: Path):  # noqa: F811
    sf("users", "add", "ann", "--groups", "office")
    sf("users", "add", "hal", "--groups", "heads")
    sf("users", "add", "root", "--admin")
    sf("deploy", write(tmp_path, "v1.bpmn", V1))
    first = sf.json("start", "fix", "--as", "ann")["case_number"]
    sf("deploy", write(tmp_path, "v2.bpmn", V2))

    dry = sf("migrate", "fix", "--from", "1", "--to", "2", "--dry-run").stdout
    assert dry == f"{first}: can move to v2\n"
    assert sf.json("show", str(sf.json("tasks", "--as", "ann")[0]["instance_id"]))["version"] == 1

    refused = sf.fails("migrate", "fix", "--from", "1", "--to", "2", "--as", "ann")
    assert "only an administrator can move cases" in refused.stderr

    moved = sf("migrate", "fix", "--from", "1", "--to", "2", "--as", "root", "--case", first).stdout
    assert moved == f"{first}: moved to v2\n1 of 1 moved\n"
    [task] = sf.json("tasks", "--as", "ann")
    sf("complete", task["id"], "--as", "ann")
    assert [t["name"] for t in sf.json("tasks", "--as", "hal")] == ["Review"]

    sf("deploy", write(tmp_path, "v3.bpmn", V3))
    stays = sf("migrate", "fix", "--from", "2", "--to", "3").stdout
    assert stays == (
        f"{first}: stays on v2: it waits on 'Review' (review), which version 3 does not have\n0 of 1 moved\n"
    )
    assert (
        "no case TS-2099-000001"
        in sf.fails("migrate", "fix", "--from", "2", "--to", "3", "--case", "TS-2099-000001").stderr
    )
