"""The public tracking page: a complainant enters their case number and tracking code and sees how
far the case has come and, once the procedure has given one, its result (``engine.views.tracking``).

Public, so no login; the POST carries a CSRF token like every other. Failed lookups are limited per
address (``TRACK_LIMIT_PER_ADDRESS``, Flask-Limiter like the sign-in), whichever of the two was wrong. Responses are never cached
(``no-store``): they show one person's case.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, make_response, render_template, request

from engine.views import tracking
from engine.errors import NotFound

from .db import get_session
from .extensions import limiter

bp = Blueprint("tracking", __name__)

MISSING = "请填写案件编号和查询码。"
TOO_LONG = "案件编号或查询码过长，请核对后重新输入。"
MAX_NUMBER_CHARS, MAX_CODE_CHARS = 32, 32  # a case number is like TS-2026-000001, a code like ABCD-EFGH-JKLM
NO_MATCH = "案件编号或查询码不正确，请核对后重新输入。查询码在受理时提供给您。"
TOO_MANY = "查询失败次数过多，请十分钟后再试。"
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    # Nothing on these pages comes from elsewhere or runs inline; a stray script could not run either.
    "Content-Security-Policy":
        "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


@bp.after_request
def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.app_template_filter("minutes")
def minutes(moment: datetime | None) -> str:
    """A moment to the minute, in its own zone (the engine gives the school's): ``2026-09-30 10:00``."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _too_many() -> Response:
    # The tracking page itself (not the sign-in page the app's 429 handler shows), nothing of the input kept.
    page = render_template("tracking/track.html", number="", code="", error=TOO_MANY, case=None)
    return make_response(page, 429)


def _lookup_limit() -> str:
    return str(current_app.config["TRACK_LIMIT_PER_ADDRESS"])


def _failed(response: Response) -> bool:
    # Only failed lookups count: a complainant may look at their own case as often as they like.
    return response.status_code in (400, 404)


@bp.route("/track", methods=("GET", "POST"))
@limiter.limit(_lookup_limit, methods=["POST"], deduct_when=_failed, on_breach=lambda limit: _too_many())
def track() -> str | tuple[str, int]:
    """Show the form; on POST, the case's progress and result, or the form again with the reason."""
    if request.method == "GET":
        return render_template("tracking/track.html", number="", code="", error=None, case=None)
    number = request.form.get("case_number", "").strip()
    code = request.form.get("code", "").strip()
    if len(number) > MAX_NUMBER_CHARS or len(code) > MAX_CODE_CHARS:
        # Refused before anything reads it, and not shown back: an over-long value is nobody's case number.
        return render_template("tracking/track.html", number="", code="", error=TOO_LONG, case=None), 400
    if not number or not code:
        error, status = MISSING, 400
    else:
        try:
            now = current_app.config["CLOCK"].now()
            case = tracking.track(get_session(read_only=True), number, code, now)
        except NotFound:
            error, status = NO_MATCH, 404
        else:
            return render_template("tracking/track.html", number=case.case_number, code="", error=None,
                                   case=case)
    # What was typed stays in the form, so a typo can be corrected; the page is not cached.
    return render_template("tracking/track.html", number=number, code=code, error=error, case=None), status
