"""The web UI: a Flask application factory (``flask --app webui run``, ``schoolflow serve``).

Pages: sign-in (``/login``), the staff pages behind it (my tasks, start a case, a task's form), and the
public tracking page ``/track``, where a complainant follows their case.

Configuration, later sources winning: the defaults (``DATABASE_URL`` and ``SECRET_KEY`` from the
environment; without ``DATABASE_URL`` the SQLite file ``schoolflow.sqlite`` in the working directory, the
same one the command line uses), then ``instance/config.py``, then ``FLASK_*`` environment variables
(``FLASK_SECRET_KEY``, ``FLASK_DATABASE_URL``). Tests pass ``test_config`` instead of the last two.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, redirect, render_template, url_for
from flask_babel import _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from engine.time.clock import SystemClock
from engine.storage.db import database_url

from . import api, auth, db, i18n, people, security, tracking
from .auth.users import load as load_user
from .extensions import babel, limiter, login_manager


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the web UI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=database_url(),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        CLOCK=SystemClock(),  # tests put a FakeClock here
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=False,  # True: always; otherwise Secure whenever the request is HTTPS
        PROXY_FIX=False,  # True behind one reverse proxy that sets X-Forwarded-Proto/-For
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the browser session, not one hour
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT,
        BABEL_TRANSLATION_DIRECTORIES="translations",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        SIGN_IN_LIMIT_PER_ADDRESS="20 per 10 minutes",
        SIGN_IN_LIMIT_PER_ACCOUNT="5 per 10 minutes",
        TRACK_LIMIT_PER_ADDRESS="10 per 10 minutes",  # failed /track lookups (wrong number or wrong code)
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        # The key signs the session cookie holding the CSRF token. A random one works for this process only:
        # forms shown before a restart, or by another worker process, are then refused.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning("SECRET_KEY is not set; using a random key until this process stops")

    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]

    CSRFProtect(app)
    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_user)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    security.init_app(app)
    # The API takes the browser session's user from here (webui.api.auth).
    app.extensions["schoolflow.current_user"] = _current_user_name
    app.register_blueprint(auth.bp)
    app.register_blueprint(tracking.bp)
    from . import start, tasks  # noqa: PLC0415
    app.register_blueprint(tasks.bp)
    app.register_blueprint(start.bp)
    from . import cases, covers  # noqa: PLC0415  (case pages, my cases, duty cover)
    app.register_blueprint(cases.bp)
    app.register_blueprint(covers.bp)
    from . import procedures  # noqa: PLC0415  (administrators: procedures and their versions)
    app.register_blueprint(procedures.bp)
    from . import activation, migration  # noqa: PLC0415  (administrators: activate a version, move cases)
    app.register_blueprint(activation.bp)
    app.register_blueprint(migration.bp)
    from . import modeler  # noqa: PLC0415  (administrators: the modeler)
    app.register_blueprint(modeler.bp)
    app.add_url_rule("/", "home", _home)
    app.context_processor(_layout_helpers)
    app.add_template_filter(i18n.local_minutes, "local")
    app.add_template_filter(people.person, "person")
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(429, _too_many)
    api.init_app(app)
    return app


def _current_user_name() -> str | None:
    from flask_login import current_user

    return current_user.name if current_user.is_authenticated else None


def _home() -> Response:
    return redirect(url_for("tasks.index"))


def _layout_helpers() -> dict[str, Any]:
    from flask import current_app

    def nav_url(endpoint: str) -> str | None:
        # Pages other blueprints add (cases, covers) appear in the menu once they are registered.
        return url_for(endpoint) if endpoint in current_app.view_functions else None

    from .forms import case_files, event_label, say

    return {"nav_url": nav_url, "say": say, "event_label": event_label, "case_files": case_files, "languages": i18n.LANGUAGES, "html_lang": i18n.html_lang(),
            "current_locale": i18n.current_locale()}


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    # No token, an expired session or a form from elsewhere: never act on it, ask to reload instead.
    message = _("The page has expired or did not come from this site. Reload the page and submit again.")
    return render_template("error.html", message=message), 400


def _not_found(error: Exception) -> tuple[str, int]:
    return render_template("error.html", message=_("There is no such page, or you may not see it.")), 404


def _too_many(error: Exception) -> Any:
    if getattr(error, "response", None) is not None:  # a limit with its own page (/track)
        return error.response  # type: ignore[attr-defined]
    message = _("Too many failed sign-in attempts. Wait ten minutes, then try again.")
    return render_template("auth/login.html", username="", next=None, error=message), 429
