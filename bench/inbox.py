"""The inbox page (``/tasks/``) served by the app for a user whose groups hold 10,000 of 100,000 open tasks,
next to the engine's inbox query alone for the same user in the same run, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.inbox              # 100,000 open tasks, 10,000 the user's; a few minutes
    .venv/bin/python -m bench.inbox --quick      # 10,000 and 1,000
    .venv/bin/python -m bench.inbox --json PATH  # where the results go (default bench/results/inbox.json)

The data is ``bench.inbox_data`` (rows the engine writes, copied in bulk). The page is fetched through the
Flask app in-process (its test client, signed in through the sign-in form: routing, session, the
engine's listing, the template); the reference is ``engine.views.inbox.inbox_page`` with the same
arguments in its own read-only session, the call the page makes. Three pages of 50: the first, a later
one (the fifth, reached through the pages' own "next page" links) and a filtered one (the user's queue of
one procedure). Page and reference calls alternate, so the machine's noise falls on both alike; the
ratio of the medians is the web layer's cost. Targets: p95 <= 50 ms per page on PostgreSQL; the page
<= 1.5x the query alone.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.http_e2e import Database, postgres_reachable
from bench.inbox_data import PASSWORD, VIEWER, fill
from engine.storage.db import make_engine, make_sessionmaker
from engine.time.clock import SystemClock
from engine.views import inbox
from webui import create_app, db

DEFAULT_JSON = Path(__file__).parent / "results" / "inbox.json"
ROUNDS = 40
TARGET_P95_MS = 50.0
TARGET_RATIO = 1.5


def stats(ms: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(ms), "p95": statistics.quantiles(ms, n=20)[18]}


def _sign_in(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": VIEWER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303), response.status_code


def _count(page: str, view: str) -> int:
    return int(re.search(rf'data-testid="count-{view}">(\d+)<', page).group(1))  # type: ignore[union-attr]


def _next_link(page: str) -> str:
    href = re.search(r'<a href="([^"]+)" rel="next">', page).group(1)  # type: ignore[union-attr]
    return html.unescape(href)


def run(kind: str, total: int, share: int) -> dict[str, Any]:
    db_ = Database(kind, tempfile.gettempdir())
    try:
        t = time.perf_counter()
        filled = fill(db_.url, total, share, SystemClock())
        print(f"{kind}: wrote {total} open tasks ({filled.visible} the user's) in {time.perf_counter() - t:.0f} s",
              flush=True)
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": db_.url})
        client = app.test_client()
        _sign_in(client)
        engine = make_engine(db_.url)
        reader = make_sessionmaker(engine, read_only=True)

        first = client.get("/tasks/").get_data(as_text=True)
        assert _count(first, "all") == filled.visible, (_count(first, "all"), filled.visible)
        # (overdue: more tasks have fallen due since they were written)
        assert all(_count(first, v) == n for v, n in filled.counts.items() if v != "overdue"), filled.counts
        assert _count(first, "overdue") >= filled.counts["overdue"]
        path, cursor = "/tasks/", None
        for _ in range(4):  # the fifth page, through the pages' own links
            path = _next_link(client.get(path).get_data(as_text=True))
            cursor = re.search(r"after=([^&]+)", path).group(1)  # type: ignore[union-attr]
        procedure = "inbox_visit"
        cases = {
            "first page": ("/tasks/", {}),
            "fifth page": (path, {"cursor": cursor}),
            f"filtered (queue of {procedure})": (f"/tasks/?view=queue&procedure={procedure}",
                                                {"view": "queue", "procedure": procedure}),
        }
        rows = []
        for label, (url, kwargs) in cases.items():
            web_ms, query_ms = [], []

            def query(kw: dict[str, Any] = kwargs) -> None:
                with reader() as s:
                    page = inbox.inbox_page(s, VIEWER, datetime.now(UTC), limit=50, **kw)
                assert page.rows

            for _ in range(3):  # warm both (statement caches, prepared statements)
                client.get(url)
                query()
            web_cpu, query_cpu = [], []
            for _ in range(ROUNDS):
                t, c = time.perf_counter(), time.process_time()
                response = client.get(url)
                web_ms.append((time.perf_counter() - t) * 1000)
                web_cpu.append((time.process_time() - c) * 1000)
                assert response.status_code == 200
                t, c = time.perf_counter(), time.process_time()
                query()
                query_ms.append((time.perf_counter() - t) * 1000)
                query_cpu.append((time.process_time() - c) * 1000)
            web, ref = stats(web_ms), stats(query_ms)
            # CPU time of this process: less disturbed by the other processes than the wall clock. On SQLite
            # it is the whole cost; on PostgreSQL the server's share is not in it.
            cpu = {"web_p50": statistics.median(web_cpu), "query_p50": statistics.median(query_cpu)}
            rows.append({"page": label, "web": web, "query": ref, "ratio_p50": web["p50"] / ref["p50"],
                         "cpu_ms": cpu})
        db.dispose(app)
        engine.dispose()
        # The machine is shared: the load while this ran says how far the milliseconds are inflated.
        return {"database": kind, "total": total, "visible": filled.visible, "rows": rows,
                "load_average": os.getloadavg()[0]}
    finally:
        db_.drop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args(argv)
    total, share = (10_000, 1_000) if args.quick else (100_000, 10_000)
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    if "postgresql" in kinds and not postgres_reachable():
        print("PostgreSQL is not reachable: measuring SQLite only")
        kinds.remove("postgresql")
    results = [run(kind, total, share) for kind in kinds]
    print(f"\nThe inbox page /tasks/ (Flask app, in-process) and inbox_page alone; {share} of {total} open "
          f"tasks visible; {ROUNDS} calls each, ms")
    print(f"{'database':<11} {'page':<32} {'page p50':>9} {'page p95':>9} {'query p50':>10} {'query p95':>10} "
          f"{'ratio':>6} {'CPU page/query p50':>19}")
    for result in results:
        for r in result["rows"]:
            print(f"{result['database']:<11} {r['page']:<32} {r['web']['p50']:>9.1f} {r['web']['p95']:>9.1f} "
                  f"{r['query']['p50']:>10.1f} {r['query']['p95']:>10.1f} {r['ratio_p50']:>5.2f}x "
                  f"{r['cpu_ms']['web_p50']:>9.1f} / {r['cpu_ms']['query_p50']:<7.1f}")
    for result in results:
        print(f"{result['database']}: load average {result['load_average']:.1f} on {os.cpu_count()} cores")
        worst = max(r["web"]["p95"] for r in result["rows"])
        ratio = max(r["ratio_p50"] for r in result["rows"])
        target = "" if result["database"] != "postgresql" else \
            f" (target <= {TARGET_P95_MS:.0f}: {'MET' if worst <= TARGET_P95_MS else 'NOT MET'})"
        print(f"{result['database']}: worst page p95 {worst:.1f} ms{target}; worst ratio {ratio:.2f}x "
              f"(target <= {TARGET_RATIO}: {'MET' if ratio <= TARGET_RATIO else 'NOT MET'})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"at": datetime.now(UTC).isoformat(), "rounds": ROUNDS,
                                     "results": results}, indent=2))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
