"""Every answer from ``/api`` is JSON ``{"error", "message", "fields"}``, never an HTML page or traceback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import (
    ConcurrentUpdate,
    DefinitionError,
    EngineError,
    InstanceError,
    InvalidInput,
    NotAllowed,
    NotFound,
    ScriptError,
)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}
_MESSAGES = {
    400: "the request is malformed",
    401: "sign in or send a valid API token",
    403: "you may not do this",
    404: "there is no such thing, or you may not see it",
    405: "this method is not allowed here",
    413: "the request body is too large",
    415: "send JSON (Content-Type: application/json)",
    429: "too many requests; try again later",
}


class ApiError(Exception):
    def __init__(
        self, status: int, message: str | None = None, fields: dict[str, str] | None = None, **extra: Any
    ):
        self.status, self.message, self.fields, self.extra = status, message, fields or {}, extra
        super().__init__(message)


def error_response(
    status: int, message: str | None = None, fields: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "error": _CODES.get(status, "error"),
        "message": message or _MESSAGES.get(status, "error"),
        "fields": fields or {},
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="schoolflow"'
    return response


def install(bp: Blueprint) -> None:
    bp.register_error_handler(ApiError, lambda e: error_response(e.status, e.message, e.fields, **e.extra))
    bp.register_error_handler(NotFound, lambda e: error_response(404, str(e)))
    # A case the caller may not see answers as if it did not exist; acting on a visible task they may
    # not act on is a 403 with the engine's reason.
    bp.register_error_handler(NotAllowed, lambda e: error_response(403, str(e)))
    bp.register_error_handler(InvalidInput, lambda e: error_response(422, str(e), e.field_errors))
    bp.register_error_handler(ConcurrentUpdate, lambda e: error_response(409, str(e)))
    bp.register_error_handler(DefinitionError, _refused)
    bp.register_error_handler(InstanceError, lambda e: error_response(422, str(e)))
    bp.register_error_handler(ScriptError, lambda e: error_response(422, str(e)))
    bp.register_error_handler(EngineError, lambda e: error_response(400, str(e)))
    bp.register_error_handler(HTTPException, _http)


def _refused(e: DefinitionError) -> Response:
    problems = [
        {"file": p.file, "line": p.line, "element_id": p.element_id, "message": p.message} for p in e.problems
    ]
    return error_response(
        422, f"the file was refused ({len(problems)} reasons); nothing was stored", problems=problems
    )


def _http(e: HTTPException) -> Response:
    status = e.code or 500
    # Werkzeug's own descriptions are HTML-flavoured English prose; keep ours.
    return error_response(status, _MESSAGES.get(status) or (e.description or "error"))
