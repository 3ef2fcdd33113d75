"""My tasks (the inbox), a task's page with its form, claim / unclaim / complete, evidence downloads.

The inbox is ``engine.views.inbox`` (who sees what, counts, keyset pages); the task page is
``engine.views.task_page``; actions are the engine's ``claim_task`` / ``unclaim_task`` / ``complete_task``.
"""
from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from engine import runtime
from engine.cases import evidence
from engine.errors import ConcurrentUpdate, InvalidInput, NotAllowed, NotFound
from engine.views import inbox, task_page
from engine.views.visibility import may_see_case

from ..db import get_session
from ..forms import engine_data, posted_values, say
from ..i18n import school_times
from ..people import remember
from . import bp

PAGE_SIZE = 50


def _now() -> Any:
    return current_app.config["CLOCK"].now()


@bp.route("/")
def index() -> Response | str:
    """The inbox; with ``HX-Request`` only the list (the page polls it, keeping the filter)."""
    args = request.args
    view = args.get("view", "all") if args.get("view") in inbox.VIEWS else "all"
    sort = args.get("sort", "due") if args.get("sort") in inbox.SORTS else "due"
    procedure = args.get("procedure") or None
    number = (args.get("q") or "").strip()[:32] or None
    session = get_session(read_only=True)
    # The settings are read once: the due-soon mark needs the school's calendar, the page's times its zone.
    times = school_times(session)
    try:
        page = inbox.inbox_page(session, current_user.name, _now(), view=view, procedure=procedure,
                                case_number=number, sort=sort, cursor=args.get("after") or None,
                                limit=PAGE_SIZE, times=times)
        error = None
    except InvalidInput:
        page = inbox.inbox_page(session, current_user.name, _now(), view=view, procedure=procedure,
                                case_number=number, sort=sort, limit=PAGE_SIZE, times=times)
        error = _("That page link is no longer valid; showing the first page.")
    remember(session, {t.assignee for t in page.rows if not t.own and t.assignee})  # "covering …" badges
    filters = {"view": view, "sort": sort, "procedure": procedure or "", "q": number or ""}
    context = {"page": page, "filters": filters, "error": error, "after": args.get("after") or "",
               "task_href": _task_href_prefix()}
    template = "tasks/_list.html" if request.headers.get("HX-Request") == "true" else "tasks/index.html"
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def _task_href_prefix() -> str:
    """``/tasks/``: each row's links are this and the task's id, one ``url_for`` a page instead of two a row.
    Task ids are UUIDs (hex digits and hyphens), which ``url_for`` would not have quoted either."""
    marker = "0"
    return url_for("tasks.show", task_id=marker)[: -len(marker)]


def _view(task_id: str) -> task_page.TaskView:
    try:
        return task_page.task_view(get_session(), current_user.name, task_id, _now())
    except NotFound:
        abort(404)


@bp.route("/<task_id>")
def show(task_id: str) -> str | Response:
    view = _view(task_id)
    if not view.open:
        return render_template("tasks/conflict.html", task=view, typed=None, uploads={}), 409
    return render_template("tasks/show.html", task=view, typed=None, errors={}, uploads=_uploads(view, None))


def _uploads(view: task_page.TaskView, typed: dict[str, Any] | None) -> dict[str, list[evidence.Upload]]:
    """The evidence already attached per file field (typed references, else the case's values)."""
    session = get_session()
    out = {}
    for f in view.fields:
        if f.type == "file":
            refs = (typed or {}).get(f.id) if typed is not None else view.values.get(f.id)
            out[f.id] = evidence.uploads_of_case(session, view.instance_id, list(refs or []))
    return out


@bp.route("/<task_id>/claim", methods=("POST",))
def claim(task_id: str) -> Response | tuple[str, int]:
    return _act(task_id, runtime.claim_task, _("The task is now yours."))


@bp.route("/<task_id>/unclaim", methods=("POST",))
def unclaim(task_id: str) -> Response | tuple[str, int]:
    return _act(task_id, runtime.unclaim_task, _("The task is back in the queue."))


def _act(task_id: str, action: Any, done: str) -> Response | tuple[str, int]:
    view = _view(task_id)  # 404 for a task this person does not see
    session = get_session()
    try:
        action(session, task_id, user=current_user.name, clock=current_app.config["CLOCK"])
    except ConcurrentUpdate:
        session.rollback()
        return render_template("tasks/conflict.html", task=_view(task_id), typed=None, uploads={}), 409
    except NotAllowed as exc:
        session.rollback()
        return render_template("tasks/show.html", task=view, typed=None, errors={}, uploads=_uploads(view, None),
                               notice=say(str(exc))), 403
    session.commit()
    if action is runtime.unclaim_task and not _still_visible(task_id):
        return redirect(url_for("tasks.index"))
    return redirect(url_for("tasks.show", task_id=task_id))


def _still_visible(task_id: str) -> bool:
    try:
        task_page.task_view(get_session(), current_user.name, task_id, _now())
        return True
    except NotFound:
        return False


@bp.route("/<task_id>/complete", methods=("POST",))
def complete(task_id: str) -> Response | tuple[str, int]:
    view = _view(task_id)
    session = get_session()
    typed = posted_values(view.fields, request.form)
    errors: dict[str, str] = {}
    # Uploads first: each file field keeps the references of what was attached before, plus new files.
    for f in view.fields:
        if f.type != "file" or f.readonly:
            continue
        for upload in request.files.getlist(f.id):
            if not upload or not upload.filename:
                continue
            content = upload.read(evidence.MAX_BYTES + 1)
            try:
                stored = evidence.store(session, content, upload.filename, instance_id=view.instance_id,
                                        user=current_user.name, now=_now())
            except InvalidInput as exc:
                errors[f.id] = say(str(exc))
                continue
            typed[f.id] = [*typed.get(f.id, []), stored.reference]
        # only this case's evidence may be referenced
        kept = evidence.uploads_of_case(session, view.instance_id, typed.get(f.id, []))
        typed[f.id] = [u.reference for u in kept]
    if not view.open:
        session.rollback()
        return render_template("tasks/conflict.html", task=view, typed=typed, uploads=_uploads(view, typed)), 409
    if not errors:
        try:
            runtime.complete_task(session, task_id, user=current_user.name,
                                  clock=current_app.config["CLOCK"], data=engine_data(view.fields, typed))
        except InvalidInput as exc:
            errors = {k: say(v) for k, v in exc.field_errors.items()} or {"": say(str(exc))}
        except ConcurrentUpdate:
            session.rollback()
            return render_template("tasks/conflict.html", task=_view(task_id), typed=typed,
                                   uploads=_uploads(view, typed)), 409
        except NotAllowed as exc:
            session.rollback()
            return render_template("tasks/show.html", task=view, typed=typed, errors={},
                                   uploads=_uploads(view, typed), notice=say(str(exc))), 403
        else:
            session.commit()
            return redirect(url_for("tasks.index", done=view.case_number or ""))
    # Invalid: the uploads are kept (committed) so the person need not choose the files again.
    session.commit()
    return render_template("tasks/show.html", task=view, typed=typed, errors=errors,
                           uploads=_uploads(view, typed)), 422


@bp.route("/evidence/<int:upload_id>")
def download(upload_id: int) -> Response:
    """An evidence file, for people who may see its case (404 for everyone else)."""
    session = get_session(read_only=True)
    try:
        upload = evidence.upload_of(session, upload_id)
    except NotFound:
        abort(404)
    if not may_see_case(session, current_user.name, upload.instance_id, now=_now()):
        abort(404)
    response = make_response(evidence.content_of(session, upload))
    response.headers["Content-Type"] = upload.media_type
    response.headers["Content-Disposition"] = _attachment(upload.file_name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
