"""The duty cover page: my covers (every cover, for an administrator), a form to arrange one, and a
button to cancel each. The rules are ``engine.people.substitution``'s, as for ``schoolflow cover``; this
module reads the form, and shows a refusal next to the field it concerns with everything typed kept.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.people import substitution
from engine.people.users import list_users
from engine.time.school_time import school_time

from ..db import get_session
from ..engine_messages import say
from . import bp

FIELDS = ("user", "substitute", "starts", "ends", "reason")
# The engine names the field a refusal concerns (``InvalidInput.field_errors``) with a short English
# phrase; these are the words people read next to the field.
ENGINE_FIELDS = {"user": "user", "substitute": "substitute", "starts_at": "starts", "ends_at": "ends",
                 "reason": "reason"}
FIELD_WORDS = {
    "a colleague, not the absent user": _l("Choose a colleague: nobody can cover for themselves."),
    "is away during the period": _l("This colleague is away during that period too; choose one on duty."),
    "overlaps another cover": _l("There is already cover for part of this period; cancel it first."),
    "not after the start": _l("The end must come after the start."),
    "in the past": _l("This period is already over."),
    "too long": _l("The reason is too long (at most 255 characters)."),
    "covers someone else during the period": _l(
        "This person covers someone else during the period; an administrator must rearrange that first."),
    "no time zone": _l("Enter a date and time like 2026-10-08 14:00."),
}
STATES = {"upcoming": _l("Upcoming"), "active": _l("Active"), "ended": _l("Ended"),
          "cancelled": _l("Cancelled")}


@bp.route("/", methods=("GET", "POST"))
def index() -> str | tuple[str, int] | Response:
    if request.method == "POST":
        return _arrange()
    return _page({"user": current_user.name, "substitute": "", "starts": "", "ends": "", "reason": ""}, {})


@bp.route("/<int:cover_id>/cancel", methods=("POST",))
def cancel(cover_id: int) -> str | tuple[str, int] | Response:
    session = get_session()
    try:
        substitution.cancel(session, cover_id, clock=current_app.config["CLOCK"], actor=current_user.name)
    except (NotFound, NotAllowed):
        abort(404)  # someone else's cover is none of this person's business
    except InvalidInput:
        session.rollback()
        return _page(_blank(), {}, notice=_("This cover had already ended or been cancelled.")), 409
    session.commit()
    return redirect(url_for("covers.index", done="cancelled"), code=303)


def _blank() -> dict[str, str]:
    return {"user": current_user.name, "substitute": "", "starts": "", "ends": "", "reason": ""}


def _arrange() -> tuple[str, int] | Response:
    typed = {name: request.form.get(name, "").strip() for name in FIELDS}
    if not current_user.is_admin or not typed["user"]:
        typed["user"] = current_user.name  # only an administrator arranges someone else's cover
    session = get_session()
    zone = school_time(session).tz
    errors: dict[str, str] = {}
    if not typed["substitute"]:
        errors["substitute"] = _("Choose the colleague who covers.")
    starts = _moment(typed["starts"], zone, end=False, errors=errors, field="starts")
    ends = _moment(typed["ends"], zone, end=True, errors=errors, field="ends")
    if errors:
        return _page(typed, errors), 422
    assert starts is not None and ends is not None
    try:
        substitution.arrange(session, typed["user"], typed["substitute"], starts, ends,
                             clock=current_app.config["CLOCK"], reason=typed["reason"] or None,
                             actor=current_user.name)
    except NotFound:
        session.rollback()
        if typed["user"] != current_user.name and not _exists(session, typed["user"]):
            errors["user"] = _("There is no user with this name.")
        else:
            errors["substitute"] = _("There is no colleague with this name.")
        return _page(typed, errors), 422
    except InvalidInput as refused:
        session.rollback()
        for key, words in (refused.field_errors or {"starts_at": ""}).items():
            errors[ENGINE_FIELDS.get(key, "starts")] = str(FIELD_WORDS.get(words, words) or refused)
        return _page(typed, errors, detail=say(str(refused))), 422
    session.commit()
    return redirect(url_for("covers.index", done="arranged"), code=303)


def _exists(session: Any, name: str) -> bool:
    return any(u.name == name for u in list_users(session))


def _moment(value: str, zone: ZoneInfo, *, end: bool, errors: dict[str, str], field: str) -> datetime | None:
    """A date and time typed in the school's time zone; a bare date is that whole day (as the CLI has it)."""
    if not value:
        starts = field == "starts"
        errors[field] = _("Enter when the cover starts.") if starts else _("Enter when the cover ends.")
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), zone)
        moment = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        errors[field] = _("Enter a date and time like 2026-10-08 14:00.")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _page(typed: dict[str, str], errors: dict[str, str], *, notice: str | None = None,
          detail: str | None = None) -> str:
    session = get_session()
    now = current_app.config["CLOCK"].now()
    zone = school_time(session).tz
    past = request.args.get("all") == "1"
    covers = substitution.list_covers(session, now=now, include_past=past,
                                      involving=None if current_user.is_admin else current_user.name)
    colleagues = [u for u in list_users(session) if u.name != current_user.name or current_user.is_admin]
    done = {"arranged": _("The cover is arranged."), "cancelled": _("The cover is cancelled.")}
    return render_template(
        "covers/index.html", covers=covers, now=now, zone=zone, typed=typed, errors=errors, states=STATES,
        colleagues=colleagues, notice=notice or done.get(request.args.get("done", "")), detail=detail,
        show_past=past)
