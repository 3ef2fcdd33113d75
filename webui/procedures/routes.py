"""The procedures pages. Every fact comes from the engine: versions, the active one and open-case counts
from ``engine.views.procedures``; storing an upload is ``engine.definitions.deploy.deploy_file`` (staged:
new cases keep the active version until an administrator activates the new one), which refuses a bad
file with every reason and stores nothing.

Links to the pages other parts of the web UI add (activation, modeler, migration) appear once those
pages exist, as the menu's entries do.
"""
from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from flask import (Response, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import _
from flask_login import current_user
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.exceptions import RequestEntityTooLarge

from engine.definitions.deploy import DeployResult, deploy_file
from engine.definitions.xml_input import MAX_BYTES
from engine.errors import DefinitionError, NotFound, Problem
from engine.views import procedures as engine_procedures

from ..admin import admin_required
from ..db import get_session
from . import bp
from ..definition_reasons import reason

# The engine refuses a file over MAX_BYTES with its size in the reason; a request much larger than that
# is not read at all (the form around the file needs far less than the margin).
REQUEST_LIMIT = MAX_BYTES + 64 * 1024


@bp.url_value_preprocessor
def _limit_upload(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # URL value preprocessors run before the app's before_request functions, where the CSRF check reads
    # the form: the limit must be set before anything reads the body.
    if endpoint == "procedures.upload":
        request.max_content_length = REQUEST_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Response | tuple[str, int]:
    if not (current_user.is_authenticated and current_user.is_admin):
        return current_app.handle_http_exception(HTTPNotFound())  # type: ignore[return-value]
    size = _("The file is larger than %(n)s KB; at most %(n)s KB is accepted.", n=MAX_BYTES // 1024)
    return _refused(None, [_Reason(size)], None), 413


def link(endpoint: str, **values: Any) -> str | None:
    """The address of another blueprint's page, or None while that page does not exist."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@bp.route("/")
@admin_required
def index() -> str:
    found = engine_procedures.procedures(get_session(read_only=True))
    return render_template("procedures/index.html", procedures=found, link=link)


@bp.route("/<key>")
@admin_required
def show(key: str) -> str:
    try:
        procedure = engine_procedures.procedure(get_session(read_only=True), key)
    except NotFound:
        abort(404)
    chosen = request.args.get("version", type=int)
    shown = next((v for v in procedure.versions if v.version == chosen), None)
    if shown is None:  # no choice, or a version that does not exist: the one new cases start on
        shown = next((v for v in procedure.versions if v.active), procedure.versions[0])
    return render_template("procedures/show.html", procedure=procedure, shown=shown, link=link)


@bp.route("/<key>/<int:version>.bpmn")
@admin_required
def download(key: str, version: int) -> Response:
    """The version's file exactly as it was stored (also what the page's viewer draws)."""
    try:
        definition = engine_procedures.version_file(get_session(read_only=True), key, version)
    except NotFound:
        abort(404)
    data = definition.bpmn_xml.encode("utf-8")
    return send_file(io.BytesIO(data), mimetype="application/xml", as_attachment=True,
                     download_name=f"{key}-v{version}.bpmn", max_age=0)


class _Reason:
    """A reason the web layer gives itself (no file, wrong kind), shown like the engine's."""

    def __init__(self, text: str) -> None:
        self.text, self.file, self.line, self.element_id = text, None, None, None


def _shown(problem: Problem) -> Any:
    out = _Reason(reason(problem))
    out.file, out.line, out.element_id = problem.file, problem.line, problem.element_id
    return out


@bp.route("/upload", methods=("GET", "POST"))
@admin_required
def upload() -> Response | tuple[str, int]:
    if request.method == "GET":  # the address of the form, typed or reloaded: the form is on the list
        return redirect(url_for("procedures.index"))
    key = request.form.get("key") or None  # sent by a procedure's own page: a new version of that key
    file = request.files.get("file")
    if file is None or not file.filename:
        return _refused(key, [_Reason(_("Choose a .bpmn file to upload."))], None), 422
    name = PurePath(file.filename.replace("\\", "/")).name
    if not name.lower().endswith(".bpmn"):
        return _refused(key, [_Reason(_("“%(name)s” is not a .bpmn file. Save the diagram as BPMN "
                                        "(for example in Camunda Modeler) and upload that file.",
                                        name=name))], None), 422
    data = file.read()
    db = get_session()
    try:
        results = deploy_file(db, data, name, clock=current_app.config["CLOCK"], actor=current_user.name,
                              stage=True)
    except DefinitionError as exc:
        db.rollback()
        return _refused(key, [_shown(p) for p in exc.problems], data), 422
    if key is not None and key not in {r.process_key for r in results}:
        db.rollback()  # a file for another procedure, sent from this one's page: store nothing
        others = "、".join(r.process_key for r in results)
        return _refused(key, [_Reason(_("This file holds the procedure %(others)s, not %(key)s. Upload it on "
                                        "the procedures page if it is meant as another procedure.",
                                        others=others, key=key))], data), 422
    db.commit()
    return _after_upload(results, key)


def _after_upload(results: list[DeployResult], key: str | None) -> Response:
    created = [r for r in results if r.created]
    if len(created) == 1:
        r = created[0]
        target = link("activation.show", key=r.process_key, version=r.version)
        if target:
            return redirect(target, 303)
    for r in results:
        if r.created:
            flash(_("Version %(v)s of %(key)s is stored and staged: new cases keep the active version until "
                    "you activate it.", v=r.version, key=r.process_key), "staged")
        else:
            flash(_("The file is the same as version %(v)s of %(key)s: nothing changed, no new version was "
                    "made.", v=r.version, key=r.process_key), "unchanged")
    keys = {r.process_key for r in results}
    if len(keys) == 1:
        return redirect(url_for("procedures.show", key=keys.pop()), 303)
    return redirect(url_for("procedures.index"), 303)


def _refused(key: str | None, reasons: list[Any], data: bytes | None) -> str:
    """The refusal page: every reason, the diagram when the file can be drawn, the form to try again."""
    db = get_session(read_only=True)
    procedure = None
    if key is not None:
        try:
            procedure = engine_procedures.procedure(db, key)
        except NotFound:
            key = None
    xml = None
    if data is not None:
        try:
            xml = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            xml = None  # not text: nothing to draw
        if xml is not None and not xml.lstrip().startswith("<"):
            xml = None  # text, but not markup (a note, a PDF's header): nothing to draw either
    elements = sorted({r.element_id for r in reasons if r.element_id})
    return render_template("procedures/refused.html", reasons=reasons, xml=xml, elements=elements,
                           procedure=procedure, key=key, link=link)
