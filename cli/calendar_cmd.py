"""``schoolflow calendar``: enter school closures and extra working days, import them, show a year.

Each command frames its own transaction from ``ctx.obj.sessionmaker`` and reads the time from
``ctx.obj.clock``; the rules live in ``engine.time.school_calendar``.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import click

from engine.errors import InvalidInput
from engine.storage.models import CalendarEntryKind
from engine.time.school_calendar import add_entries, load_calendar, parse_import

# A longer --to range is almost certainly a typo in the year.
_MAX_RANGE_DAYS = 366


def _parse_date(value: str, name: str) -> date:
    """An ISO date (2026-10-08), else a one-line error."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise click.ClickException(f"{name} {value!r} is not a date like 2026-10-08")


@click.group("calendar")
def calendar() -> None:
    """School closures, extra working days and the national holiday calendar."""


@calendar.command("add-closure")
@click.argument("first", metavar="DATE")
@click.option("--to", "last", metavar="DATE", help="Last closed day (inclusive).")
@click.option("--reason", required=True, help="Why the school is closed.")
@click.pass_context
def add_closure(ctx: click.Context, first: str, last: str | None, reason: str) -> None:
    """Close the school on DATE (or DATE to --to): deadlines skip these days."""
    day = _parse_date(first, "DATE")
    until = _parse_date(last, "--to") if last else day
    if until < day:
        raise click.ClickException(f"--to {until} is before {day}")
    if (until - day).days >= _MAX_RANGE_DAYS:
        raise click.ClickException(f"{day} to {until} is more than a year; check the dates")
    days = [day + timedelta(days=i) for i in range((until - day).days + 1)]
    _store(ctx, days, CalendarEntryKind.CLOSURE, reason)
    click.echo(f"closed {len(days)} day(s) from {day} to {until}: {reason}")


@calendar.command("add-workday")
@click.argument("value", metavar="DATE")
@click.option("--reason", required=True, help="Why the school works on this day.")
@click.pass_context
def add_workday(ctx: click.Context, value: str, reason: str) -> None:
    """Make DATE a working day although it would be a day off."""
    day = _parse_date(value, "DATE")
    _store(ctx, [day], CalendarEntryKind.WORKDAY, reason)
    click.echo(f"{day} is a working day: {reason}")


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_entries(ctx: click.Context, file: Path) -> None:
    """Import closures and workdays from a CSV (date,kind,reason) or iCalendar (.ics) FILE."""
    try:
        entries = parse_import(file.read_bytes(), file.name)
        with ctx.obj.sessionmaker.begin() as session:
            for day, kind, reason in entries:
                add_entries(session, [day], kind, reason, clock=ctx.obj.clock)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    closures = sum(1 for _, kind, _ in entries if kind is CalendarEntryKind.CLOSURE)
    click.echo(f"imported {closures} closure(s) and {len(entries) - closures} workday(s) from {file.name}")


@calendar.command("show")
@click.argument("year", type=click.IntRange(1900, 9999))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def show(ctx: click.Context, year: int, as_json: bool) -> None:
    """List the holidays, adjusted working days, closures and extra workdays of YEAR."""
    with ctx.obj.sessionmaker.begin() as session:
        school_calendar = load_calendar(session)
    days = school_calendar.year_days(year)
    # Plain weekends and ordinary working days are what everyone expects; list only the exceptions.
    special = [(day, working, reason) for day, working, reason in days if reason not in ("", "weekend")]
    working_count = sum(1 for _, working, _ in days if working)
    for warning in school_calendar.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps({
            "year": year,
            "working_days": working_count,
            "days": [{"date": d.isoformat(), "working": w, "reason": r} for d, w, r in special],
            "warnings": school_calendar.warnings,
        }, ensure_ascii=False, indent=2))
        return
    for day, working, reason in special:
        click.echo(f"{day.isoformat()} {day:%a}  {'work' if working else 'off '}  {reason}")
    click.echo(f"{working_count} working days in {year}")


def _store(ctx: click.Context, days: list[date], kind: CalendarEntryKind, reason: str) -> None:
    try:
        with ctx.obj.sessionmaker.begin() as session:
            add_entries(session, days, kind, reason, clock=ctx.obj.clock)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
