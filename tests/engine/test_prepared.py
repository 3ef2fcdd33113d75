"""Prepared statements (engine.storage.prepared): the values and errors SQLAlchemy would give, on both databases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from engine.storage.models import User
from engine.storage.prepared import Prepared
from engine.storage.store import DeferredWrites

USERS = User.__table__
_INSERT_USER = Prepared(USERS.insert(), keys=["name", "display_name", "is_admin", "created_at"])
_USER = Prepared(sa.select(USERS.c.name, USERS.c.is_admin, USERS.c.created_at).where(
    USERS.c.name == sa.bindparam("name")))
_RENAME = Prepared(USERS.update().where(USERS.c.name == sa.bindparam("old")).values(
    display_name=sa.bindparam("b_display")))

TEN_AM_SHANGHAI = datetime(2026, 9, 30, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def test_values_round_trip_as_the_orm_stores_and_reads_them(Session):  # noqa: N803
    with Session.begin() as s:
        _INSERT_USER.many(s.connection(), [
            {"name": "li", "display_name": "Li", "is_admin": True, "created_at": TEN_AM_SHANGHAI}])
    with Session() as s:
        row = _USER.first(s.connection(), {"name": "li"})
        orm = s.scalar(sa.select(User).where(User.name == "li"))
    # An aware time in any zone is stored as UTC and comes back aware, the same instant, like the ORM's.
    assert row.created_at == TEN_AM_SHANGHAI and row.created_at.tzinfo == UTC
    assert orm.created_at == row.created_at
    assert row.is_admin is True and row.name == "li"


def test_rows_changed_are_counted_so_a_stale_update_is_noticed(Session):  # noqa: N803
    with Session.begin() as s:
        conn = s.connection()
        _INSERT_USER.many(conn, [{"name": n, "display_name": None, "is_admin": False,
                                  "created_at": TEN_AM_SHANGHAI} for n in ("li", "wang")])
        assert _RENAME.run(conn, {"old": "li", "b_display": "Li Ming"}) == 1
        assert _RENAME.run(conn, {"old": "nobody", "b_display": "x"}) == 0
        assert _USER.first(conn, {"name": "nobody"}) is None


def test_a_driver_error_comes_out_as_sqlalchemys_error_class(Session):  # noqa: N803
    row = {"name": "li", "display_name": None, "is_admin": False, "created_at": TEN_AM_SHANGHAI}
    with Session.begin() as s:
        _INSERT_USER.many(s.connection(), [row])
    with Session() as s, pytest.raises(sa.exc.IntegrityError):  # what the CLI turns into one clear line
        _INSERT_USER.run(s.connection(), row)


def test_a_statement_with_a_list_parameter_is_refused_when_first_run(Session):  # noqa: N803
    names = sa.bindparam("names", expanding=True)
    expanding = Prepared(sa.select(USERS.c.name).where(USERS.c.name.in_(names)))
    with Session() as s, pytest.raises(TypeError, match="IN with a list"):
        expanding.rows(s.connection(), {"names": ["li"]})


def test_deferred_writes_wait_for_flush_and_reads_do_not(Session):  # noqa: N803
    with Session.begin() as s:
        writes = DeferredWrites(s.connection())
        _INSERT_USER.run(writes, {"name": "li", "display_name": None, "is_admin": False,
                                  "created_at": TEN_AM_SHANGHAI})
        assert _USER.first(writes, {"name": "li"}) is None  # held back
        mark = writes.mark()
        _INSERT_USER.run(writes, {"name": "wang", "display_name": None, "is_admin": False,
                                  "created_at": TEN_AM_SHANGHAI})
        writes.discard_since(mark)  # a failed firing's writes are dropped
        writes.flush()
        assert _USER.first(writes, {"name": "li"}) is not None
        assert _USER.first(writes, {"name": "wang"}) is None
    insert_returning = Prepared(USERS.insert().returning(USERS.c.id), keys=["name", "is_admin", "created_at"])
    with Session.begin() as s, pytest.raises(TypeError, match="cannot be deferred"):
        insert_returning.scalar(DeferredWrites(s.connection()),
                                {"name": "zhao", "is_admin": False, "created_at": TEN_AM_SHANGHAI})
