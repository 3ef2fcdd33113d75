"""Database engines, sessions and schema migrations. Nothing here runs at import time.

The caller (CLI command, web request, timer worker) makes the engine once, owns each session and
commits; engine functions only flush.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///schoolflow.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: the explicit one, else ``DATABASE_URL``, else a SQLite file in the working directory."""
    return explicit or os.environ.get("DATABASE_URL") or DEFAULT_URL


def make_engine(url: str, **kwargs: object) -> sa.Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # Several processes (web, worker) share one file: wait for the lock instead of failing at once.
        # The driver's timeout is SQLite's busy timeout (30 s unless the caller gives another).
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = sa.create_engine(url, **kwargs)  # type: ignore[arg-type]
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, **kwargs)  # type: ignore[arg-type]


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # autocommit at the driver; the "begin" listener opens
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY = "schoolflow_read_only"  # execution option of the engine behind a read-only sessionmaker


def _sqlite_begin(conn: sa.Connection) -> None:
    # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that a read-then-write
    # transaction takes the write lock up front instead of deadlocking. A read-only session's transaction
    # takes no lock: in WAL mode it reads a snapshot while a writer works. Sent to the driver directly:
    # every transaction pays for it, and exec_driver_sql costs ten times as much.
    statement = "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
    try:
        conn.connection.dbapi_connection.execute(statement)  # type: ignore[union-attr]
    except sqlite3.Error as exc:  # e.g. "database is locked": reported like any other database error
        raise sa.exc.DBAPIError.instance(statement, (), exc, sqlite3.Error, dialect=conn.dialect) from exc


def make_sessionmaker(engine: sa.Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; the caller commits.

    ``read_only`` sessions are for listings and views that write nothing: on SQLite they neither wait
    for a writer nor hold one up (their transactions take no write lock). A write in one may fail with
    "database is locked" when another transaction writes at the same time.
    """
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}) if read_only else engine,
                        expire_on_commit=False)


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the Alembic migrations shipped in ``engine/storage/migrations``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
