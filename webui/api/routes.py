"""The API's operations. Each checks who calls (``auth.caller``), calls the engine, and answers JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from spectree import Response as Resp
from spectree import SecurityScheme, SpecTree
from spectree.models import InType, SecureType, SecuritySchemeData
import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest

from engine import definitions, runtime
from engine.errors import ConcurrentUpdate, NotAllowed, NotFound
from engine.storage.models import Case, Instance
from engine.time import school_time
from engine.views import inbox, queries, tracking, visibility

from ..db import get_session
from . import schemas as s
from .auth import SAFE, caller
from .errors import ApiError, error_response, install

bp = Blueprint("api", __name__, url_prefix="/api/v1")
install(bp)
MAX_JSON_BYTES = 1024 * 1024
MAX_FILE_BYTES = 6 * 1024 * 1024  # a procedure file may be 5 MB (engine limit) plus the multipart framing


def _validation_failed(req: Any, resp: Any, error: Exception | None, _instance: Any, adapter: Any) -> None:
    """spectree's hook: its answer to invalid values becomes ours (a body that is no JSON is a 400 before)."""
    if error is None or resp is None:
        return
    fields = {
        ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "header")) or "body": e.get(
            "msg", "invalid"
        )
        for e in adapter.validation_errors(error)
    }
    body, status = (
        {"error": "invalid_input", "message": "the request has invalid values", "fields": fields},
        422,
    )
    resp.set_data(json.dumps(body, ensure_ascii=False))
    resp.status_code = status
    resp.mimetype = "application/json"


spec = SpecTree(
    # ``path`` is where spectree would serve its own pages (not registered: ours is /api/v1/openapi.json);
    # it leaves the routes under it out of the document, so it must not be /api/v1.
    "flask",
    title="schoolflow API",
    version="v1",
    path="api/_spec",
    filename="openapi.json",
    page_templates={},
    annotations=True,
    before=_validation_failed,
    mode="strict",
    security_schemes=[
        SecurityScheme(name="token", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer")),
        SecurityScheme(
            name="session",
            data=SecuritySchemeData(type=SecureType.API_KEY, name="session", field_in=InType.COOKIE),
        ),
    ],
    security=[{"token": []}, {"session": []}],
)
E = {f"HTTP_{code}": s.Error for code in (400, 401, 403, 404, 413, 422)}


@bp.before_request
def _limits() -> Response | None:
    limit = MAX_FILE_BYTES if request.endpoint == "api.deploy" else MAX_JSON_BYTES
    if (request.content_length or 0) > limit:
        return error_response(413, f"the request body is over {limit // 1024} KB")
    if (
        request.method not in SAFE
        and request.endpoint != "api.deploy"
        and request.get_data()
        and request.mimetype != "application/json"
    ):
        return error_response(415)
    if request.mimetype == "application/json" and request.get_data():
        try:
            request.get_json()  # parsed once: spectree validates the cached result
        except (BadRequest, RecursionError):
            return error_response(400, "the body is not valid JSON")
    return None


def _session() -> Session:
    return get_session(read_only=request.method in SAFE)


def _now() -> Any:
    return current_app.config["CLOCK"].now()


def _etag(instance_id: int, version: int) -> str:
    return f'"{instance_id}.{version}"'


def _case_of_task_visible(session: Session, user: str, task_id: str) -> None:
    """404 unless ``user`` may see the case the task belongs to (on the paths that refuse)."""
    found = queries.case_version_of_task(session, task_id)
    if found is None or not visibility.may_see_case(session, user, found[0], now=_now()):
        raise NotFound("there is no such task, or it is not waiting for you")


def _visible_task(session: Session, user: str, task_id: str) -> dict[str, Any]:
    """The task as ``user`` sees it in their list, or 404 (also for a task of a case they may not see)."""
    for task in queries.tasks_json(session, user, _now(), [task_id]):  # the list's rule, for one task
        return task
    raise NotFound("there is no such task, or it is not waiting for you")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document, generated from the models and routes above."""
    return jsonify(spec.spec)


# ------------------------------------------------------------------------------------------ definitions
@bp.get("/definitions")
@spec.validate(
    operation_id="listDefinitions", resp=Resp(HTTP_200=list[s.Definition], **E), tags=["definitions"]
)
def list_definitions() -> Any:
    """The deployed procedures, each with its latest version."""
    caller()
    return queries.definitions_json(_session())


@bp.post("/definitions")
@spec.validate(
    operation_id="deployDefinitions",
    resp=Resp(
        HTTP_201=list[s.Deployed], HTTP_422=s.Refused, **{k: v for k, v in E.items() if k != "HTTP_422"}
    ),
    tags=["definitions"],
)
def deploy() -> Any:
    """Deploy a procedure file (multipart field ``file``); administrators only. All or nothing."""
    user = caller()
    session = _session()
    if not _is_admin(session, user):
        raise ApiError(403, "only an administrator can deploy procedures")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "send the procedure file as the multipart field 'file'", {"file": "missing"})
    results = definitions.deploy_file(
        session, upload.read(), upload.filename, clock=current_app.config["CLOCK"], actor=user
    )
    session.commit()
    return [
        {"key": r.process_key, "version": r.version, "created": r.created, "file": r.file_name}
        for r in results
    ], 201


def _is_admin(session: Session, user: str) -> bool:
    from engine.people.users import get_user

    return get_user(session, user).is_admin


# ------------------------------------------------------------------------------------------------ cases
@bp.post("/processes/<string:key>/instances")
@spec.validate(
    operation_id="startCase", json=s.DataIn, resp=Resp(HTTP_201=s.Started, **E), tags=["cases"]
)
def start(key: str, json: s.DataIn) -> Any:  # noqa: A002 - spectree passes the body as ``json``
    """Start a case of procedure ``key`` with its start form's data."""
    user = caller()
    session = _session()
    started = runtime.start_process(
        session, key, user=user, clock=current_app.config["CLOCK"], data=json.data
    )
    session.commit()
    return {
        "id": started.id,
        "case_number": started.case_number,
        "status": str(started.status),
        "tracking_code": started.tracking_code,
    }, 201


@bp.get("/instances/<int:instance_id>")
@spec.validate(operation_id="showCase", resp=Resp(HTTP_200=s.InstanceOut, **E), tags=["cases"])
def show(instance_id: int) -> Any:
    """A case as ``schoolflow show --json`` prints it; 404 for a case the caller may not see."""
    user = caller()
    session = _session()
    instance = visibility.find_case(session, instance_id, user, now=_now())
    response = jsonify(queries.instance_view(session, instance.id, _now()))
    response.headers["ETag"] = _etag(instance.id, instance.version)
    return response


@bp.get("/instances")
@spec.validate(
    operation_id="listCases", query=s.CaseQuery, resp=Resp(HTTP_200=s.CasePage, **E), tags=["cases"]
)
def my_cases(query: s.CaseQuery) -> Any:
    """The cases the caller may see, newest first, a page at a time."""
    user = caller()
    session = _session()
    before = _int_cursor(query.cursor)
    condition = visibility.visible_cases(session, user, now=_now())
    stmt = (sa.select(Instance.id, Case.number, Instance.process_key, Instance.status, Instance.started_at)
            .outerjoin(Case, Case.instance_id == Instance.id).where(condition)
            .order_by(Instance.id.desc()).limit(query.limit + 1))
    if before is not None:
        stmt = stmt.where(Instance.id < before)
    zone = school_time.school_time(session).tz
    rows = [{"id": r.id, "case_number": r.number, "process_key": r.process_key, "status": str(r.status),
             "started_at": queries.local_time(r.started_at, zone)} for r in session.execute(stmt)]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    nxt = url_for("api.my_cases", limit=query.limit, cursor=_encode(str(rows[-1]["id"]))) if more else None
    return {"items": rows, "next": nxt}


# ------------------------------------------------------------------------------------------------ tasks
@bp.get("/tasks")
@spec.validate(
    operation_id="listTasks", query=s.TaskQuery, resp=Resp(HTTP_200=s.TaskPage, **E), tags=["tasks"]
)
def tasks(query: s.TaskQuery) -> Any:
    """The caller's tasks: assigned to them, their groups' queue, and those of colleagues they cover."""
    user = caller()
    session, now = _session(), _now()
    page = inbox.inbox_page(session, user, now, view=query.view, procedure=query.procedure,
                            case_number=query.case_number, sort=query.sort, cursor=query.cursor,
                            limit=query.limit)
    items = queries.tasks_json(session, user, now, [r.id for r in page.rows])
    nxt = None
    if page.next_cursor:
        args = {k: v for k, v in query.model_dump().items() if v is not None and k != "cursor"}
        nxt = url_for("api.tasks", **args, cursor=page.next_cursor)
    return {"items": items, "counts": page.counts, "next": nxt}


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError(400, "the cursor is not one this API gave out", {"cursor": "invalid"}) from None


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    text = _decode(cursor)
    if not text.isdigit() or len(text) > 18:
        raise ApiError(400, "the cursor is not one this API gave out", {"cursor": "invalid"})
    return int(text)


@bp.get("/tasks/<string:task_id>")
@spec.validate(operation_id="showTask", resp=Resp(HTTP_200=s.Task, **E), tags=["tasks"])
def task(task_id: str) -> Any:
    """One of the caller's tasks; its ETag is the case's version, for ``If-Match`` on completion."""
    user = caller()
    session = _session()
    found = _visible_task(session, user, task_id)
    response = jsonify(found)
    version = queries.case_version_of_task(session, task_id)
    if version is not None:
        response.headers["ETag"] = _etag(*version)
    return response


def _act(task_id: str, action: Any, **kwargs: Any) -> Any:
    user = caller()
    session = _session()
    try:
        row = action(session, task_id, user=user, clock=current_app.config["CLOCK"], **kwargs)
    except (NotAllowed, ConcurrentUpdate):
        session.rollback()
        _case_of_task_visible(session, user, task_id)  # 404 for a task of a case the caller does not see
        raise
    session.commit()
    return row


@bp.post("/tasks/<string:task_id>/claim")
@spec.validate(
    operation_id="claimTask", resp=Resp(HTTP_200=s.TaskDone, HTTP_409=s.Error, **E), tags=["tasks"]
)
def claim(task_id: str) -> Any:
    """Take an unclaimed task from the queue."""
    row = _act(task_id, runtime.claim_task)
    return {"id": row.id, "instance_id": row.instance_id, "instance_status": "running"}


@bp.post("/tasks/<string:task_id>/unclaim")
@spec.validate(
    operation_id="unclaimTask", resp=Resp(HTTP_200=s.TaskDone, HTTP_409=s.Error, **E), tags=["tasks"]
)
def unclaim(task_id: str) -> Any:
    """Give a claimed task back to the queue."""
    row = _act(task_id, runtime.unclaim_task)
    return {"id": row.id, "instance_id": row.instance_id, "instance_status": "running"}


@bp.post("/tasks/<string:task_id>/reassign")
@spec.validate(
    operation_id="reassignTask",
    json=s.ReassignIn,
    resp=Resp(HTTP_200=s.TaskDone, HTTP_409=s.Error, **E),
    tags=["tasks"],
)
def reassign(task_id: str, json: s.ReassignIn) -> Any:  # noqa: A002
    """Hand a task to someone (administrators only)."""
    user = caller()
    session = _session()
    if not _is_admin(session, user):
        raise ApiError(403, "only an administrator can reassign a task")
    row = runtime.reassign_task(session, task_id, user=user, to=json.to, clock=current_app.config["CLOCK"])
    session.commit()
    return {"id": row.id, "instance_id": row.instance_id, "instance_status": "running"}


@bp.post("/tasks/<string:task_id>/complete")
@spec.validate(
    operation_id="completeTask",
    json=s.DataIn, resp=Resp(HTTP_200=s.TaskDone, HTTP_409=s.Error, HTTP_412=s.Error, **E), tags=["tasks"]
)
def complete(task_id: str, json: s.DataIn) -> Any:  # noqa: A002
    """Submit the task's form; with ``If-Match`` (the task's or case's ETag) a stale version answers 412."""
    user = caller()
    session = _session()
    wanted = request.headers.get("If-Match")
    if wanted is not None:
        found = queries.case_version_of_task(session, task_id)
        if found is None:
            raise NotFound("there is no such task, or it is not waiting for you")
        if wanted.strip() not in (_etag(*found), "*"):
            _case_of_task_visible(session, user, task_id)  # a stranger learns nothing from the version
            raise ApiError(412, "the case changed since you read it; read the task again")
    clock = current_app.config["CLOCK"]
    try:
        done = runtime.complete_task(session, task_id, user=user, clock=clock, data=json.data)
    except (NotAllowed, ConcurrentUpdate):
        session.rollback()
        _case_of_task_visible(session, user, task_id)  # someone else acted first: 409 for those who see it
        raise
    session.commit()
    return {"id": done.id, "instance_id": done.instance_id, "instance_status": str(done.instance_status)}


# ------------------------------------------------------------------------------------------------ public
@bp.get("/track/<string:case_number>")
@spec.validate(
    operation_id="trackCase",
    headers=s.TrackingHeaders,
    resp=Resp(HTTP_200=s.Tracking, HTTP_404=s.Error, HTTP_422=s.Error),
    tags=["public"],
    security={},
)
def track(case_number: str, headers: s.TrackingHeaders) -> Any:
    """The case as its complainant sees it; no sign-in, the code in ``X-Tracking-Code``."""
    if len(case_number) > 32:
        raise NotFound(tracking.NO_MATCH)
    view = tracking.track(get_session(read_only=True), case_number, headers.x_tracking_code, _now())
    response = jsonify(view.to_json())
    response.headers["Cache-Control"] = "no-store"
    return response
