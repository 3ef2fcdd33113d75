"""``schoolflow params``: show and override a procedure's named parameters without editing its file.

Each command frames its own transaction from ``ctx.obj.sessionmaker`` and reads the time from
``ctx.obj.clock``; the rules live in ``engine.definitions.params``.
"""
from __future__ import annotations

import json

import click

from engine import definitions
from engine.definitions import params


@click.group("params")
def params_group() -> None:
    """A procedure's parameters: reply deadlines, retention years, escalation groups, …"""


@params_group.command("show")
@click.argument("process_key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, process_key: str, as_json: bool) -> None:
    """List PROCESS_KEY's parameters: default from the file, value in force, whether it was overridden."""
    with ctx.obj.read_sessionmaker() as session:
        rows = params.describe(session, definitions.latest_definition(session, process_key))
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"{process_key} declares no parameters")
    for r in rows:
        note = f"(default {r.default})" if r.overridden else "(default)"
        click.echo(f"{r.name:<24} {r.value!s:<16} {note}")


@params_group.command("set")
@click.argument("process_key")
@click.argument("name")
@click.argument("value")
@click.option("--as", "actor", help="Who changes it (recorded in the audit log).")
@click.pass_context
def set_(ctx: click.Context, process_key: str, name: str, value: str, actor: str | None) -> None:
    """Set parameter NAME of PROCESS_KEY to VALUE for cases and tasks from now on."""
    with ctx.obj.sessionmaker.begin() as session:
        definition = definitions.latest_definition(session, process_key)
        typed = params.set_param(session, definition, name, value, clock=ctx.obj.clock, actor=actor)
    click.echo(f"{process_key}: {name} = {typed}")


@params_group.command("unset")
@click.argument("process_key")
@click.argument("name")
@click.option("--as", "actor", help="Who changes it (recorded in the audit log).")
@click.pass_context
def unset(ctx: click.Context, process_key: str, name: str, actor: str | None) -> None:
    """Go back to the default written in the file."""
    with ctx.obj.sessionmaker.begin() as session:
        definitions.latest_definition(session, process_key)
        changed = params.unset_param(session, process_key, name, clock=ctx.obj.clock, actor=actor)
    click.echo(f"{process_key}: {name} back to the file's default" if changed
               else f"{process_key}: {name} was not overridden")
