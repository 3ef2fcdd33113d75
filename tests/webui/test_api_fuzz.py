"""The API fuzzed by its own OpenAPI document (issue #14, point 6), against a live server.

Schemathesis generates requests for every operation, valid and invalid, as a signed-in program sends
them. Every answer must be no server error and match the document (status, content type, body, headers),
and a refused request (4xx) must not have changed any case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from schemathesis import GenerationMode
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine import definitions, runtime
from engine.people import tokens, users
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.time.clock import SystemClock
from tests.conftest import PG_URL, _postgres_reachable, _with_schema
from tests.helpers import DATA
from tests.live_server import serving

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = 15  # per operation and database: bounded, the suite stays fast


class Live:
    def __init__(self, base: str, db_url: str, auth: dict[str, str]):
        self.base, self.db_url, self.auth = base, db_url, auth
        self.engine = make_engine(db_url)

    def cases(self) -> list[tuple]:
        """Every case's version and state, and the number of audit events: what a refusal must not change."""
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, version, status, state FROM instances ORDER BY id").all()
            events = conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar()
        return [tuple(r) for r in rows] + [("events", events)]


def _demo(url: str) -> dict[str, str]:
    engine = make_engine(url)
    upgrade(engine)
    clock = SystemClock()
    with make_sessionmaker(engine).begin() as s:
        definitions.deploy_path(s, [DATA / "form.bpmn"], clock=clock)
        users.add_user(s, "rita", clock=clock, groups=["reception"])
        users.add_user(s, "root", clock=clock, is_admin=True)
        _, secret = tokens.create_token(s, "rita", clock=clock, name="fuzz")
    for _ in range(3):
        with make_sessionmaker(engine).begin() as s:
            runtime.start_process(s, "visit", user="rita", clock=clock)
    engine.dispose()
    return {"Authorization": f"Bearer {secret}"}


def _admin(statement: str) -> None:
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}"
        schema = None
    else:
        reason = _postgres_reachable()
        if reason:
            if __import__("os").environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {reason}")
            pytest.skip(f"PostgreSQL not reachable: {reason}")
        schema = f"sf_fuzz_{uuid.uuid4().hex[:10]}"
        _admin(f"CREATE SCHEMA {schema}")
        url = _with_schema(schema)
    auth = _demo(url)
    with serving(url) as base:
        live = Live(base, url, auth)
        yield live
        live.engine.dispose()
    if schema:
        _admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module")
def api_schema(live: Live):
    return schemathesis.openapi.from_url(f"{live.base}/api/v1/openapi.json")


OPERATIONS = [
    "GET /api/v1/definitions",
    "POST /api/v1/definitions",
    "POST /api/v1/processes/{key}/instances",
    "GET /api/v1/tasks",
    "GET /api/v1/tasks/{task_id}",
    "POST /api/v1/tasks/{task_id}/claim",
    "POST /api/v1/tasks/{task_id}/unclaim",
    "POST /api/v1/tasks/{task_id}/complete",
    "POST /api/v1/tasks/{task_id}/reassign",
    "GET /api/v1/track/{case_number}",
    "GET /api/v1/instances",
    "GET /api/v1/instances/{instance_id}",
]


def test_the_document_lists_every_operation(api_schema):
    found = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    assert set(OPERATIONS) <= found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_answers_by_its_document_and_a_refusal_changes_nothing(
    api_schema, live: Live, operation: str, mode
):
    method, path = operation.split(" ")
    op = api_schema[path][method]

    @given(case=op.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        before = live.cases()
        response = case.call_and_validate(base_url=live.base, headers=live.auth, checks=CHECKS)
        if response.status_code >= 400:
            assert live.cases() == before, (
                f"{case.method} {case.formatted_path} was refused but changed a case"
            )

    run()
