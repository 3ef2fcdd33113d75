"""The web UI: a Flask application factory (``flask --app webui run``, ``schoolflow serve``).

Pages so far: the public tracking page ``/track``, where a complainant follows their case.

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

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from engine.time.clock import SystemClock
from engine.storage.db import database_url

from . import api, db, tracking


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the web UI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=database_url(),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        CLOCK=SystemClock(),  # tests put a FakeClock here
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the browser session, not one hour
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

    CSRFProtect(app)
    db.init_app(app)
    app.register_blueprint(tracking.bp)
    api.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.after_request(_security_headers)
    return app


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    # No token, an expired session or a form from elsewhere: never act on it, ask to reload instead.
    return render_template("error.html", message="页面已过期或来源无效，请刷新页面后重新提交。"), 400


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
