"""``schoolflow migrate``: move open cases of a procedure from one version to another.

Each case moves in its own transaction (one audit event each); a case that cannot move is left as it is
and the reason is printed. The rules live in ``engine.runtime.migration``.
"""

from __future__ import annotations

import json

import click

from engine.errors import NotAllowed
from engine.people.users import get_user
from engine.runtime import migration


@click.command("migrate")
@click.argument("process_key")
@click.option("--from", "from_version", type=int, required=True, help="The version the cases are on.")
@click.option("--to", "to_version", type=int, required=True, help="The version to move them to.")
@click.option("--dry-run", is_flag=True, help="Say for each case whether it can move; change nothing.")
@click.option("--case", "case_numbers", multiple=True, help="Only this case (repeatable); default: all open.")
@click.option("--as", "actor", help="The administrator moving the cases (recorded in the audit log).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def migrate(
    obj,
    process_key: str,
    from_version: int,
    to_version: int,
    dry_run: bool,  # noqa: ANN001
    case_numbers: tuple[str, ...],
    actor: str | None,
    as_json: bool,
) -> None:
    """Move the open cases of PROCESS_KEY from version --from to version --to."""
    with obj.read_sessionmaker() as session:
        if actor is not None and not get_user(session, actor).is_admin:
            raise NotAllowed("only an administrator can move cases to another version")
        source, _ = migration.versions(session, process_key, from_version, to_version)
        cases = migration.open_cases(session, source, list(case_numbers))
    results = []
    for instance_id, _number in cases:
        with obj.sessionmaker.begin() as session:  # one case, one transaction
            source, target = migration.versions(session, process_key, from_version, to_version)
            results.append(
                migration.move_case(
                    session, instance_id, target, obj.clock, actor=actor, source=source, dry_run=dry_run
                )
            )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "case_number": r.case_number,
                        "instance_id": r.instance_id,
                        "movable": r.movable,
                        "moved": r.moved,
                        "reasons": r.reasons,
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not results:
        click.echo(f"no open case on {process_key} v{from_version}")
    for r in results:
        label = r.case_number or f"instance {r.instance_id}"
        if r.movable:
            click.echo(f"{label}: {'moved to' if r.moved else 'can move to'} v{to_version}")
        else:
            click.echo(f"{label}: stays on v{from_version}: {'; '.join(r.reasons)}")
    moved = sum(r.moved for r in results)
    if not dry_run:
        click.echo(f"{moved} of {len(results)} moved")
