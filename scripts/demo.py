"""Set up the served demo on demo.sqlite (reused when it is already there), print who can sign in, serve.

Run by scripts/demo.sh. The data is ``cli.demo_cases.build_demo``, the same the browser tests use.
Options: --port N (default 5000), --reset (start again from an empty file).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cli.demo_cases import PASSWORD, build_demo  # noqa: E402

DB = ROOT / "demo.sqlite"
# Who does what in a complaint case (p2_complaint), the procedure the demo cases run on.
ROLES = ("ducha registers, accepts, replies, reports, calls back and archives; lingdao reads and gives the "
         "leaders' opinion; diaocha investigates and rectifies; xiaowei (校委会) decides; zhuguan handles "
         "escalations and extensions; zhang_teacher is the accused and sees none of it; admin sees everything")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--reset", action="store_true", help="delete demo.sqlite and set it up again")
    args = parser.parse_args()
    if args.reset:
        DB.unlink(missing_ok=True)
    url = f"sqlite:///{DB}"
    demo = build_demo(url)
    print("demo data " + ("reused from" if demo.reused else "set up in") + f" {DB.name}")
    if demo.described:
        print("cases (a complaint each, 家长及学生投诉处理):")
        for number, description in demo.described:
            print(f"  {number}  {description}")
    else:
        print(f"cases: {', '.join(demo.cases)}")
    if demo.tracking:
        number, code = demo.tracking
        print(f"\nthe complainant of {number} follows it at /track with the code {code} (shown this once)")
    print(f"\nsign in as any of these users, password {PASSWORD!r}:")
    for name, display, groups in demo.users:
        print(f"  {name:<14} {display:<16} {', '.join(groups) or '(administrator)'}")
    print(f"the complaint cases' roles: {ROLES}")
    print(f"\nopen http://127.0.0.1:{args.port}/ in a browser (Ctrl+C stops the server)", flush=True)
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "schoolflow-demo-only")}
    sf = str(ROOT / ".venv" / "bin" / "schoolflow")
    os.execve(sf, [sf, "--db", url, "serve", "--host", "127.0.0.1", "--port", str(args.port)], env)


if __name__ == "__main__":
    main()
