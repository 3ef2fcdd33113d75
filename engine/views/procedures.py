"""The procedures as administrators review them (流程管理): each process key, its versions, which one new
cases start on, and how many open cases each version still carries.

The active version is ``engine.definitions.deploy``'s (the highest version not staged); a case is open
as ``engine.runtime.migration.open_cases`` counts it (running, on that very version), so the numbers here
are the cases a move from that version would look at.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, load_only

from engine.definitions.deploy import _latest_or_none
from engine.errors import NotFound
from engine.storage.models import Definition, Instance, InstanceStatus, User


@dataclass(frozen=True)
class VersionRow:
    version: int
    name: str | None
    file_name: str
    content_hash: str
    deployed_at: datetime
    deployed_by: str | None  # the user name; None: the server's operator (the command line)
    deployed_by_shown: str | None  # their display name, else the user name
    staged: bool  # uploaded for review, never activated
    active: bool  # the version new cases start on
    open_cases: int
    activatable: bool  # staged and newer than the active version (an older staged one can no longer be)


@dataclass(frozen=True)
class Procedure:
    key: str
    name: str | None  # the newest version's name
    active_version: int | None  # None: only staged versions so far
    latest_version: int
    open_cases: int  # on every version together
    versions: list[VersionRow]  # newest first

    @property
    def staged_versions(self) -> list[int]:
        return [v.version for v in self.versions if v.activatable]

    @property
    def older_open_cases(self) -> int:
        """Open cases on versions other than the active one (candidates for a move)."""
        return sum(v.open_cases for v in self.versions if not v.active)


def procedures(session: Session) -> list[Procedure]:
    """Every deployed process key, by key."""
    return _build(session, None)


def procedure(session: Session, key: str) -> Procedure:
    """:raises NotFound: nothing is deployed under ``key``."""
    found = _build(session, key)
    if not found:
        raise NotFound(f"no procedure '{key}' is deployed")
    return found[0]


def version_file(session: Session, key: str, version: int) -> Definition:
    """The stored version (its ``bpmn_xml`` is the file as uploaded). :raises NotFound: no such version."""
    found = session.scalar(sa.select(Definition).where(Definition.process_key == key,
                                                       Definition.version == version))
    if found is None:
        raise NotFound(f"procedure '{key}' has no version {version}")
    return found


def _build(session: Session, key: str | None) -> list[Procedure]:
    # The file and its compiled spec are large and not needed for a list.
    query = sa.select(Definition).options(load_only(
        Definition.process_key, Definition.version, Definition.name, Definition.file_name,
        Definition.content_hash, Definition.deployed_at, Definition.deployed_by, Definition.staged))
    if key is not None:
        query = query.where(Definition.process_key == key)
    rows = session.scalars(query.order_by(Definition.process_key, Definition.version.desc())).all()
    counts = _open_counts(session, key)
    deployers = {d.deployed_by for d in rows if d.deployed_by}
    shown = {name: display for name, display in session.execute(
        sa.select(User.name, User.display_name).where(User.name.in_(deployers)))} if deployers else {}
    by_key: dict[str, list[Definition]] = {}
    for d in rows:
        by_key.setdefault(d.process_key, []).append(d)
    out = []
    for k, defs in by_key.items():
        active = _latest_or_none(session, k)
        active_version = active.version if active is not None else None
        versions = [VersionRow(d.version, d.name, d.file_name, d.content_hash, d.deployed_at, d.deployed_by,
                               (shown.get(d.deployed_by) or d.deployed_by) if d.deployed_by else None,
                               bool(d.staged), d.version == active_version, counts.get(d.id, 0),
                               bool(d.staged) and (active_version is None or d.version > active_version))
                    for d in defs]
        out.append(Procedure(k, defs[0].name, active_version, defs[0].version,
                             sum(v.open_cases for v in versions), versions))
    return out


def _open_counts(session: Session, key: str | None) -> dict[int, int]:
    """Open cases per definition id (the criterion of ``migration.open_cases``)."""
    query = (sa.select(Instance.definition_id, sa.func.count())
             .where(Instance.status == InstanceStatus.RUNNING)
             .group_by(Instance.definition_id))
    if key is not None:
        query = query.where(Instance.process_key == key)
    return {definition_id: n for definition_id, n in session.execute(query)}
