"""P2 §三(四) 投诉箱每天开启 (processes/p2_complaint_box_round.bpmn): a daily round records what was in the box."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def test_the_box_is_opened_every_day_p2_3_4(procedure):
    """P2 §三(四): each morning at 8:00 the complaint office gets one box-opening task for that day."""
    p = procedure("p2_complaint_box_round.bpmn")
    p.people(xu="信息督察室", chen="校委会")
    h = p.h
    h.clock.set(datetime(2026, 10, 1, 7, 59, tzinfo=SH))
    assert h.fire_due().started == 0
    h.clock.set(datetime(2026, 10, 1, 8, 1, tzinfo=SH))
    assert h.fire_due().started == 1
    p.only("开启投诉箱并登记", sees=["xu"], blind=["chen"])
    # National Day: due by the end of the next working day (8 October)
    assert h.task("xu", "开启投诉箱并登记")["due_at"] == "2026-10-08T17:30:00+08:00"
    h.do("xu", "开启投诉箱并登记", {"box_opened_on": "2026-10-01", "letters_found": 1,
                                   "letters_registered": "TS-2026-000001"})
    assert h.advance(days=1).started == 1  # the next morning, the next round
    runs = p.instances("p2_box_round")
    assert len(runs) == 2
    assert [r.status for r in runs[-2:]] == ["completed", "running"]
