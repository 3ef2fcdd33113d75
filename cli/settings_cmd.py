"""``schoolflow settings``: the school-wide settings (office-day end, time zone) without editing code.

Each command frames its own transaction from ``ctx.obj.sessionmaker`` and reads the time from
``ctx.obj.clock``; the rules and defaults live in ``engine.time.school_time``.
"""
from __future__ import annotations

import json

import click

from engine.views import queries
from engine.people import settings_changes
from engine.time import school_time


@click.group("settings")
def settings_group() -> None:
    """School-wide settings: when the office day ends, the school's time zone."""


@settings_group.command("show")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, as_json: bool) -> None:
    """List every setting: value in force, default, who changed it last."""
    with ctx.obj.read_sessionmaker() as session:
        rows = school_time.all_settings(session)
        zone = school_time.school_time(session).tz
    if as_json:
        click.echo(json.dumps([{
            "name": r.name, "value": r.value, "default": r.default, "overridden": r.overridden,
            "description": r.description, "updated_at": queries.local_time(r.updated_at, zone),
            "updated_by": r.updated_by,
        } for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        if r.overridden:
            when = queries.local_time(r.updated_at, zone) or ""
            note = f"(default {r.default}; set {when[:16].replace('T', ' ')}" + (
                f" by {r.updated_by})" if r.updated_by else ")")
        else:
            note = "(default)"
        click.echo(f"{r.name:<16} {r.value:<16} {note}")


@settings_group.command("set")
@click.argument("name")
@click.argument("value")
@click.option("--as", "actor", metavar="ADMIN", help="The administrator who changes it (audit log).")
@click.pass_context
def set_(ctx: click.Context, name: str, value: str, actor: str | None) -> None:
    """Set NAME to VALUE for deadlines, timers and times computed from now on."""
    with ctx.obj.sessionmaker.begin() as session:
        stored = settings_changes.set_setting(session, name, value, clock=ctx.obj.clock, actor=actor)
    click.echo(f"{name} = {stored}")


@settings_group.command("unset")
@click.argument("name")
@click.option("--as", "actor", metavar="ADMIN", help="The administrator who changes it (audit log).")
@click.pass_context
def unset(ctx: click.Context, name: str, actor: str | None) -> None:
    """Go back to NAME's default."""
    with ctx.obj.sessionmaker.begin() as session:
        changed = settings_changes.unset_setting(session, name, clock=ctx.obj.clock, actor=actor)
        default = school_time.get_setting(session, name)
    click.echo(f"{name} back to the default ({default})" if changed
               else f"{name} was not set; it is the default ({default})")
