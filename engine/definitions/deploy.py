"""Storing checked procedure files as definition versions."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.time.clock import Clock
from engine.errors import DefinitionError, NotFound, Problem, ScriptError
from engine.people.users import require_admin
from engine.definitions.evaluation import make_evaluator
from engine.storage.models import Definition
from engine.definitions.reserved import field_problems
from engine.definitions.schedules import sync_schedules
from engine.spiff.codec import codec
from engine.definitions.validate import ParsedFile, parse_procedure


@dataclass
class DeployResult:
    process_key: str
    version: int
    created: bool  # False when the same content was already the latest version
    file_name: str


def content_hash(data: bytes, allow_scripts: bool) -> str:
    return hashlib.sha256(data + (b"\0scripts" if allow_scripts else b"")).hexdigest()


def deploy_file(session: Session, data: bytes, file_name: str, *, clock: Clock, actor: str | None = None,
                allow_scripts: bool = False, stage: bool = False) -> list[DeployResult]:
    """Check one procedure file and store a new version of each of its processes whose content changed.

    ``stage`` stores the new versions for review: new cases keep the active version until an
    administrator activates them (``engine.definitions.activation``).

    :raises DefinitionError: the file is refused; nothing is stored.
    :raises NotAllowed: ``actor`` is not an administrator (None: the server's operator).
    """
    require_admin(session, actor, "deploy procedures")
    parsed = parse_procedure(data, file_name, allow_scripts=allow_scripts)
    return _store(session, parsed, clock=clock, actor=actor, allow_scripts=allow_scripts, stage=stage)


def deploy_path(session: Session, paths: list[str | Path], *, clock: Clock, actor: str | None = None,
                allow_scripts: bool = False, stage: bool = False) -> list[DeployResult]:
    """Deploy files and directories (every ``*.bpmn`` below them) all or nothing.

    :raises DefinitionError: listing the problems of every refused file; nothing is stored.
    :raises NotAllowed: ``actor`` is not an administrator (None: the server's operator).
    """
    require_admin(session, actor, "deploy procedures")
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(p.rglob("*.bpmn"))
        elif p.exists():
            files.append(p)
        else:
            raise DefinitionError([Problem(str(p), None, None, "no such file or directory")])
    if not files:
        raise DefinitionError([Problem(", ".join(map(str, paths)), None, None, "no .bpmn files found")])
    parsed, problems = [], []
    for f in files:
        try:
            parsed.append(parse_procedure(f.read_bytes(), str(f), allow_scripts=allow_scripts))
        except DefinitionError as exc:
            problems += exc.problems
    if problems:
        raise DefinitionError(problems)
    results = []
    for pf in parsed:
        results += _store(session, pf, clock=clock, actor=actor, allow_scripts=allow_scripts, stage=stage)
    return results


def _store(session: Session, parsed: ParsedFile, *, clock: Clock, actor: str | None,
           allow_scripts: bool, stage: bool = False) -> list[DeployResult]:
    digest = content_hash(parsed.content, allow_scripts)
    problems = [p for proc in parsed.processes
                for p in field_problems(parsed.content, proc.key, proc.properties, parsed.file_name)]
    if problems:
        raise DefinitionError(problems)
    results = []
    for proc in parsed.processes:
        latest = _latest_or_none(session, proc.key, staged_too=True)
        if latest is not None and latest.content_hash == digest:
            results.append(DeployResult(proc.key, latest.version, False, parsed.file_name))
            continue
        definition = Definition(
            process_key=proc.key, version=(latest.version + 1) if latest else 1, name=proc.name,
            file_name=Path(parsed.file_name).name, content_hash=digest,
            bpmn_xml=parsed.content.decode("utf-8"),
            spec_json=codec.dump_spec(proc.spec, proc.subprocess_specs), properties=proc.properties,
            allow_scripts=allow_scripts, deployed_at=clock.now(), deployed_by=actor, staged=stage,
        )
        session.add(definition)
        session.flush()
        if not stage:  # a staged version's schedules start when it is activated
            schedule(session, definition, proc.spec, clock, parsed.file_name)
        audit.record(session, "definition.deployed", clock=clock, actor=actor, process_key=proc.key,
                     version=definition.version, content_hash=digest, file=definition.file_name, staged=stage)
        results.append(DeployResult(proc.key, definition.version, True, parsed.file_name))
    return results


def schedule(session: Session, definition: Definition, spec: Any, clock: Clock, file_name: str) -> None:
    """Point the procedure's schedules (timer start events) at ``definition``, now the active version.

    :raises DefinitionError: a start timer cannot be scheduled.
    """
    try:
        sync_schedules(session, definition, spec, make_evaluator(session, definition, clock, {}), clock)
    except ScriptError as exc:
        raise DefinitionError([Problem(file_name, None, None,
                                       f"a timer start event cannot be scheduled: {exc}")]) from exc


def _latest_or_none(session: Session, key: str, *, staged_too: bool = False) -> Definition | None:
    query = sa.select(Definition).where(Definition.process_key == key)
    if not staged_too:
        query = query.where(Definition.staged.is_(False))
    return session.scalars(query.order_by(Definition.version.desc()).limit(1)).first()


def latest_definition(session: Session, key: str) -> Definition:
    """The version new instances of ``key`` start on.

    :raises NotFound: no procedure with that key is deployed.
    """
    definition = _latest_or_none(session, key)
    if definition is None:
        raise NotFound(f"no procedure '{key}' is deployed")
    return definition


def list_definitions(session: Session) -> list[tuple[Definition, int]]:
    """The active version of every process key, with how many versions it has (staged ones too)."""
    latest = (
        sa.select(Definition.process_key,
                  sa.func.max(Definition.version).filter(Definition.staged.is_(False)).label("v"),
                  sa.func.count().label("n"))
        .group_by(Definition.process_key).subquery()
    )
    rows = session.execute(
        sa.select(Definition, latest.c.n)
        .join(latest, sa.and_(Definition.process_key == latest.c.process_key, Definition.version == latest.c.v))
        .order_by(Definition.process_key)
    ).all()
    return [(d, n) for d, n in rows]
