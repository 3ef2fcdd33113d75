#!/usr/bin/env python
"""What the worst single expressions cost now that every operator and built-in call is budgeted (issue #10).

    .venv/bin/python -m bench.eval_budget [--json PATH]

Each expression is evaluated in this process with ``tracemalloc`` on: CPU time (``process_time``) and
peak memory, refused or not, next to an ordinary deadline expression of the shipped procedures as the
reference measured in the same run. Before the budget, several of these ran for tens of seconds or built
gigabytes; now each is refused with a sentence after a bounded amount of work.
"""
from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from engine.errors import ScriptError
from engine.scripting import Evaluator
from engine.scripting.helpers import make_helpers
from engine.time.clock import FakeClock
from engine.time.school_calendar import SchoolCalendar
from engine.time.school_time import DEFAULT_SCHOOL_TIME

REFERENCE = "add_working_days(max(0, reply_days - working_days_between(accepted_on, today())))"
EXPRESSIONS = [
    REFERENCE,
    "working_days_between('0001-01-01', today())",
    "working_days_between('1900-01-01', '2200-12-31')",
    "add_working_days(10000)",
    "(big << 2030) * (big << 2030) * (big << 2030)",
    "int('9' * 4000) ** 3",
    "sum([[1] * 9999 for i in range(10)], [])",
    "round(5, -10**8)",
    "[[0] * 10000] * 10000 == [[0] * 10000] * 10000",
    "len(str([t for t in [[list(range(9000))]] for i in range(9000)]))",
    "[a for a in range(10000) for b in range(10000)]",
    "sorted([list(range(9000)) for i in range(20)])",
]
DATA = {"reply_days": 5, "accepted_on": "2026-09-30", "big": 2**62}


def measure(expression: str) -> dict[str, object]:
    clock = FakeClock(datetime(2026, 9, 30, 2, tzinfo=UTC))
    calendar = SchoolCalendar()
    ev = Evaluator(make_helpers(clock, lambda: calendar, lambda: DEFAULT_SCHOOL_TIME))
    tracemalloc.start()
    started = time.process_time()
    try:
        ev.evaluate(expression, dict(DATA))
        outcome = "answered"
    except ScriptError as exc:
        outcome = f"refused: {str(exc)[:70]}"
    cpu = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"expression": expression, "cpu_ms": round(cpu * 1000, 2), "peak_kb": peak // 1024, "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--json", default="bench/results/eval_budget.json")
    args = parser.parse_args()
    measure(REFERENCE)  # warm the parse cache and the national calendar table, as a running server has
    rows = [measure(e) for e in EXPRESSIONS]
    ref = rows[0]["cpu_ms"] or 0.01
    print(f"{'cpu ms':>8} {'x ref':>7} {'peak KB':>8}  expression -> outcome")
    for r in rows:
        print(f"{r['cpu_ms']:>8} {r['cpu_ms'] / ref:>7.1f} {r['peak_kb']:>8}  {r['expression'][:60]}  -> {r['outcome']}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"reference": REFERENCE, "rows": rows}, indent=2, ensure_ascii=False))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
