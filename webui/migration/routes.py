"""The migration page: pick two versions, see the open cases of the first, dry-run or move the chosen ones.

Whether a case can move and the move itself are ``engine.runtime.migration.move_case``; as on the
command line (``schoolflow migrate``) each case is one transaction and, when it moves, one audit event.
The form names cases by their case numbers, never internal ids.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from engine.errors import EngineError, InvalidInput, NotFound
from engine.runtime import migration
from engine.storage.models import Definition

from ..admin import admin_required
from ..db import read_session, write_transaction
from . import bp
from .sentences import reason


@dataclass
class Result:
    number: str
    movable: bool
    moved: bool
    reasons: list[str] = field(default_factory=list)


@bp.route("/<key>/migrate", methods=["GET", "POST"])
@admin_required
def show(key: str) -> Any:
    with read_session() as session:
        versions = migration.versions_with_open_cases(session, key)
        if not versions:
            abort(404)
        active = max((d.version for d, _n in versions if not d.staged), default=None)
        source_v, target_v = _chosen(versions, active)
        error, cases, unnumbered = None, [], 0
        try:
            source, _target = migration.versions(session, key, source_v, target_v)
            found = [n for _id, n in migration.open_cases(session, source)]
            cases, unnumbered = [n for n in found if n], sum(1 for n in found if not n)
        except (NotFound, InvalidInput) as exc:
            error = reason(str(exc))
    page = {"key": key, "name": versions[-1][0].name or key, "versions": versions, "active": active,
            "source": source_v, "target": target_v, "error": error, "cases": cases, "unnumbered": unnumbered,
            "procedures_url": _procedures_url(key)}
    if request.method == "GET":
        return render_template("migration/show.html", **page, chosen=set(cases), results={},
                               selection_error=None)
    action = request.form.get("action")
    if action not in ("dry_run", "move") or error:
        abort(400)
    chosen = [n for n in dict.fromkeys(request.form.getlist("case")) if n]
    if not chosen:
        return render_template("migration/show.html", **page, chosen=set(), results={},
                               selection_error=_("Choose at least one case.")), 422
    results = _move(key, source_v, target_v, chosen, dry_run=action == "dry_run")
    if action == "dry_run":
        return render_template("migration/show.html", **page, chosen=set(chosen), results=results,
                               selection_error=None)
    return render_template("migration/result.html", **page, results=list(results.values()))


def _procedures_url(key: str) -> str | None:
    # The procedures pages are another blueprint's (webui.procedures); linked once they exist.
    if "procedures.show" in current_app.view_functions:
        return url_for("procedures.show", key=key)
    return None


def _chosen(versions: list[tuple[Definition, int]], active: int | None) -> tuple[int, int]:
    """The versions asked for, else: the oldest one with open cases (other than the active one) → active."""
    default_target = active or versions[-1][0].version
    older = [d.version for d, n in versions if n and d.version != default_target]
    default_source = older[0] if older else versions[0][0].version
    return (_int(request.values.get("from"), default_source), _int(request.values.get("to"), default_target))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _move(key: str, source_v: int, target_v: int, numbers: list[str], *, dry_run: bool) -> dict[str, Result]:
    clock, actor = current_app.config["CLOCK"], current_user.name
    with read_session() as session:
        source, _target = migration.versions(session, key, source_v, target_v)
        try:
            cases = migration.open_cases(session, source, numbers)
        except NotFound as exc:
            return {n: Result(n, False, False, [reason(str(exc))]) for n in numbers}
    out = {}
    for instance_id, number in cases:
        try:
            with write_transaction() as session:  # one case, one transaction
                source, target = migration.versions(session, key, source_v, target_v)
                check = migration.move_case(session, instance_id, target, clock, actor=actor, source=source,
                                            dry_run=dry_run)
        except EngineError as exc:  # the move failed while writing: rolled back, the case is untouched
            out[number] = Result(number, False, False, [reason(str(exc))])
            continue
        out[number] = Result(number, check.movable, check.moved, [reason(r) for r in check.reasons])
    return out
