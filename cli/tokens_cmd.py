"""``schoolflow tokens``: API tokens for programs that call the JSON API (rules in engine.people.tokens)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import click

from engine.errors import InvalidInput
from engine.people import tokens
from engine.time import school_time
from engine.views import queries


@click.group("tokens")
def tokens_group() -> None:
    """API tokens (Authorization: Bearer …) that act as a user."""


def _end_of(day: str, zone) -> datetime:  # noqa: ANN001
    try:
        d = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(f"--expires: '{day}' is not a date like 2027-07-31") from None
    # Valid through the whole of that day in the school's time zone.
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=zone)


@tokens_group.command("create")
@click.argument("user")
@click.option("--name", help="What the token is for, e.g. 'WeCom bot'.")
@click.option("--expires", help="Last day the token works (YYYY-MM-DD, school time); default: never.")
@click.option("--as", "actor", help="Who makes it (the user or an administrator); default: the operator.")
@click.pass_obj
def create(obj, user: str, name: str | None, expires: str | None, actor: str | None) -> None:  # noqa: ANN001
    """Make a token for USER; it is printed once, on the last line."""
    with obj.sessionmaker.begin() as session:
        zone = school_time.school_time(session).tz
        expires_at = _end_of(expires, zone) if expires else None
        view, secret = tokens.create_token(
            session, user, clock=obj.clock, name=name, expires_at=expires_at, actor=actor
        )
    until = f", valid until {queries.local_time(expires_at, zone)}" if expires_at else ""
    click.echo(f"token {view.id} for {user}{until}; it is shown only now, keep it safe:")
    click.echo(secret)


@tokens_group.command("list")
@click.option("--user", help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(obj, user: str | None, as_json: bool) -> None:  # noqa: ANN001
    """List tokens (never their secrets)."""
    with obj.read_sessionmaker() as session:
        zone = school_time.school_time(session).tz
        rows = tokens.list_tokens(session, user)
    now = obj.clock.now()
    out = [
        {
            "id": t.id,
            "user": t.user,
            "name": t.name,
            "prefix": t.prefix,
            "state": t.state(now),
            "created_at": queries.local_time(t.created_at, zone),
            "created_by": t.created_by,
            "expires_at": queries.local_time(t.expires_at, zone),
            "last_used_at": queries.local_time(t.last_used_at, zone),
        }
        for t in rows
    ]
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for t in out:
        click.echo(f"{t['id']:>4}  {t['user']:<16} {t['prefix']}…  {t['state']:<8} {t['name'] or ''}")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@click.option("--as", "actor", help="Who revokes it (its user or an administrator); default: the operator.")
@click.pass_obj
def revoke(obj, token_id: int, actor: str | None) -> None:  # noqa: ANN001
    """Revoke a token at once."""
    with obj.sessionmaker.begin() as session:
        changed = tokens.revoke_token(session, token_id, clock=obj.clock, actor=actor)
    click.echo(f"token {token_id} revoked" if changed else f"token {token_id} was already revoked")
