"""The served demo: the shipped procedures, the demo users with passwords, and a handful of cases.

Used by ``scripts/demo.sh`` (through ``scripts/demo.py``) and by the browser tests' server fixture, so
what a person clicks through and what the tests check is the same data. Cases are started on a fake
clock set back in time, so some are overdue when the server (on the real clock) shows them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine import definitions, runtime
from engine.people import passwords, substitution
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.storage.models import Case
from engine.time.clock import FakeClock
from engine.views import queries

from .demo_cmd import DEFAULT_FILE, load_demo

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-pass-2026"  # one published password for every demo user: a demo, never production
COMPLAINT = {
    "complainant_name": "刘女士", "complainant_phone": "13800000000", "channel": "phone",
    "accused_department": "初二年级组", "accused_name": "张老师", "accused_user": "zhang_teacher",
    "title": "班主任体罚学生", "complaint_detail": "孩子反映被罚站两节课。",
}
ACCEPT = {"category": "ethics", "category_item": "ethics_punishment", "acceptance_note": "受理"}


@dataclass
class Demo:
    users: list[tuple[str, str, list[str]]]  # (name, display name, groups)
    cases: list[str] = field(default_factory=list)  # case numbers
    reused: bool = False


def build_demo(db_url: str, *, now: datetime | None = None) -> Demo:
    """Set up the demo on ``db_url``; a database that already holds it is reused unchanged."""
    now = now or datetime.now(UTC)
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        Session = make_sessionmaker(engine)  # noqa: N806
        data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
        people = [(u["name"], u.get("display_name") or u["name"], u.get("groups", [])) for u in data["users"]]
        with Session() as s:
            existing = list(s.scalars(sa.select(Case.number).order_by(Case.id)))
        if existing:
            return Demo(people, [c for c in existing if c], reused=True)
        clock = FakeClock(now - timedelta(days=30))
        with Session.begin() as s:
            load_demo(s, data, clock=clock)
            definitions.deploy_path(s, [ROOT / "processes"], clock=clock, actor="admin")
            for name, _, _ in people:
                passwords.set_password(s, name, PASSWORD)
        demo = Demo(people)
        # Two cases a month old, untouched: their first deadline has long passed (overdue).
        for _ in range(2):
            demo.cases.append(_start(Session, clock))
        # One accepted and passed on a month ago: its reply deadline has passed.
        case = _start(Session, clock)
        _do(Session, clock, case, "ducha", "受理建档", {**ACCEPT, "accepted_on": clock.now().date().isoformat()})
        _do(Session, clock, case, "lingdao", "告知相关领导", {"leader_instruction": "请信息督察室牵头调查"})
        demo.cases.append(case)
        # Two fresh ones today, one already accepted.
        clock.set(now - timedelta(hours=1))
        demo.cases.append(_start(Session, clock))
        demo.cases.append(case := _start(Session, clock))
        _do(Session, clock, case, "ducha", "受理建档", {**ACCEPT, "accepted_on": clock.now().date().isoformat()})
        # lingdao took case 5's task and is away this week: xiaowei covers, so it shows in xiaowei's inbox.
        with Session() as s:
            task = next(t for t in queries.task_list_json(s, "lingdao", clock.now()) if t["case_number"] == case)
        with Session.begin() as s:
            runtime.claim_task(s, task["id"], user="lingdao", clock=clock)
        with Session.begin() as s:
            substitution.arrange(s, "lingdao", "xiaowei", now - timedelta(days=1), now + timedelta(days=7),
                                 clock=clock, reason="外出学习")
        return demo
    finally:
        engine.dispose()


def _start(Session: Any, clock: FakeClock) -> str:  # noqa: N803
    with Session.begin() as s:
        started = runtime.start_process(s, "p2_complaint", user="ducha", clock=clock, data=dict(COMPLAINT))
        return str(started.case_number)


def _do(Session: Any, clock: FakeClock, case: str, user: str, name: str, answers: dict[str, Any]) -> None:  # noqa: N803
    with Session() as s:
        task = next(t for t in queries.task_list_json(s, user, clock.now())
                    if t["name"] == name and t["case_number"] == case)
    with Session.begin() as s:
        runtime.complete_task(s, task["id"], user=user, clock=clock, data=answers)
