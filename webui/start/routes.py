"""The start pages. Who may start what is ``engine.definitions.starting``; the start form is validated by
``runtime.start_process``; the tracking code is shown on the slip once (kept in the session until then)."""
from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import runtime
from engine.definitions.starting import check_may_start, startable
from engine.errors import InvalidInput, NotFound

from ..db import get_session
from ..forms import engine_data, posted_values, say
from . import bp


@bp.route("/")
def index() -> str:
    procedures = startable(get_session(read_only=True), current_user.name)
    return render_template("start/index.html", procedures=procedures)


@bp.route("/<key>", methods=("GET", "POST"))
def form(key: str) -> str | Response | tuple[str, int]:
    db = get_session()
    try:
        definition, info = check_may_start(db, current_user.name, key)
    except NotFound:
        abort(404)
    fields = [f for f in info.fields if f.type != "file"]  # evidence is attached at the first task
    if request.method == "GET":
        return render_template("start/form.html", definition=definition, fields=fields, typed=None, errors={})
    typed = posted_values(fields, request.form)
    try:
        started = runtime.start_process(db, key, user=current_user.name, clock=current_app.config["CLOCK"],
                                        data=engine_data(fields, typed))
    except InvalidInput as exc:
        db.rollback()
        errors = {k: say(v) for k, v in exc.field_errors.items()} or {"": say(str(exc))}
        return render_template("start/form.html", definition=definition, fields=fields, typed=typed,
                               errors=errors), 422
    db.commit()
    session["slip"] = {"case_number": started.case_number, "code": started.tracking_code,
                       "procedure": definition.name or definition.process_key,
                       "at": current_app.config["CLOCK"].now().isoformat()}
    return redirect(url_for("start.slip", number=started.case_number))


@bp.route("/slip/<number>")
def slip(number: str) -> str:
    """The slip to hand to the complainant: the case number and, this once, the tracking code."""
    kept = session.get("slip") or {}
    if kept.get("case_number") != number:
        abort(404)
    code = kept.pop("code", None)
    session["slip"] = kept
    at = kept.get("at")
    return render_template("start/slip.html", number=number, code=code, procedure=kept.get("procedure"),
                           at=datetime.fromisoformat(at) if at else None,
                           track_url=url_for("tracking.track", _external=True))
