"""``schoolflow activate``: check a staged version's lanes, groups and parameters, then make it active.

The rules live in ``engine.definitions.activation``.
"""

from __future__ import annotations

import click

from engine.definitions import activation
from engine.errors import NotAllowed
from engine.people.users import get_user


@click.command("activate")
@click.argument("process_key")
@click.argument("version", type=int)
@click.option(
    "--check", "only_check", is_flag=True, help="Show what it will use and what blocks it; change nothing."
)
@click.option("--as", "actor", help="The administrator activating it (recorded in the audit log).")
@click.pass_obj
def activate(obj, process_key: str, version: int, only_check: bool, actor: str | None) -> None:  # noqa: ANN001
    """Make staged VERSION of PROCESS_KEY the version new cases start on."""
    with obj.read_sessionmaker() as session:
        if actor is not None and not get_user(session, actor).is_admin:
            raise NotAllowed("only an administrator can activate a procedure version")
        check = activation.check_activation(session, activation.staged_version(session, process_key, version))
        for lane in check.lanes:
            how = "mapped" if lane.mapped else "by name"
            click.echo(f"lane {lane.lane}: group {lane.group} ({how}), {lane.members} member(s)")
        for group in check.groups:
            click.echo(f"group {group.group}: {group.members} member(s), named by {', '.join(group.tasks)}")
        for p in check.params:
            click.echo(f"param {p.name} = {p.value}" + (" (set for this school)" if p.overridden else ""))
        for blocker in check.blockers:
            click.echo(f"blocked: {blocker}")
    if only_check or not check.ready:
        if not check.ready:
            raise click.exceptions.Exit(1)
        return
    with obj.sessionmaker.begin() as session:
        activation.activate(session, process_key, version, clock=obj.clock, actor=actor)
    click.echo(f"activated: {process_key} v{version}; new cases start on it, open cases keep their version")
