"""Shared fixtures: a fake clock, and a fresh, migrated database per test on SQLite and PostgreSQL.

PostgreSQL runs where one is reachable (``TEST_POSTGRES_URL``, default the local server's ``test``
database); under ``CI=true`` it is required and an unreachable server fails the run.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.time.clock import FakeClock
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.storage.models import Base
from tests.helpers import Harness

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent / "data"


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not reachable"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A private schema in the PostgreSQL test database, migrated once for the session."""
    reason = _postgres_reachable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    schema = f"sf_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = _with_schema(schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def _with_schema(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh migrated database for one test."""
    if request.param == "sqlite":
        if request.node.get_closest_marker("postgres_only"):
            pytest.skip("this test is about PostgreSQL behaviour")
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_schema")
    engine = make_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64))")
    engine.dispose()
    return url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def Session(db_engine: sa.Engine):  # noqa: N802 - reads like the sessionmaker it is
    return make_sessionmaker(db_engine)


@pytest.fixture
def clock() -> FakeClock:
    """Wednesday 30 September 2026, 10:00 in Shanghai: a school day just before National Day."""
    return FakeClock(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def harness(Session, clock: FakeClock) -> Harness:  # noqa: N803
    """Drives the engine one committed transaction per step, as the CLI and the web UI do."""
    return Harness(Session, clock)
