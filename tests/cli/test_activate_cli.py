"""``schoolflow deploy --stage`` and ``activate``: an operator reviews a school's file before it runs."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import Cli, sf  # noqa: F401 - the fixture
from tests.cli.test_migrate_cli import write
from tests.engine.test_migration import V1, V2


def test_stage_check_map_and_activate(sf: Cli, tmp_path: Path):  # noqa: F811
    sf("users", "add", "ann", "--groups", "office")
    sf("deploy", write(tmp_path, "v1.bpmn", V1))
    assert sf("deploy", "--stage", write(tmp_path, "v2.bpmn", V2)).stdout.startswith("staged: fix v2 (")
    assert sf.json("definitions")[0]["version"] == 1

    blocked = sf("activate", "fix", "2", ok=False)
    assert blocked.exit_code == 1
    assert "blocked: tasks Review name group 'heads', which has no members" in blocked.stdout
    assert sf.json("definitions")[0]["version"] == 1

    sf("users", "add", "hal", "--groups", "heads")
    assert "blocked" not in sf("activate", "fix", "2", "--check").stdout
    assert sf("activate", "fix", "2").stdout.endswith(
        "activated: fix v2; new cases start on it, open cases keep their version\n"
    )
    assert sf.json("definitions")[0]["version"] == 2
