"""What every response carries (CSP and friends), who may open which page, and the session cookie.

Every page needs a signed-in user except those in ``PUBLIC`` (sign-in, the complainant's tracking page,
static files) and the JSON API, which answers 401 itself (tokens or the session, ``webui.api.auth``).
"""
from __future__ import annotations

from flask import Flask, Request, Response, request, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user

from .extensions import login_manager

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
PUBLIC = {"auth.login", "auth.language", "tracking.track", "api_docs.docs", "static"}  # docs: no data


def init_app(app: Flask) -> None:
    app.session_interface = _SessionCookie()
    app.before_request(_require_sign_in)
    app.after_request(_headers)
    login_manager.unauthorized_handler(_unauthorized)


def _require_sign_in() -> Response | None:
    endpoint = request.endpoint or ""
    # The API answers 401 (and unknown API paths 404) in JSON itself.
    if endpoint in PUBLIC or request.path.startswith("/api/v1/") or current_user.is_authenticated:
        return None
    return _unauthorized()


def _unauthorized() -> Response:
    login = url_for("auth.login")
    if request.headers.get("HX-Request") == "true":
        # An htmx poll after the session ended: send the whole page to sign-in, not into a <tbody>.
        response = Response(status=401)
        response.headers["HX-Redirect"] = login
        return response
    target = request.full_path if request.method == "GET" else None
    response = Response(status=302)
    response.headers["Location"] = url_for("auth.login", next=target.rstrip("?")) if target else login
    return response


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.headers.get("HX-Request") is not None or response.mimetype == "text/html":
        response.vary.add("HX-Request")
    # Mimetype first: an API answer never loads the signed-in user just for this.
    if response.mimetype == "text/html" and current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")  # one person's tasks and cases
    return response


class _SessionCookie(SecureCookieSessionInterface):
    """The session cookie is HttpOnly and SameSite=Lax (config), and Secure whenever the request came
    over HTTPS (behind a TLS proxy, set ``PROXY_FIX`` so Flask sees the original scheme)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # A request without the cookie (every program with a token) starts an empty session without
        # building the cookie's signer first; the answer is the one Flask gives.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        req: Request | None = request._get_current_object() if request else None  # type: ignore[attr-defined]
        return bool(app.config["SESSION_COOKIE_SECURE"] or (req is not None and req.is_secure))
