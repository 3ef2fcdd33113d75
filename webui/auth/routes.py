"""Sign-in (rate-limited per address and per account), sign-out (POST), the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import _, refresh
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from engine.people import passwords, users

from ..db import get_session
from ..extensions import limiter
from ..i18n import LANGUAGES
from . import bp
from .users import from_row


def _account_key() -> str:
    # Per account, whatever address the attempts come from (a botnet guessing one person's password).
    return "account:" + request.form.get("username", "").strip().lower()[:64]


def _address_limit() -> str:
    return str(current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"])


def _account_limit() -> str:
    return str(current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"])


def _failed(response: Response) -> bool:
    return response.status_code == 401  # only failed attempts count


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login() -> str | Response | tuple[str, int]:
    """The sign-in form; on success, back to where the person was going (a path on this site only)."""
    target = _safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("home"))
    if request.method == "GET":
        return render_template("auth/login.html", username="", next=target, error=None)
    name = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    session_db = get_session()
    user = passwords.check_password(session_db, name, password) if name and password else None
    if user is None:
        # One answer for an unknown name, no password set and a wrong password: nobody learns who exists.
        error = _("The user name or password is not correct.")
        return render_template("auth/login.html", username=name, next=target, error=error), 401
    signed_in = from_row(user)
    session_db.commit()  # a rehashed password, if the hasher's parameters changed
    session.clear()  # a fresh session: nothing set before signing in survives (session fixation)
    login_user(signed_in)
    refresh()
    return redirect(target or url_for("home"))


@bp.route("/logout", methods=("POST",))
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=("POST",))
def language() -> Response:
    """Switch the language; remembered for the signed-in user, else for this browser's session."""
    chosen = request.form.get("locale", "")
    if chosen in LANGUAGES:
        session["locale"] = chosen
        if current_user.is_authenticated:
            s = get_session()
            users.set_locale(s, current_user.name, chosen)
            s.commit()
        refresh()
    return redirect(_safe_next(request.form.get("next")) or url_for("home"))


def _safe_next(target: str | None) -> str | None:
    """A path on this site, or None: never ``//host``, ``/\\host``, ``https://…``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target
