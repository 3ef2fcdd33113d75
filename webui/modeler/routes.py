"""The modeler's page, the file it opens, and saving it.

Saving is ``engine.definitions.deploy.deploy_file(..., stage=True)``: the engine checks the file as it
checks an upload, and a new version waits for activation. Refused, the engine's reasons go back to the
editor (file, line, element id, sentence) and the file is kept as the administrator's draft.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from engine.definitions import drafts
from engine.definitions.activation import staged_version
from engine.definitions.deploy import DeployResult, deploy_file
from engine.errors import DefinitionError, NotFound, Problem

from ..admin import admin_required
from ..db import get_session
from ..definition_reasons import reason
from ..i18n import current_locale
from . import bp
from .empty import empty_diagram

# The properties panel writes a few style attributes into its markup (style="height: 100%"), which
# style-src 'self' refuses; inline style *attributes* are allowed on these pages only, never <style>
# elements nor scripts.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "frame-ancestors 'none'; form-action 'self'")
MAX_KEY = 128


@bp.route("/procedures/<key>/<int:version>/edit")
@admin_required
def edit(key: str, version: int) -> Response:
    session = get_session(read_only=True)
    try:
        definition = staged_version(session, key, version)
    except NotFound:
        abort(404)
    return _page(key=key, version=version, name=definition.name or key,
                 source_url=url_for("modeler.source", key=key, version=version))


@bp.route("/modeler/new")
@admin_required
def new() -> Response:
    return _page(key="", version=None, name=None, source_url=url_for("modeler.empty"))


@bp.route("/modeler/source/<key>/<int:version>.bpmn")
@admin_required
def source(key: str, version: int) -> Response:
    try:
        definition = staged_version(get_session(read_only=True), key, version)
    except NotFound:
        abort(404)
    return Response(definition.bpmn_xml, mimetype="application/xml")


@bp.route("/modeler/empty.bpmn")
@admin_required
def empty() -> Response:
    return Response(empty_diagram(), mimetype="application/xml")


@bp.route("/modeler/draft")
@admin_required
def draft() -> Response:
    """The signed-in administrator's kept draft of ``key`` (the XML and why it was refused)."""
    found = drafts.get_draft(get_session(read_only=True), request.args.get("key", "")[:MAX_KEY], current_user.name)
    if found is None:
        abort(404)
    return jsonify(xml=found.bpmn_xml, problems=_shown([Problem(**p) for p in found.problems]),
                   based_on_version=found.based_on_version)


@bp.post("/modeler/draft/discard")
@admin_required
def discard() -> Response:
    session = get_session()
    drafts.discard_draft(session, _field("key")[:MAX_KEY], current_user.name)
    session.commit()
    return jsonify(status="discarded", message=_("The draft kept on the server was deleted."))


@bp.post("/modeler/save")
@admin_required
def save() -> tuple[Response, int] | Response:
    key = _field("key")[:MAX_KEY]
    version = _int(_field("version"))
    xml = _field("xml")
    if not xml.strip():
        return jsonify(status="refused", message=_("The diagram is empty: nothing was saved."), problems=[]), 422
    session = get_session()
    clock = current_app.config["CLOCK"]
    try:
        results = deploy_file(session, xml.encode("utf-8"), _file_name(key, version, xml), clock=clock,
                              actor=current_user.name, stage=True)
    except DefinitionError as exc:
        session.rollback()
        drafts.save_draft(session, key, current_user.name, xml, exc.problems, clock=clock, based_on_version=version)
        session.commit()
        return jsonify(status="refused", problems=_shown(exc.problems),
                       message=_("The procedure was not saved: %(n)s problem(s) to fix. Your draft is kept "
                                 "in the editor and on the server.", n=len(exc.problems))), 422
    for k in {key, *(r.process_key for r in results)}:
        drafts.discard_draft(session, k, current_user.name)
    session.commit()
    created = [r for r in results if r.created]
    if not created:
        r = _pick(results, key)
        return jsonify(status="unchanged", key=r.process_key, version=r.version,
                       message=_("This is exactly version %(version)s of %(key)s: nothing new was stored.",
                                 version=r.version, key=r.process_key))
    r = _pick(created, key)
    return jsonify(status="staged", key=r.process_key, version=r.version, next=_next_url(r),
                   message=_("Saved as version %(version)s of %(key)s. It takes effect once it is activated.",
                             version=r.version, key=r.process_key))


def _page(*, key: str, version: int | None, name: str | None, source_url: str) -> Response:
    session = get_session(read_only=True)
    server_draft = drafts.get_draft(session, key, current_user.name)
    messages = {
        "saving": _("Saving…"), "saveFailed": _("The server did not answer; your draft is kept in this browser. "
                                                 "Try again."),
        "expired": _("The page has expired. Reload the page and save again; your draft is kept in this browser."),
        "loadFailed": _("The diagram could not be opened: %(reason)s"),
        "localDraft": _("This browser kept a draft you had not saved (%(when)s)."),
        "restore": _("Restore it"), "discard": _("Discard it"), "restored": _("The draft was restored."),
        "discarded": _("The draft was discarded."),
        "element": _("element %(id)s"), "line": _("line %(line)s"), "show": _("Show"),
        "leave": _("The diagram has changes that are not saved."),
    }
    body = render_template(
        "modeler/edit.html", key=key, version=version, name=name, source_url=source_url,
        server_draft=server_draft, messages=json.dumps(messages, ensure_ascii=False),
        chinese=current_locale().startswith("zh"), next_version_note=version is not None)
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response


def _field(name: str) -> str:
    payload: Any = request.get_json(silent=True) if request.is_json else request.form
    value = (payload or {}).get(name)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _file_name(key: str, version: int | None, xml: str) -> str:
    """The name the version keeps: the edited version's, else the process id's."""
    if key and version is not None:
        try:
            return staged_version(get_session(), key, version).file_name
        except NotFound:
            pass
    match = re.search(r"<(?:\w+:)?process\b[^>]*\bid=\"([A-Za-z_][\w.-]{0,100})\"", xml)
    return f"{match.group(1) if match else 'new_procedure'}.bpmn"


def _pick(results: list[DeployResult], key: str) -> DeployResult:
    return next((r for r in results if r.process_key == key), results[0])


def _next_url(result: DeployResult) -> str | None:
    """Where the administrator goes after saving: the activation check if that page exists, else the
    procedure's versions, else nowhere (the editor says what happened)."""
    views = current_app.view_functions
    if "activation.show" in views:
        return url_for("activation.show", key=result.process_key, version=result.version)
    if "procedures.show" in views:
        return url_for("procedures.show", key=result.process_key)
    return None


def _shown(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"file": p.file, "line": p.line, "element_id": p.element_id, "message": reason(p)}
            for p in problems]
