"""The database for web requests: one engine per app, made on first use; one session per request.

Views call ``get_session()``; the session is closed when the request ends (rolling back whatever was not
committed). A view that changes something commits once, after the engine call, as the CLI does.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine, make_sessionmaker

_EXTENSION = "schoolflow.sessionmaker"
_lock = threading.Lock()  # waitress serves from several threads; the engine is made once


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """This request's session."""
    if "db_session" not in g:
        g.db_session = _sessionmaker(current_app)()
    session: Session = g.db_session
    return session


def close_session(_error: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def dispose(app: Flask) -> None:
    """Close the app's pooled database connections (tests, and a process that is shutting down)."""
    maker = app.extensions.pop(_EXTENSION, None)
    if maker is not None:
        maker.kw["bind"].dispose()


def _sessionmaker(app: Flask) -> sessionmaker[Session]:
    maker = app.extensions.get(_EXTENSION)
    if maker is None:
        with _lock:
            maker = app.extensions.get(_EXTENSION)
            if maker is None:
                # Made on first use, not in create_app: `schoolflow serve --db` may still change the URL.
                maker = make_sessionmaker(make_engine(app.config["DATABASE_URL"]))
                app.extensions[_EXTENSION] = maker
    return maker
