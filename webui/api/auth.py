"""Who is calling the API: an ``Authorization: Bearer`` token, else the signed-in browser session.

A token request needs no CSRF token (a browser never sends the header by itself); a session request that
changes something must carry the page's CSRF token in ``X-CSRFToken``, as same-origin scripts do.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_wtf.csrf import CSRFError

from engine.people import tokens

from ..db import get_session, write_transaction
from .errors import ApiError

SAFE = {"GET", "HEAD", "OPTIONS"}


def caller() -> str:
    """The user the request acts as. :raises ApiError: 401 without valid credentials."""
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "send 'Authorization: Bearer <token>'")
        g.api_user = _token_user(secret.strip())
        return g.api_user
    user = _session_user()
    if user is None:
        raise ApiError(401)
    if request.method not in SAFE:
        try:
            current_app.extensions["csrf"].protect()
        except CSRFError:
            raise ApiError(400, "a request from the browser session must carry X-CSRFToken") from None
    g.api_user = user
    return user


def _token_user(secret: str) -> str:
    now = current_app.config["CLOCK"].now()
    reading = request.method in SAFE
    session = get_session(read_only=reading)
    token = tokens.authenticate(session, secret, now)
    if token is None:
        raise ApiError(401, "the API token is unknown, expired or revoked")
    if tokens.needs_touch(token, now):  # once a minute at most
        if reading:  # the request's session writes nothing: a short transaction of its own
            with write_transaction() as writer:
                tokens.touch(writer, token.token_id, now)
        else:  # committed with the request's own change (SQLite has one writer at a time)
            tokens.touch(session, token.token_id, now)
    return token.user


def _session_user() -> str | None:
    # The web UI's sign-in (Flask-Login) keeps the user; without it there is no browser session here.
    login = current_app.extensions.get("schoolflow.current_user")
    return login() if login else None
