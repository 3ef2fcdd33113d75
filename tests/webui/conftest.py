"""The web UI on the test database (SQLite and PostgreSQL), with the fake clock; flaskr's fixtures."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.time.clock import FakeClock
from webui import create_app, db


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url, "CLOCK": clock})
    yield app
    db.dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/track") -> str:
    """The token of the form on ``path``, as a browser would submit it back."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the form carries no CSRF token"
    return match.group(1)


PASSWORD = "correct horse 7"


@pytest.fixture
def staff(harness):
    """Give a user a password so they can sign in: ``staff("ma", "reception")`` returns the name."""
    from engine.people import passwords

    def make(name: str, *groups: str, admin: bool = False, password: str = PASSWORD) -> str:
        harness.user(name, *groups, admin=admin)
        with harness.Session.begin() as s:
            passwords.set_password(s, name, password)
        return name

    return make


def sign_in(client: FlaskClient, name: str, password: str = PASSWORD, **extra: str):
    """Post the sign-in form as a browser would (with the page's CSRF token)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token, **extra})


def page_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of a signed-in page (any of its forms)."""
    return csrf_token(client, path)
