"""Walk one parent complaint (P2) through its tasks with the command line, printing each step.

Run by scripts/demo.sh on a fresh SQLite file, demo.sqlite, in the project directory.
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "demo.sqlite"
SF = [str(ROOT / ".venv" / "bin" / "schoolflow"), "--db", f"sqlite:///{DB}"]

COMPLAINT = {
    "complainant_name": "刘女士", "complainant_phone": "13800000000", "channel": "phone",
    "accused_department": "初二年级组", "accused_name": "张老师", "accused_user": "zhang_teacher",
    "title": "班主任体罚学生", "complaint_detail": "孩子反映被罚站两节课。",
}
STEPS = [  # (who, task, form answers)
    ("ducha", "受理建档", {"category": "ethics", "category_item": "ethics_punishment",
                          "accepted_on": "{today}", "acceptance_note": "受理"}),
    ("lingdao", "告知相关领导", {"leader_instruction": "请信息督察室牵头调查"}),
    ("ducha", "初步电话回复", {"prelim_reply_note": "已受理，七个工作日内答复", "prelim_reply_on": "{today}"}),
    ("diaocha", "调查核实", {"findings": "经调查属实", "need_extension": False}),
    ("ducha", "书面报告领导", {"report_text": "调查报告：情况属实"}),
    ("xiaowei", "校委会研究处理意见", {"substantiated": True, "decision": "通报批评并书面检查",
                                     "sanction": "circulated"}),
    ("diaocha", "致歉与整改", {"apology_made": True, "correction": "停止罚站", "preventive_measure": "meeting"}),
    ("ducha", "电话通报处理结果", {"call_record": "家长仍有顾虑", "resolved": False}),
    ("diaocha", "跟进处理", {"follow_up_action": "与家长面谈"}),
    ("ducha", "电话通报处理结果", {"call_record": "家长满意", "resolved": True}),
    ("ducha", "记录建档", {"archive_summary": "办结"}),
]


def sf(*args: str, quiet: bool = False) -> str:
    print(f"\n$ schoolflow {' '.join(shlex.quote(a) for a in args)}", flush=True)
    done = subprocess.run([*SF, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {done.stderr.strip()}")
    if not quiet:
        print(done.stdout.rstrip())
    return done.stdout


def task_id(user: str, name: str) -> str:
    tasks = json.loads(sf("tasks", "--as", user, "--json", quiet=True))
    for t in tasks:
        print(f"  {user} sees: {t['name']} ({t['case_number']}, due {t['due_at'] or '-'})")
    return next(t["id"] for t in tasks if t["name"] == name)


def main() -> None:
    DB.unlink(missing_ok=True)
    sf("init-db")
    sf("deploy", str(ROOT / "processes"))
    sf("demo-data")
    started = json.loads(sf("start", "p2_complaint", "--as", "ducha", "--data",
                            json.dumps(COMPLAINT, ensure_ascii=False), "--json"))
    today = json.loads(sf("show", str(started["id"]), "--json", quiet=True))["started_at"][:10]
    for who, name, answers in STEPS:
        tid = task_id(who, name)
        sf("tasks", "--as", "zhang_teacher")  # the accused teacher never sees the case
        data = json.loads(json.dumps(answers, ensure_ascii=False).replace("{today}", today))
        sf("complete", tid, "--as", who, "--data", json.dumps(data, ensure_ascii=False))
    sf("show", str(started["id"]))
    # What the parent sees with the tracking code handed out at the start: steps and the public replies.
    sf("track", started["case_number"], "--code", started["tracking_code"])
    sf("audit", "verify")


if __name__ == "__main__":
    main()
