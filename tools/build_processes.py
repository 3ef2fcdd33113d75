"""Regenerate the shipped procedure files and their pictures from ``tools/process_specs``.

    .venv/bin/python -m tools.build_processes          # write processes/*.bpmn, docs/img/*.svg, docs/processes.md
    .venv/bin/python -m tools.build_processes --check  # exit 1 if a file is stale or its drawing collides

A description whose drawing has overlapping shapes, labels crossed by lines, or flows on top of each other
is refused, so the files always open cleanly in a modeler.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.bpmn_builder import check_layout, layout, to_xml
from tools.process_specs import all_definitions
from tools.render_svg import render

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
IMAGES = ROOT / "docs" / "img"
DOC = ROOT / "docs" / "processes.md"

INTRO = """# The shipped procedures

Each procedure of `PROCEDURES.md` is one BPMN 2.0 file under `processes/`, with one lane per role, names
in Simplified Chinese, a form (`camunda:formData`) on every user task, a gateway for every decision and
a full diagram (BPMNDI). The tables below map each clause of the seed document to the element ids that
implement it; the pictures are drawn from the files' own diagrams.

The files are generated from short Python descriptions in `tools/process_specs/` and committed; an
administrator may equally edit a file in Camunda Modeler or bpmn.io. Regenerate files, pictures and this
page with

    .venv/bin/python -m tools.build_processes          # or --check to verify they are up to date

The builder refuses a description whose drawing has overlapping shapes, labels crossed by lines or flows
drawn on top of each other. The files declare Camunda Platform 7.21 as their execution platform (as
Camunda Modeler writes it) and open in Camunda Modeler or bpmn.io without warnings: `tests/modeler` reads
each one as bpmn-js does (no import warnings) and lints it with `bpmnlint` and the `recommended` and
`camunda-compat/camunda-platform-7-21` rule sets of `.bpmnlintrc` (what the modeler's problems panel
shows), failing on any error, warning or note. The Node packages are pinned in `package-lock.json`; by
hand: `npx bpmnlint --max-warnings=0 processes/*.bpmn processes/examples/*.bpmn`.

**Parameters.** A value a seed leaves open is a process property `param.NAME` with a default; expressions
see it as `NAME`. An administrator changes it per deployment without editing XML:
`schoolflow params set p2_complaint reply_days 10`, `schoolflow params show p2_complaint`,
`schoolflow params unset …`; `schoolflow definitions` lists the values in force.

**Deadlines.** `camunda:dueDate` and the boundary timers that escalate an overdue task count working
days on the school calendar from the moment the engine received the case (`received_at`, a fact of the
case no form can set): `${add_working_days_from(received_at, reply_days)}` (P1, P2, P3, P4, the
examples). A typed date (受理日期) is recorded but moves nothing; a task re-created by a loop keeps its
deadline, shows as overdue once it has passed, and its escalation does not fire a second time. A deadline
told to a complainant is computed the same way and shown read-only (P4 `handling_due`, P2 `new_due`: an
approved extension adds the requested working days to the deadline in force). An escalation is
non-interrupting: management is asked to chase the work, which stays open with its deadline and goes on
to an answer; its end event (已督办…) closes only the chasing.

**Fields required by another answer.** A form field's property `requiredWhen` makes it required when
another field of the same form has a value (`measure_2`) or a given value (`outcome=extension`), e.g. a
second measure's owner and date (P3) or an extension's days and reason (P2). A field left blank is the
latest answer too: it clears what an earlier round of a loop wrote there.

**Schedules and reports.** A schedule's start event may carry the property `workingDay` (`previous` or
`next`): `0 0 17 L * ?` with `previous` is "the last working day of each month", `0 0 9 ? * MON` with
`next` "the first working day of each week", on the school calendar. A report procedure
(`statistics` property) starts with counts the engine computed from the case records, shown read-only
on its form (README, "Procedure files"); P5's offence count (第几次违规) is likewise computed from the
earlier violation reports about the same member of the same group (`earlierCount` property), read-only.

**Every flow is walked.** `tests/processes/test_zz_flow_coverage.py` fails when a sequence flow of a
shipped file is walked by no test of `tests/processes` (the flows taken are read from the cases' task
trees after each test).

**Nobody approves their own request.** A task's own `excludeUsers` property keeps people away from that
task only: `${initiator}` (P5: whoever filed a request never reviews it) or the engine-kept `done_by`
(who completed each task: P4's approvals exclude `${done_by.get('negotiate', done_by.get('plan'))}`,
P2's extension approval excludes whoever asked for it). They see no such task and are refused if they
try; the task waits for someone else. P5 routes a group's requests by its kind, to that group's owner
only: a class parents' group to the user group named after the class plus `head_teacher_group_suffix`
(`初二3班班主任`), a teachers' work group to the one named after the work group plus
`work_group_leader_suffix` (`数学学科组组长`), an administrative group to `owner_group_administration`.
An administrator puts each head teacher and group leader in their group (`schoolflow users add NAME
--groups 数学学科组组长`). The group administrators are candidates for every owner task too (reviews,
publishing, the current and expired announcement), so a sole owner's own request, or a group nobody
leads yet, still reaches someone else. A task whose named person or group has no member
(a mistyped department or account) is not lost: an administrator reassigns it from the case page or with
`schoolflow reassign TASK --as ADMIN --to USER`, and where it has a deadline its escalation tells
management.

**The accused staff member.** Complaint procedures capture `accused_user` in their start form and declare
`excludeUsers=${accused_user}`: that person never sees or acts on a task of the case, even as a member
of the investigating group.

**What the complainant sees.** Starting a case hands out a tracking code once (`schoolflow start`
prints it); with the case number and that code, the complainant follows the case on the web UI's `/track`
page or with `schoolflow track`: its status, the steps done and waiting, and only the form fields the
process lists in its `publicFields` property (e.g. `feedback_content,satisfaction`), once they have a value.
Deployment refuses a `publicFields` entry that no form of the process has.

**Demo data.** `processes/demo/demo.json` has one group per lane (named like the lane) and one demo user
per role; `schoolflow demo-data` loads it.

**Swapping in a school's own file.** `processes/examples/` holds two procedures from the same seed
documents (hospital complaints, customer-service complaints with a return visit). To replace a shipped
procedure, give the file's process the key to replace (its `id`, e.g. `p2_complaint`) and deploy it:
new cases use the new version, open cases finish on theirs.
"""


def document(all_defs: list) -> str:
    """docs/processes.md: per file, its processes, parameters, picture and clause-to-element table."""
    out = [INTRO]
    for defs in all_defs:
        stem = Path(defs.file).stem
        out.append(f"\n## {defs.name} — `processes/{defs.file}`\n")
        for proc in defs.processes:
            lanes = "、".join(name for _, name in proc.lanes)
            params = ", ".join(f"`{k.removeprefix('param.')}` = {v}" for k, v in proc.properties.items()
                               if k.startswith("param."))
            out.append(f"- process key `{proc.id}` ({proc.name}); lanes: {lanes}"
                       + (f"; parameters: {params}" if params else "")
                       + (f"; case numbers `{proc.properties['casePrefix']}-YYYY-NNNNNN`"
                          if "casePrefix" in proc.properties else "")
                       + (f"; shown to the complainant: {_public(proc.properties['publicFields'])}"
                          if "publicFields" in proc.properties else ""))
        out.append(f"\n![{defs.name}](img/{stem}.svg)\n")
        out.append("| clause | what | BPMN element ids |\n| --- | --- | --- |")
        for clause, text, ids in defs.clauses:
            # A clause the engine itself implements names the feature (a string) instead of element ids.
            where = ids if isinstance(ids, str) else ", ".join(f"`{i}`" for i in ids)
            out.append(f"| {clause} | {text.replace('|', '/')} | {where} |")
    out.append(_index(all_defs))
    return "\n".join(out) + "\n"


def _index(all_defs: list) -> str:
    """PROCEDURES.md item by item, each to its rows of the tables above (with their element ids)."""
    from tools.process_specs.clause_index import INDEX

    rows = {(d.file, c[0]): c[2] for d in all_defs for c in d.clauses}
    out = ["\n## PROCEDURES.md, item by item\n",
           "Each numbered item of `PROCEDURES.md`, with the rows above that encode it and their element ids, "
           "or the part of the engine or UI that does it.\n",
           "| item | what | where |", "| --- | --- | --- |"]
    for item, text, where in INDEX:
        if isinstance(where, str):
            cell = where
        else:
            parts = []
            for file, clause in where:
                ids = rows.get((file, clause), [])
                ids_text = ids if isinstance(ids, str) else ", ".join(f"`{i}`" for i in ids)
                parts.append(f"`{file}` {clause}: {ids_text}")
            cell = "; ".join(parts)
        out.append(f"| {item} | {text} | {cell.replace('|', '/')} |")
    return "\n".join(out)


def _public(fields: str) -> str:
    return ", ".join(f"`{name.strip()}`" for name in fields.split(","))


def build(check: bool = False, only: str | None = None) -> int:
    failures = 0
    all_defs = all_definitions()
    doc = document(all_defs)
    if check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != doc:
            print("stale: docs/processes.md (run python -m tools.build_processes)", file=sys.stderr)
            failures += 1
    elif not only:
        DOC.write_text(doc, encoding="utf-8")
    for defs in all_defs:
        if only and only not in defs.file:
            continue
        problems = check_layout(defs, layout(defs))
        for p in problems:
            print(f"{defs.file}: {p}", file=sys.stderr)
        failures += bool(problems)
        xml = to_xml(defs)
        svg = render(xml)
        target, picture = PROCESSES / defs.file, IMAGES / (Path(defs.file).stem + ".svg")
        if check:
            for path, content in ((target, xml), (picture, svg.encode())):
                if not path.exists() or path.read_bytes() != content:
                    print(f"stale: {path.relative_to(ROOT)} (run python -m tools.build_processes)",
                          file=sys.stderr)
                    failures += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        picture.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(xml)
        picture.write_text(svg, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)} and {picture.relative_to(ROOT)}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    parser.add_argument("--only", help="only files whose name contains this text")
    args = parser.parse_args()
    sys.exit(build(check=args.check, only=args.only))


if __name__ == "__main__":
    main()
