"""``GET /api/v1/tasks`` for a user whose groups hold 10,000 of 100,000 open tasks, against the same
listing in-process (``engine.views.inbox`` + ``queries.tasks_json``), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.api_listing            # 100,000 tasks, 10,000 the user's; a few minutes
    .venv/bin/python -m bench.api_listing --quick    # 10,000 tasks, 1,000 the user's
    .venv/bin/python -m bench.api_listing --only postgresql --json PATH

The tasks are written with Core executemany (no SpiffWorkflow: only the listing is measured), one case
each, 1 in 10 in the user's group "office", due times spread over a month. Measured per page of 50:
the first page, a later page (the fifth, reached by the ``next`` links), and a filtered page (the
user's queue of one procedure). Target: p95 <= 50 ms per page over HTTP; the HTTP layer <= 1.5x the
same listing in-process.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.http_e2e import Database, postgres_reachable, prepare, serve
from tests.live_server import stop
from engine.storage.db import make_engine, make_sessionmaker
from engine.storage.models import Case, Definition, HumanTask, Instance, TaskCandidate
from engine.time.clock import SystemClock
from engine.views import inbox, queries

DEFAULT_JSON = Path(__file__).parent / "results" / "api_listing.json"
ROUNDS = 40


def fill(url: str, total: int, share: int) -> None:
    engine = make_engine(url)
    now = SystemClock().now()
    with engine.begin() as conn:
        definition_id = conn.execute(
            sa.select(Definition.id).where(Definition.process_key == "e2e")
        ).scalar_one()
        chunk = 5000
        for start in range(0, total, chunk):
            n = range(start, min(total, start + chunk))
            first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(Instance.id), 0))).scalar_one() + 1
            conn.execute(
                sa.insert(Instance.__table__),
                [
                    {
                        "id": first + i - start,
                        "definition_id": definition_id,
                        "process_key": "e2e",
                        "status": "running",
                        "state": "{}",
                        "version": 1,
                        "started_by": "clerk0",
                        "started_at": now,
                        "updated_at": now,
                    }
                    for i in n
                ],
            )
            conn.execute(
                sa.insert(Case.__table__),
                [
                    {
                        "number": f"BN-2026-{i:06d}",
                        "instance_id": first + i - start,
                        "process_key": "e2e",
                        "status": "running",
                        "opened_at": now,
                    }
                    for i in n
                ],
            )
            ids = {i: str(uuid.uuid4()) for i in n}
            conn.execute(
                sa.insert(HumanTask.__table__),
                [
                    {
                        "id": ids[i],
                        "instance_id": first + i - start,
                        "bpmn_id": "t1",
                        "name": "Step 1",
                        "lane": None,
                        "state": "open",
                        "assignee": None,
                        "due_at": now + timedelta(minutes=(i * 37) % 43200),
                        "priority": 50,
                        "created_at": now,
                    }
                    for i in n
                ],
            )
            conn.execute(
                sa.insert(TaskCandidate.__table__),
                [
                    {
                        "task_id": ids[i],
                        "kind": "group",
                        "name": "office" if i % (total // share) == 0 else "elsewhere",
                    }
                    for i in n
                ],
            )
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def timed(fn: Any) -> list[float]:
    out = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def stats(ms: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(ms), "p95": statistics.quantiles(ms, n=20)[18]}


def measure(kind: str, total: int, share: int) -> list[dict[str, Any]]:
    db = Database(kind, "/tmp")
    try:
        [secret] = prepare(db.url, 1)
        t = time.perf_counter()
        fill(db.url, total, share)
        print(f"{kind}: wrote {total} open tasks ({share} the user's) in {time.perf_counter() - t:.0f} s")
        # In-process: the same engine calls the endpoint makes.
        engine = make_engine(db.url)
        reader = make_sessionmaker(engine, read_only=True)
        now = datetime.now(UTC)

        def local(view: str = "all", procedure: str | None = None, pages: int = 1) -> None:
            cursor = None
            for _ in range(pages):
                with reader() as s:
                    page = inbox.inbox_page(s, "clerk0", now, view=view, procedure=procedure, cursor=cursor)
                    queries.tasks_json(s, "clerk0", now, [r.id for r in page.rows])
                cursor = page.next_cursor

        proc, port = serve("waitress", db.url)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Authorization": f"Bearer {secret}"}

            def get(path: str) -> dict[str, Any]:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = json.loads(response.read())
                assert response.status == 200, body
                return body

            fifth = "/api/v1/tasks"
            for _ in range(4):
                fifth = get(fifth)["next"]
            first = get("/api/v1/tasks")
            assert first["counts"]["all"] == share, first["counts"]
            cases = {
                "first page": ("/api/v1/tasks", lambda: local()),
                "fifth page": (fifth, lambda: local(pages=5)),
                "filtered (queue of e2e)": (
                    "/api/v1/tasks?view=queue&procedure=e2e",
                    lambda: local("queue", "e2e"),
                ),
            }
            rows = []
            for label, (path, reference) in cases.items():
                http_ms = stats(timed(lambda p=path: get(p)))
                ref_ms = timed(reference)
                if label == "fifth page":  # the reference walked five pages to get there
                    ref_ms = [m / 5 for m in ref_ms]
                ref = stats(ref_ms)
                rows.append(
                    {
                        "database": kind,
                        "load_average": os.getloadavg()[0],  # the machine is shared
                        "page": label,
                        "http": http_ms,
                        "in_process": ref,
                        "ratio_p50": http_ms["p50"] / ref["p50"],
                    }
                )
            conn.close()
        finally:
            stop(proc)
            engine.dispose()
    finally:
        db.drop()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args(argv)
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    if "postgresql" in kinds and not postgres_reachable():
        print("PostgreSQL is not reachable: measuring SQLite only")
        kinds.remove("postgresql")
    total, share = (10_000, 1_000) if args.quick else (100_000, 10_000)
    rows = [row for kind in kinds for row in measure(kind, total, share)]
    print(f"GET /api/v1/tasks, {share} of {total} open tasks visible, {ROUNDS} calls each")
    print(f"{'database':<11} {'page':<26} {'HTTP p50':>9} {'HTTP p95':>9} {'engine p50':>11} {'engine p95':>11} "
          f"{'ratio':>6}")
    for r in rows:
        print(
            f"{r['database']:<11} {r['page']:<26} {r['http']['p50']:>9.1f} {r['http']['p95']:>9.1f} "
            f"{r['in_process']['p50']:>11.1f} {r['in_process']['p95']:>11.1f} {r['ratio_p50']:>5.2f}x"
            f"  (load {r['load_average']:.1f})"
        )
    for kind in kinds:
        worst = max(r["http"]["p95"] for r in rows if r["database"] == kind)
        target = f" (target <= 50: {'MET' if worst <= 50 else 'NOT MET'})" if kind == "postgresql" else ""
        print(f"{kind}: worst p95 {worst:.1f} ms{target}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"at": datetime.now(UTC).isoformat(), "total": total, "visible": share, "rows": rows}, indent=2
        )
    )
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
