"""Other people's BPMN files (BPMN MIWG suite, SpiffWorkflow's test data): deployed or refused, never a crash.

The files live in ``../shared/conformance`` beside the project (as in CI). Each one must either parse
into specs or be refused with a ``DefinitionError`` whose every problem names the file and says why.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.definitions import parse_procedure
from engine.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
FILES = sorted(ROOT.rglob("*.bpmn")) if ROOT.is_dir() else []

if not FILES and os.environ.get("CI") == "true":
    raise RuntimeError(f"conformance files missing under CI: {ROOT}")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_file_is_deployed_or_refused_with_reasons(path: Path) -> None:
    try:
        parsed = parse_procedure(path.read_bytes(), path.name)
    except DefinitionError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == path.name
            assert problem.message and not problem.message.startswith("Traceback")
    else:
        assert parsed.processes


def test_a_known_share_of_the_suite_is_accepted() -> None:
    """A guard against regressions that would start refusing files the engine can run."""
    if not FILES:
        pytest.skip("conformance files not present")
    accepted = 0
    for path in FILES:
        try:
            parse_procedure(path.read_bytes(), path.name)
            accepted += 1
        except DefinitionError:
            pass
    assert accepted >= 65, f"only {accepted} of {len(FILES)} conformance files are accepted"
