"""The case page and my cases. What a case shows is ``engine.views.case_detail``; who may open it is
``engine.views.visibility`` (through ``case_access``, which takes case numbers only): anyone else gets the
404 a case number nobody uses gets.
"""
from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from engine.errors import NotFound
from engine.views import case_access, case_detail, my_cases

from ..db import get_session
from . import bp

STATUS = {"running": _l("In progress"), "completed": _l("Closed"), "error": _l("Stopped by an error"),
          "cancelled": _l("Ended")}
WHICH = {"all": _l("All"), "open": _l("Open"), "closed": _l("Closed")}
EVENTS = {
    "instance.started": _l("Case opened"), "task.claimed": _l("Took the task"),
    "task.unclaimed": _l("Gave the task back"), "task.reassigned": _l("Handed the task on"),
    "task.completed": _l("Completed"), "timer.fired": _l("Deadline or timer reached"),
    "instance.completed": _l("Case closed"), "instance.error": _l("Stopped by an error"),
    "instance.cancelled": _l("Case ended"),
    "instance.migrated": _l("Moved to another version of the procedure"),
}


@bp.app_template_filter("case_status")
def case_status(status: str) -> Any:
    return STATUS.get(status, status)


@bp.route("/")
def index() -> str:
    which = request.args.get("which", "all")
    which = which if which in WHICH else "all"
    search = request.args.get("q", "")[:my_cases.MAX_SEARCH]
    page = my_cases.my_cases(get_session(read_only=True), current_user.name, search=search, which=which,
                             after=request.args.get("after") or None)
    return render_template("cases/index.html", page=page, search=search, which=which, choices=WHICH)


def _visible(number: str) -> None:
    now = current_app.config["CLOCK"].now()
    try:
        case_access.check_may_see(get_session(read_only=True), number, current_user.name, now)
    except NotFound:
        abort(404)


@bp.route("/<number>")
def show(number: str) -> str:
    _visible(number)
    now = current_app.config["CLOCK"].now()
    case = case_detail.case_detail(get_session(read_only=True), number, now)
    return render_template("cases/show.html", case=case, events=EVENTS, start_form=case_detail.START_FORM,
                           task_url=_task_url)


def _task_url(task_id: str) -> str | None:
    # The task page belongs to the tasks blueprint; without it the task's name is shown unlinked.
    try:
        return url_for("tasks.show", task_id=task_id)
    except BuildError:
        return None


@bp.route("/<number>/diagram.bpmn")
def diagram(number: str) -> Response:
    """The BPMN file the case runs on, for the page's viewer (same rule as the page)."""
    _visible(number)
    xml = case_detail.diagram_xml(get_session(read_only=True), number)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "no-store"})
