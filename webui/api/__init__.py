"""The JSON API under ``/api/v1``: the web UI's rules for programs (a WeCom bot, the school portal).

Every operation calls the same engine functions as the pages and the command line. Requests and
responses are pydantic models (``schemas``); spectree validates them and generates the OpenAPI 3.1
document at ``/api/v1/openapi.json`` from them, shown at ``/api/docs``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..extensions import limiter
from . import docs
from .errors import error_response
from .routes import bp, spec


def init_app(app: Flask) -> None:
    """Register the API; call it after the pages' own error handlers are registered (it chains to them)."""
    app.register_blueprint(bp)
    app.register_blueprint(docs.bp)
    app.extensions["csrf"].exempt(
        bp
    )  # token requests carry no CSRF token; session requests are checked in auth
    # Only the sign-in form is limited: the limiter skips API calls before it looks for limits at all.
    limiter.request_filter(lambda: request.blueprint == bp.name)
    spec.app = app  # the document is served by our own route: spectree's would hide /api/v1 from it
    # Errors raised while routing (no such path, wrong method, body too large) reach the app, not the
    # blueprint: answer those under /api in JSON and leave the pages' answers as they are.
    for code in (404, 405, 413):
        _json_under_api(app, code)


def _json_under_api(app: Flask, code: int) -> None:
    previous = app.error_handler_spec.get(None, {}).get(code, {})
    page_handler = next(iter(previous.values()), None)

    def handler(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return error_response(code)
        return page_handler(error) if page_handler else error

    app.register_error_handler(code, handler)


__all__ = ["init_app"]
