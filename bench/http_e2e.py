"""End-to-end HTTP throughput of the JSON API, against the engine in-process for the same work.

    .venv/bin/python -m bench.http_e2e            # 200 cases per setup: SQLite, PostgreSQL, gunicorn
    .venv/bin/python -m bench.http_e2e --quick    # 20 cases per setup, a smoke run
    .venv/bin/python -m bench.http_e2e --sqlite-only   # waitress on SQLite only
    .venv/bin/python -m bench.http_e2e --json PATH
    .venv/bin/python -m bench.http_e2e --profile        # where the server's time goes, in-process

The shape is the one SpiffArena was measured on (shared/reference/spiff-arena.md: 5.6 cases/s end to
end with SQLite): start a case, then three user tasks, each found in the caller's task list and
completed, to the end event. Per case through the API: POST …/instances, then 3 × (GET /api/v1/tasks
filtered by the case number, POST …/complete): 7 calls, keep-alive, one connection per client thread.

Setups: ``schoolflow serve`` (waitress, one process) on SQLite and on PostgreSQL, and gunicorn with 2
workers on PostgreSQL, each with 1 and with 4 client threads. The reference in the same run is the
engine's own API in-process on SQLite, one thread, run before and after the setups: the engine
functions the API calls (the task list's inbox page and its tasks' JSON), so the ratio to the HTTP
run with one client is the HTTP layer's cost; and, as in the first runs, with the lighter
``task_list_json`` as the lookup.
The server is started here on a loopback port and stopped at the end; nothing is slept on.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
import urllib.request
from urllib.parse import quote

import sqlalchemy as sa

from engine import definitions, runtime
from engine.people import tokens, users
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.time.clock import SystemClock
from engine.views import inbox, queries
from tests.live_server import ROOT, free_port, stop

DEFAULT_JSON = Path(__file__).parent / "results" / "http_e2e.json"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REFERENCE_CASES_PER_S = 5.6  # SpiffArena, same shape, SQLite, this kind of machine
TARGET_CASES_PER_S = 56.0
TARGET_HTTP_RATIO = 1.5
_NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)
BPMN = (
    f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {_NS} id="d" targetNamespace="bench">'
    '<bpmn:process id="e2e" name="Three steps" isExecutable="true"><bpmn:startEvent id="start"/>'
    + "".join(
        f'<bpmn:userTask id="t{i}" name="Step {i}" camunda:candidateGroups="office"/>' for i in (1, 2, 3)
    )
    + '<bpmn:endEvent id="end"/>'
    + "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate([("start", "t1"), ("t1", "t2"), ("t2", "t3"), ("t3", "end")])
    )
    + "</bpmn:process></bpmn:definitions>"
).encode()
DATA = {"note": "done", "ok": True}


def prepare(url: str, clients: int) -> list[str]:
    """A fresh schema with the procedure and one user and token per client thread; returns the tokens."""
    engine = make_engine(url)
    upgrade(engine)
    clock = SystemClock()
    secrets = []
    with make_sessionmaker(engine).begin() as s:
        definitions.deploy_file(s, BPMN, "e2e.bpmn", clock=clock)
        for i in range(clients):
            users.add_user(s, f"clerk{i}", clock=clock, groups=["office"])
            secrets.append(tokens.create_token(s, f"clerk{i}", clock=clock)[1])
    engine.dispose()
    return secrets


class Client:
    """One keep-alive connection; records the time of each call by kind."""

    def __init__(self, port: int, secret: str, times: dict[str, list[float]]):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.times = times

    def call(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        t = time.perf_counter()
        self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        self.times.setdefault(kind, []).append(time.perf_counter() - t)
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return json.loads(payload)

    def one_case(self) -> None:
        case = self.call("start", "POST", "/api/v1/processes/e2e/instances", {"data": {}})
        for _ in range(3):
            page = self.call("list", "GET", f"/api/v1/tasks?case_number={quote(case['case_number'])}")
            [task] = page["items"]
            self.call("complete", "POST", f"/api/v1/tasks/{task['id']}/complete", {"data": DATA})


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of the server process and its children (gunicorn's workers), or None
    where /proc is missing. On a shared machine this, not the wall clock, is what a case costs."""
    try:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    text = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = text.rsplit(")", 1)[1].split()
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, ticks
    except OSError:
        return None
    family, ticks = {pid}, 0
    for _ in range(3):  # the server, its workers, their children
        family |= {p for p, (ppid, _) in stats.items() if ppid in family}
    ticks = sum(stats[p][1] for p in family if p in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


def drive(port: int, secrets: list[str], cases: int, pid: int | None = None) -> dict[str, Any]:
    times: dict[str, list[float]] = {}
    per_thread = [cases // len(secrets) + (1 if i < cases % len(secrets) else 0) for i in range(len(secrets))]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        own: dict[str, list[float]] = {}
        client = Client(port, secrets[i], own)
        try:
            for _ in range(per_thread[i]):
                client.one_case()
        except BaseException as exc:  # noqa: BLE001 - reported after the run
            errors.append(exc)
        finally:
            client.conn.close()
            with lock:
                for k, v in own.items():
                    times.setdefault(k, []).extend(v)

    lock = threading.Lock()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(secrets))]
    cpu0 = server_cpu_seconds(pid) if pid else None
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu1 = server_cpu_seconds(pid) if pid else None
    if errors:
        raise errors[0]
    return {
        "cases": cases,
        "seconds": elapsed,
        "cases_per_s": cases / elapsed,
        "server_cpu_ms_per_case": (cpu1 - cpu0) / cases * 1000 if cpu0 is not None and cpu1 else None,
        "calls": {
            k: {
                "n": len(v),
                "median_ms": statistics.median(v) * 1000,
                "p95_ms": statistics.quantiles(v, n=20)[18] * 1000 if len(v) > 1 else v[0] * 1000,
            }
            for k, v in sorted(times.items())
        },
    }


def _api_lookup(s: Any, user: str, case_number: str) -> dict[str, Any]:
    """What ``GET /api/v1/tasks?case_number=…`` runs in the engine: the inbox's page, then its tasks."""
    now = SystemClock().now()
    page = inbox.inbox_page(s, user, now, case_number=case_number, limit=50)
    [task] = queries.tasks_json(s, user, now, [r.id for r in page.rows])
    return task


def _list_lookup(s: Any, user: str, case_number: str) -> dict[str, Any]:
    """The lookup of the first runs (``schoolflow tasks --json``, filtered here): no counts, no paging."""
    tasks = queries.task_list_json(s, user, SystemClock().now())
    [task] = [t for t in tasks if t["case_number"] == case_number]
    return task


LOOKUPS = {"api": _api_lookup, "list": _list_lookup}


def in_process(url: str, cases: int, lookup: str = "api") -> dict[str, Any]:
    """The same work through the engine's Python API in one thread: the reference for the HTTP layer.

    ``lookup`` "api": the engine functions the API's task list calls (the same work without HTTP, so the
    ratio is the HTTP layer's cost); "list": the lighter ``task_list_json`` the first runs used.
    """
    prepare(url, 1)
    find = LOOKUPS[lookup]
    engine = make_engine(url)
    writer, reader = make_sessionmaker(engine), make_sessionmaker(engine, read_only=True)
    clock = SystemClock()
    t0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(cases):
        with writer.begin() as s:
            started = runtime.start_process(s, "e2e", user="clerk0", clock=clock, data={})
        for _ in range(3):
            with reader() as s:
                task = find(s, "clerk0", started.case_number)
            with writer.begin() as s:
                runtime.complete_task(s, task["id"], user="clerk0", clock=clock, data=DATA)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    engine.dispose()
    return {"cases": cases, "seconds": elapsed, "cpu_seconds": cpu, "cases_per_s": cases / elapsed,
            "lookup": lookup}


class Database:
    """A fresh SQLite file or PostgreSQL schema per setup, dropped afterwards."""

    def __init__(self, kind: str, directory: str):
        self.kind, self.schema = kind, None
        if kind == "sqlite":
            self.url = f"sqlite:///{directory}/{uuid.uuid4().hex[:8]}.sqlite"
        else:
            self.schema = f"sf_bench_{uuid.uuid4().hex[:10]}"
            self._admin(f"CREATE SCHEMA {self.schema}")
            self.url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{self.schema}"

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
        engine.dispose()

    def drop(self) -> None:
        if self.schema:
            self._admin(f"DROP SCHEMA {self.schema} CASCADE")


def serve(server: str, url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "bench", "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    if server == "waitress":
        cmd = [sys.executable, "-m", "cli", "--db", url, "serve", "--port", str(port), "--threads", "8"]
    else:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webui:create_app()",
        ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_up(proc, f"http://127.0.0.1:{port}")
    return proc, port


def wait_until_up(proc: subprocess.Popen[bytes], base: str, seconds: float = 30) -> None:
    """Poll until the server answers (gunicorn prints no line to wait for); a benchmark may use the clock."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {seconds} s")


def postgres_reachable() -> bool:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


def _cell(row: dict[str, Any], kind: str) -> str:
    call = row["calls"][kind]
    return f"{call['median_ms']:.1f}/{call['p95_ms']:.1f}"


def references(tmp: str, cases: int) -> dict[str, dict[str, Any]]:
    """Both in-process references on fresh SQLite files (run before and after the HTTP setups)."""
    return {lookup: in_process(Database("sqlite", tmp).url, cases, lookup) for lookup in LOOKUPS}


class _TestClient(Client):
    """The same calls through Flask's test client: the app's own work, without sockets or waitress."""

    def __init__(self, client: Any, headers: dict[str, str]):
        self.client, self.headers = client, headers

    def call(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body)
        response = self.client.open(path, method=method, headers=self.headers, data=data)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.data[:200]!r}")
        return response.json


# Where a case's server time goes: (label, how to recognise the function in a cProfile key).
_PARTS = [
    ("GET /tasks: engine.views.inbox.inbox_page (page, counts, procedures)", "inbox.py", "inbox_page"),
    ("GET /tasks: queries.tasks_json (the page's tasks as JSON)", "queries.py", "tasks_json"),
    ("POST complete: runtime.complete_task", "operations.py", "complete_task"),
    ("POST start: runtime.start_process", "operations.py", "start_process"),
    ("API auth: bearer token look-up (and the request's connection)", "auth.py", "caller"),
    ("request commits", "session.py", "commit"),
    ("spectree: request validation (pydantic)", "flask_plugin.py", "request_validation"),
    ("spectree: response validation and JSON", "flask_plugin.py", "validate_response"),
    ("Flask before_request hooks (CSRF, limiter, sign-in, body checks)", "app.py", "preprocess_request"),
    ("Flask after_request hooks (security headers, cookie)", "app.py", "process_response"),
    ("teardown (session close)", "app.py", "do_teardown_appcontext"),
]


def profile(cases: int) -> None:
    """The API's request path in-process (Flask's test client, no sockets), CPU time by part."""
    import cProfile
    import pstats

    from webui import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = Database("sqlite", tmp).url
        [secret] = prepare(url, 1)
        client = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url}).test_client()
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

        driver = _TestClient(client, headers)
        for _ in range(5):  # warm: definitions parsed, statements compiled
            driver.one_case()
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(cases):
            driver.one_case()
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[3] for k, v in stats.items() if k[2] == "wsgi_app" and k[0].endswith("flask/app.py"))
    print(f"CPU per case in the Flask app under cProfile: {total / cases * 1000:.1f} ms (inflated by it)")
    for label, file, name in _PARTS:
        spent = sum(v[3] for k, v in stats.items() if k[2] == name and k[0].endswith(file))
        print(f"  {spent / total * 100:5.1f} %  {label}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20 cases per setup")
    ap.add_argument("--cases", type=int, help="cases per setup (default 200; --quick 20)")
    ap.add_argument("--sqlite-only", action="store_true", help="only the SQLite setups (a few seconds)")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON)
    ap.add_argument("--profile", action="store_true", help="only profile the request path in-process")
    args = ap.parse_args(argv)
    cases = args.cases or (20 if args.quick else 200)
    if args.profile:
        profile(min(cases, 60))
        return 0
    setups = [("waitress", "sqlite")]
    if not args.sqlite_only and postgres_reachable():
        setups += [("waitress", "postgresql"), ("gunicorn", "postgresql")]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # The machine is shared: the references run before and after the setups, and the mean is used.
        before = references(tmp, cases)
        for server, kind in setups:
            for clients in (1, 4):
                db = Database(kind, tmp)
                secrets = prepare(db.url, clients)
                proc, port = serve(server, db.url)
                try:
                    result = drive(port, secrets, cases, proc.pid)
                finally:
                    stop(proc)
                    db.drop()
                rows.append({"server": server, "database": kind, "clients": clients, **result})
        after = references(tmp, cases)
    reference = {
        lookup: {
            "cases_per_s": statistics.mean([before[lookup]["cases_per_s"], after[lookup]["cases_per_s"]]),
            "runs": [before[lookup], after[lookup]],
        }
        for lookup in LOOKUPS
    }
    print(
        f"HTTP end to end | {cases} cases per setup, 7 calls each | Python {platform.python_version()} | "
        f"cpus={os.cpu_count()}"
    )
    print(
        f"{'setup':<34} {'cases/s':>8} {'×ref':>6}  {'start p50/p95':>14} {'list p50/p95':>14} "
        f"{'complete p50/p95':>17} {'server CPU ms/case':>19}"
    )
    for r in rows:
        cpu = r["server_cpu_ms_per_case"]
        print(
            f"{r['server'] + ' ' + r['database'] + ' ' + str(r['clients']) + ' client(s)':<34} "
            f"{r['cases_per_s']:>8.1f} {r['cases_per_s'] / REFERENCE_CASES_PER_S:>5.1f}x  "
            f"{_cell(r, 'start'):>14} {_cell(r, 'list'):>14} {_cell(r, 'complete'):>17} "
            f"{'' if cpu is None else f'{cpu:.1f}':>19}"
        )
    sqlite_one = next(r for r in rows if r["database"] == "sqlite" and r["clients"] == 1)
    ratios = {k: v["cases_per_s"] / sqlite_one["cases_per_s"] for k, v in reference.items()}
    ratio = ratios["api"]
    for lookup, what in (("api", "the engine calls the API makes"), ("list", "lookup by task_list_json")):
        runs = " and ".join(f"{r['cases_per_s']:.1f}" for r in reference[lookup]["runs"])
        print(
            f"engine in-process on SQLite, {what}: {reference[lookup]['cases_per_s']:.1f} cases/s "
            f"(before/after: {runs}); HTTP 1 client takes {ratios[lookup]:.2f}x the in-process time"
        )
    print(
        f"HTTP layer: {ratio:.2f}x the same engine calls in-process (target <= {TARGET_HTTP_RATIO}x: "
        f"{'MET' if ratio <= TARGET_HTTP_RATIO else 'NOT MET'})"
    )
    if sqlite_one["server_cpu_ms_per_case"]:
        # CPU time, robust to a shared machine: the server's CPU per case against the engine's own.
        for lookup in LOOKUPS:
            runs = reference[lookup]["runs"]
            engine_ms = statistics.mean([r["cpu_seconds"] / r["cases"] for r in runs]) * 1000
            reference[lookup]["cpu_ms_per_case"] = engine_ms
            print(
                f"CPU per case: server (SQLite, 1 client) {sqlite_one['server_cpu_ms_per_case']:.1f} ms, "
                f"engine in-process ({lookup} lookup) {engine_ms:.1f} ms: "
                f"{sqlite_one['server_cpu_ms_per_case'] / engine_ms:.2f}x"
            )
    best = max(r["cases_per_s"] for r in rows if r["database"] == "sqlite")
    print(
        f"SpiffArena reference {REFERENCE_CASES_PER_S} cases/s; schoolflow SQLite one process "
        f"{best:.1f} cases/s = {best / REFERENCE_CASES_PER_S:.1f}x (target >= {TARGET_CASES_PER_S}: "
        f"{'MET' if best >= TARGET_CASES_PER_S else 'NOT MET'})"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "cases": cases,
                "setups": rows,
                "in_process": reference,
                "http_ratio": ratio,
                "http_ratio_to_list_lookup": ratios["list"],
                "reference_cases_per_s": REFERENCE_CASES_PER_S,
            },
            indent=2,
        )
    )
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
