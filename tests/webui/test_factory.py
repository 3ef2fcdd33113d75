"""The app factory: configuration from the environment and instance config, the test config for tests."""
from __future__ import annotations

from webui import create_app, db


def test_config_comes_from_the_environment_without_a_test_config(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the default database is relative to it, as for the command line
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["DATABASE_URL"] == "sqlite:///schoolflow.sqlite"
    assert app.config["SECRET_KEY"] == "from-env" and not app.testing
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    monkeypatch.setenv("FLASK_SECRET_KEY", "prefixed")
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert app.config["SECRET_KEY"] == "prefixed"


def test_without_a_secret_key_a_random_one_is_used(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    keys = {create_app({"TESTING": True}).config["SECRET_KEY"] for _ in range(2)}
    assert len(keys) == 2 and all(len(k) == 64 for k in keys)


def test_the_test_config_wins_and_each_request_gets_its_own_session(app):
    from webui.db import get_session

    with app.app_context():
        first = get_session()
        assert get_session() is first
    with app.app_context():
        assert get_session() is not first
    db.dispose(app)
