"""The database for web requests: one engine per app, made on first use; one session per request.

Views call ``get_session()``, or ``get_session(read_only=True)`` when they only look (the session then
neither waits for nor holds up a writer, see ``engine.storage.db.make_sessionmaker``); the session is closed when
the request ends (rolling back whatever was not committed). A view that changes something commits once,
after the engine call, as the CLI does.
"""
from __future__ import annotations

import threading
from contextlib import AbstractContextManager

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from engine.storage.db import make_engine, make_sessionmaker

_EXTENSION = "schoolflow.sessionmakers"
_lock = threading.Lock()  # waitress serves from several threads; the engine is made once


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_session)


def get_session(*, read_only: bool = False) -> Session:
    """This request's session (one per request; the first call decides whether it is read-only)."""
    if "db_session" not in g:
        g.db_session = _sessionmakers(current_app)[read_only]()
    session: Session = g.db_session
    return session


def write_transaction() -> AbstractContextManager[Session]:
    """A separate, short write transaction beside the request's session (committed when the block ends)."""
    return _sessionmakers(current_app)[False].begin()


def read_session() -> Session:
    """A separate short read-only session (use as ``with read_session() as s:``), beside the request's.

    For what every request reads before its view runs (the signed-in user, the school's time zone): the
    request's own session stays free to be a writing one.
    """
    return _sessionmakers(current_app)[True]()


def close_session(_error: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def dispose(app: Flask) -> None:
    """Close the app's pooled database connections (tests, and a process that is shutting down)."""
    makers = app.extensions.pop(_EXTENSION, None)
    if makers is not None:
        makers[False].kw["bind"].dispose()


def _sessionmakers(app: Flask) -> dict[bool, sessionmaker[Session]]:
    """The app's sessionmakers by ``read_only``, on one engine."""
    makers = app.extensions.get(_EXTENSION)
    if makers is None:
        with _lock:
            makers = app.extensions.get(_EXTENSION)
            if makers is None:
                # Made on first use, not in create_app: `schoolflow serve --db` may still change the URL.
                engine = make_engine(app.config["DATABASE_URL"])
                makers = {False: make_sessionmaker(engine), True: make_sessionmaker(engine, read_only=True)}
                app.extensions[_EXTENSION] = makers
    return makers
