"""``schoolflow cover``: duty cover, a colleague doing an absent user's tasks for a period.

Each command frames its own transaction from ``ctx.obj.sessionmaker`` and reads the time from
``ctx.obj.clock``; the rules live in ``engine.people.substitution``. Times are read and shown in the school's
time zone (``engine.time.school_time``).
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click

from engine.people import substitution
from engine.time.school_time import school_time


def _parse_moment(value: str, name: str, zone: ZoneInfo, *, end: bool) -> datetime:
    """An ISO date or date-time, read in the school's time zone unless it carries its own offset.

    A bare date means the whole day: its start for ``--from``, the following midnight for ``--until``.
    """
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{name} {value!r} is not a date like 2026-10-08 or a time like "
                                   "2026-10-08T14:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@click.group("cover")
def cover() -> None:
    """Duty cover: a colleague sees and does an absent user's tasks for a period."""


@cover.command("add")
@click.argument("user")
@click.option("--to", "substitute", required=True, help="The colleague who covers.")
@click.option("--from", "starts", required=True, metavar="DATETIME",
              help="Start: 2026-10-08 (that day's start) or 2026-10-08T14:00.")
@click.option("--until", "ends", required=True, metavar="DATETIME",
              help="End: 2026-10-09 (through that whole day) or 2026-10-09T17:30.")
@click.option("--reason", help="Why the user is away (kept with the cover).")
@click.option("--as", "actor", help="Who arranges it: the user (default) or an administrator.")
@click.pass_context
def add(ctx: click.Context, user: str, substitute: str, starts: str, ends: str, reason: str | None,
        actor: str | None) -> None:
    """Have a colleague cover USER's tasks from --from until --until."""
    with ctx.obj.sessionmaker.begin() as session:
        zone = school_time(session).tz
        starts_at = _parse_moment(starts, "--from", zone, end=False)
        ends_at = _parse_moment(ends, "--until", zone, end=True)
        row = substitution.arrange(session, user, substitute, starts_at, ends_at, clock=ctx.obj.clock,
                                   reason=reason, actor=actor)
    click.echo(f"cover #{row.id}: {row.substitute} covers {row.user} {row.period(zone)}")


@cover.command("list")
@click.option("--user", help="Only covers where this person is away or covers.")
@click.option("--all", "include_past", is_flag=True, help="Also ended and cancelled covers.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_(ctx: click.Context, user: str | None, include_past: bool, as_json: bool) -> None:
    """List active and upcoming covers (with --all, past ones too)."""
    now = ctx.obj.clock.now()
    with ctx.obj.read_sessionmaker() as session:
        zone = school_time(session).tz
        rows = substitution.list_covers(session, now=now, involving=user, include_past=include_past)
    if as_json:
        click.echo(json.dumps([r.to_json(now, zone) for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no covers")
    for r in rows:
        reason = f"  ({r.reason})" if r.reason else ""
        click.echo(f"#{r.id:<4} {r.substitute} covers {r.user} {r.period(zone)}  {r.state(now)}{reason}")


@cover.command("cancel")
@click.argument("cover_id", metavar="ID", type=int)
@click.option("--as", "actor", help="Who cancels: the covered user (default) or an administrator.")
@click.pass_context
def cancel(ctx: click.Context, cover_id: int, actor: str | None) -> None:
    """End cover ID now; the tasks are the user's alone again."""
    with ctx.obj.sessionmaker.begin() as session:
        row = substitution.cancel(session, cover_id, clock=ctx.obj.clock, actor=actor)
    click.echo(f"cover #{row.id} cancelled: {row.user}'s tasks are no longer shown to {row.substitute}")
