"""The served demo's data (cli.demo_cases, what scripts/demo.sh serves): cases in every state a school
office meets, made by running the engine on a clock set back in time, and reused when set up again."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from cli.demo_cases import build_demo
from engine.storage.db import make_engine, make_sessionmaker
from engine.storage.models import AuditEvent, Instance
from engine.views import inbox

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # a Wednesday morning in the school's time zone


def test_the_demo_holds_overdue_escalated_covered_and_closed_cases_and_is_reused(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    demo = build_demo(url, now=NOW)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as s:
            def page(user: str, view: str = "all") -> list:
                return inbox.inbox_page(s, user, NOW, view=view).rows

            overdue = page("diaocha", "overdue")
            assert {t.case_number for t in overdue} == {demo.case["overdue"], demo.case["late"]}
            assert all(t.due_at is not None and t.due_at < NOW for t in overdue)
            # the deadlines fired as the worker would fire them: escalations for the supervisor
            assert {(t.case_number, t.name) for t in page("zhuguan")} == {
                (demo.case["overdue"], "超期投诉督办"), (demo.case["late"], "超期投诉督办")}
            assert [(t.case_number, t.assignee) for t in page("xiaowei", "covered")] == [
                (demo.case["covered"], "lingdao")]
            assert demo.case["committee"] in {t.case_number for t in page("xiaowei")}
            assert {t.case_number for t in page("ducha") if t.name == "受理建档"} == {
                demo.case["waiting"], demo.case["waiting_too"], demo.case["fresh"]}
            assert page("zhang_teacher") == []  # the accused sees none of the cases about him
            times = [t.replace(tzinfo=t.tzinfo or UTC) for t in s.scalars(
                sa.select(AuditEvent.at).order_by(AuditEvent.seq))]
            assert times == sorted(times) and times[-1] <= NOW  # as it happened: forward, nothing after now
            statuses = dict(s.execute(sa.select(Instance.id, Instance.status)).all())
            assert sorted(statuses.values()).count("completed") == 1
        assert demo.tracking is not None and demo.tracking[0] == demo.case["closed"]
        assert {"ducha", "lingdao", "diaocha", "xiaowei", "zhuguan", "admin"} <= {u[0] for u in demo.users}
    finally:
        engine.dispose()
    again = build_demo(url, now=NOW)
    assert again.reused and again.cases == demo.cases and again.tracking is None
