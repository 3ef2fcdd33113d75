"""Looking never waits: a task list or a case view opens while someone else is completing a task.

On SQLite every write transaction takes the database's write lock when it begins (``BEGIN IMMEDIATE``).
Lists and views use read-only sessions (``make_sessionmaker(read_only=True)``), whose transactions take
no lock and read the last committed state. The engines here give up on a lock after 0.2 s instead of
30 s, so a reader that waited would fail these tests rather than slow them down.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from engine import runtime
from engine.views import queries
from engine.storage.db import make_engine, make_sessionmaker
from tests.helpers import Harness, office_case


@pytest.fixture
def impatient(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url, connect_args={"timeout": 0.2} if db_url.startswith("sqlite") else {})
    yield engine
    engine.dispose()


@pytest.fixture
def case(harness: Harness) -> tuple[int, str]:
    return office_case(harness)  # one task, "Fill", for the office group (ann, bob)


def test_a_task_list_opens_while_a_colleague_is_completing_the_task(impatient, case, clock):
    instance_id, task_id = case
    writer, reader = make_sessionmaker(impatient), make_sessionmaker(impatient, read_only=True)
    with writer.begin() as busy:
        runtime.complete_task(busy, task_id, user="ann", clock=clock, data={"approved": True})
        # Before ann's transaction commits, bob's list and the case view show the last committed state.
        with reader() as s:
            assert [t["name"] for t in queries.task_list_json(s, "bob", clock.now())] == ["Fill"]
            assert [t["name"] for t in queries.instance_view(s, instance_id)["open_tasks"]] == ["Fill"]
    with reader() as s:
        assert queries.task_list_json(s, "bob", clock.now()) == []


def test_two_writers_still_take_turns_and_the_second_is_told_in_sqlalchemys_terms(impatient, case, clock):
    _, task_id = case
    writer = make_sessionmaker(impatient)
    with writer.begin() as busy:
        runtime.complete_task(busy, task_id, user="ann", clock=clock, data={"approved": True})
        if impatient.dialect.name == "sqlite":
            # The second writer waits for the lock (here 0.2 s), then gets the error the CLI reports in
            # one line, not the driver's own exception.
            with pytest.raises(sa.exc.OperationalError, match="database is locked"), writer.begin() as other:
                runtime.claim_task(other, task_id, user="bob", clock=clock)
