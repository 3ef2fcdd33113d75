"""The activation page: one staged version, what it will use, what blocks it, what it changes; and the
three things an administrator does there (map a lane, set parameters, activate). Every check is the
engine's: this module only asks it, shows its answer and translates its sentences.
"""
from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from engine.definitions import activation, compare, params
from engine.errors import DefinitionError, InvalidInput, NotFound
from engine.runtime import migration
from engine.storage.models import Definition

from ..admin import admin_required
from ..db import get_session
from . import bp, sentences

# What the page says after a change, by the ``done`` the change redirects with.
DONE = {
    "lane": lambda: _("The lane is mapped."),
    "params": lambda: _("The parameters are saved."),
    "activated": lambda: _("The version is active: new cases start on it. Open cases keep their version."),
}


@bp.route("/<key>/<int:version>/activate", methods=["GET", "POST"])
@admin_required
def show(key: str, version: int) -> Any:
    session = get_session()
    definition = _staged(key, version)
    if request.method == "GET":
        return _page(definition)
    action = request.form.get("action")
    actor, clock = current_user.name, current_app.config["CLOCK"]
    if action == "map_lane":
        lane, group = request.form.get("lane", ""), request.form.get("group", "").strip()
        if not group:
            return _page(definition, lane_errors={lane: _("Choose a group.")}), 422
        try:
            activation.map_lane(session, definition, lane, group, clock=clock, actor=actor)
        except InvalidInput as exc:
            session.rollback()
            return _page(_staged(key, version), lane_errors={lane: sentences.refusal(str(exc))}), 422
        session.commit()
        return _done(definition, "lane", "lanes")
    if action == "params":
        typed, errors = _set_params(definition, clock, actor)
        if errors:
            session.rollback()
            return _page(_staged(key, version), typed=typed, param_errors=errors), 422
        session.commit()
        return _done(definition, "params", "params")
    if action == "activate":
        try:
            activation.activate(session, key, version, clock=clock, actor=actor)
        except InvalidInput:
            session.rollback()  # the page shows the blockers the check finds now
            return _page(_staged(key, version), refused=True), 409
        session.commit()
        return _done(definition, "activated", "result")
    abort(400)


@bp.route("/<key>/<int:version>/activate/diagram.bpmn")
@admin_required
def diagram(key: str, version: int) -> Response:
    """Any version's BPMN file, for the activation page's viewer."""
    return Response(_staged(key, version).bpmn_xml, mimetype="application/xml",
                    headers={"Cache-Control": "no-store"})


def _staged(key: str, version: int) -> Definition:
    try:
        return activation.staged_version(get_session(), key, version)
    except NotFound:
        abort(404)


def _done(definition: Definition, what: str, anchor: str) -> BaseResponse:
    return redirect(url_for("activation.show", key=definition.process_key, version=definition.version,
                            done=what, _anchor=anchor))


def _set_params(definition: Definition, clock: Any, actor: str) -> tuple[dict[str, str], dict[str, str]]:
    """Set each parameter whose posted value differs from its value now; all or nothing (the caller
    commits only without errors). Returns what was typed and the refusals by parameter name."""
    session = get_session()
    typed, errors = {}, {}
    for p in params.describe(session, definition):
        text = request.form.get(f"param-{p.name}")
        if text is None:
            continue
        typed[p.name] = text
        if text.strip() == _as_text(p.value):
            continue
        try:
            params.set_param(session, definition, p.name, text, clock=clock, actor=actor)
        except InvalidInput as exc:
            errors[p.name] = sentences.refusal(str(exc))
    return typed, errors


def _as_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _page(definition: Definition, *, typed: dict[str, str] | None = None,
          param_errors: dict[str, str] | None = None, lane_errors: dict[str, str] | None = None,
          refused: bool = False) -> str:
    session = get_session()
    key = definition.process_key
    check = activation.check_activation(session, definition)
    versions = migration.versions_with_open_cases(session, key)
    waiting = [(d.version, n) for d, n in versions
               if n and d.version != check.active_version and not d.staged]
    done = DONE.get(request.args.get("done", ""))
    common = {"definition": definition, "check": check, "waiting": waiting,
              "notice": done() if done else None,
              "procedures_url": _procedures_url(key)}
    if not definition.staged:
        return render_template("activation/active.html", **common)
    changes, compare_error, marks = _changes(session, definition, check.active_version)
    return render_template(
        "activation/show.html", **common,
        blockers=[sentences.blocker(b) for b in check.blockers], groups=activation.group_choices(session),
        typed=typed or {}, param_errors=param_errors or {}, lane_errors=lane_errors or {}, refused=refused,
        changes=changes, compare_error=compare_error, marks=marks, as_text=_as_text,
    )


def _changes(session: Any, definition: Definition,
             active: int | None) -> tuple[dict[str, list[Any]], str | None, dict[str, str]]:
    """The changes against the active version by kind, the reason they could not be computed, the marks."""
    if active is None:
        return {}, None, {}
    old = activation.staged_version(session, definition.process_key, active)
    try:
        found = compare.compare(old.bpmn_xml, definition.bpmn_xml, definition.process_key)
    except DefinitionError as exc:
        return {}, "; ".join(p.message for p in exc.problems), {}
    groups = {"steps": found.steps, "assignments": found.assignments, "forms": found.forms,
              "timers": found.timers}
    return ({name: [(c.kind, c.element_id, sentences.change(c.what)) for c in items]
             for name, items in groups.items() if items}, None, found.marks())


def _procedures_url(key: str) -> str | None:
    # The procedures pages are another blueprint's (webui.procedures); linked once they exist.
    if "procedures.show" in current_app.view_functions:
        return url_for("procedures.show", key=key)
    return None
