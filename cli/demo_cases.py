"""The served demo: the shipped procedures, the demo users with passwords, and a handful of cases.

Used by ``scripts/demo.sh`` (through ``scripts/demo.py``) and by the browser tests' server fixture, so
what a person clicks through and what the tests check is the same data. Every case is run through the
engine as people would: started and worked on with a fake clock set back in time (in the order things
happened, so the audit log's times only move forward), and each deadline fires at its time, as the
worker would have fired it. So cases whose investigation was due days ago are really overdue, and escalated, on the
real clock the server shows them with; nothing is written around the engine.
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
from engine.runtime.sweeps import fire_timers
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.storage.models import Case, Timer, TimerStatus
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
ACCEPT = {"category": "ethics", "category_item": "ethics_punishment", "acceptance_note": "属实名投诉，予以受理"}
REPLY = {"prelim_reply_note": "已电话告知家长：投诉已受理，七个工作日内答复"}
REPORT = {"outcome": "report", "findings": "经调查，班主任确于周三罚站学生两节课",
          "complainant_statement": "家长称孩子被罚站两节课，情绪低落", "accused_statement": "张老师承认罚站，表示已认识到错误"}
# What each step of the happy path is given, in order: (who, task name, answers).
HAPPY_PATH: list[tuple[str, str, dict[str, Any]]] = [
    ("ducha", "受理建档", ACCEPT),
    ("lingdao", "告知相关领导", {"leader_instruction": "请信息督察室牵头调查"}),
    ("ducha", "初步电话回复", REPLY),
    ("diaocha", "调查核实", REPORT),
    ("ducha", "书面报告领导", {"report_text": "调查属实，建议责成张老师书面检查并向家长致歉"}),
    ("lingdao", "领导对处理结果提出意见", {"leader_opinion": "同意调查意见，提交校委会研究"}),
    ("xiaowei", "校委会研究处理意见", {"substantiated": True, "decision": "投诉属实，责成书面检查并致歉",
                               "sanction": "self_criticism"}),
    ("diaocha", "致歉与整改", {"apology_made": True, "correction": "张老师当面向家长和学生致歉",
                          "preventive_measure": "meeting", "preventive_detail": "年级组召开师德专题会议"}),
    ("ducha", "电话通报处理结果", {"call_record": "家长表示满意", "resolved": True}),
    ("ducha", "记录建档", {"archive_summary": "投诉属实，已处理完毕并归档"}),
]


@dataclass
class Demo:
    users: list[tuple[str, str, list[str]]]  # (name, display name, groups)
    cases: list[str] = field(default_factory=list)  # case numbers
    reused: bool = False
    # When set up now (not reused): what each case shows, by a short key (``overdue``, ``covered``…), its
    # description, and the tracking code of the closed one (a code is shown once, at the start).
    case: dict[str, str] = field(default_factory=dict)
    described: list[tuple[str, str]] = field(default_factory=list)
    tracking: tuple[str, str] | None = None


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
        clock = FakeClock(now - timedelta(days=40))
        with Session.begin() as s:
            load_demo(s, data, clock=clock)
            definitions.deploy_path(s, [ROOT / "processes"], clock=clock, actor="admin")
            for name, _, _ in people:
                passwords.set_password(s, name, PASSWORD)
        demo = Demo(people)

        def fire_until(moment: datetime) -> None:
            """Fire the timers due by ``moment``, each at its due time, as the worker would have."""
            while True:
                with Session() as s:
                    due = s.scalar(sa.select(sa.func.min(Timer.due_at)).where(
                        Timer.status == TimerStatus.WAITING, Timer.due_at <= moment))
                if due is None:
                    return
                clock.set(max(clock.now(), due.replace(tzinfo=due.tzinfo or UTC)))
                fire_timers(Session, clock)

        def case(key: str, description: str, started: datetime, steps: int) -> str:
            """Start a case at ``started`` and take it through the first ``steps`` steps, an hour apart."""
            fire_until(started)
            clock.set(started)
            number, code = _start(Session, clock)
            for user, name, answers in HAPPY_PATH[:steps]:
                clock.advance(hours=1)
                _do(Session, clock, number, user, name, answers)
            demo.cases.append(number)
            demo.case[key] = number
            demo.described.append((number, description))
            if key == "closed":
                demo.tracking = (number, code)
            return number

        case("closed", "closed: every step done, the complainant satisfied", now - timedelta(days=40),
             len(HAPPY_PATH))
        for key in ("waiting", "waiting_too"):
            case(key, "a month old, waiting for 受理建档 (ducha's queue)", now - timedelta(days=30), 0)
        case("reply", "accepted a month ago, waiting for 初步电话回复 (ducha's queue)", now - timedelta(days=30), 2)
        for key, days in (("overdue", 20), ("late", 14)):
            case(key, "调查核实 overdue (diaocha's queue); escalated to 主管领导 (zhuguan)",
                 now - timedelta(days=days), 3)
        case("committee", "waiting for 校委会研究处理意见 (xiaowei's queue)", now - timedelta(days=8), 6)
        covered = case("covered", "waiting for lingdao's 告知相关领导; xiaowei covers lingdao this week",
                       now - timedelta(hours=2), 1)
        case("fresh", "opened an hour ago, waiting for 受理建档 (ducha's queue)", now - timedelta(hours=1), 0)
        fire_until(now - timedelta(minutes=30))
        # lingdao took the covered case's task and is away this week: xiaowei covers, so it is in xiaowei's inbox.
        clock.set(now - timedelta(minutes=30))
        with Session() as s:
            task = next(t for t in queries.task_list_json(s, "lingdao", clock.now()) if t["case_number"] == covered)
        with Session.begin() as s:
            runtime.claim_task(s, task["id"], user="lingdao", clock=clock)
        with Session.begin() as s:
            substitution.arrange(s, "lingdao", "xiaowei", now - timedelta(days=1), now + timedelta(days=7),
                                 clock=clock, reason="外出学习")
        fire_until(now)
        return demo
    finally:
        engine.dispose()


def _start(Session: Any, clock: FakeClock) -> tuple[str, str]:  # noqa: N803
    with Session.begin() as s:
        started = runtime.start_process(s, "p2_complaint", user="ducha", clock=clock, data=dict(COMPLAINT))
        return str(started.case_number), str(started.tracking_code)


def _do(Session: Any, clock: FakeClock, case: str, user: str, name: str, answers: dict[str, Any]) -> None:  # noqa: N803
    if name.endswith("回复") and "prelim_reply_on" not in answers:
        answers = {**answers, "prelim_reply_on": clock.now().date().isoformat()}
    if name == "受理建档":
        answers = {**answers, "accepted_on": clock.now().date().isoformat()}
    with Session() as s:
        task = next(t for t in queries.task_list_json(s, user, clock.now())
                    if t["name"] == name and t["case_number"] == case)
    with Session.begin() as s:
        runtime.complete_task(s, task["id"], user=user, clock=clock, data=answers)
