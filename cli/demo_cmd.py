"""``schoolflow demo-data [FILE]``: the groups each lane maps to and one demo user per role.

The file (default ``processes/demo/demo.json``) lists ``groups`` (name and description), ``users`` (name,
display name, groups, admin flag) and optional ``lanes`` (process key, lane, group) for lanes whose
group is not named like the lane. Loading it twice changes nothing.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from engine.people import users
from engine.people.assignment import set_lane_group

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "processes" / "demo" / "demo.json"


def load_demo(session: Any, data: dict[str, Any], *, clock: Any) -> tuple[int, int, int]:
    """Create the demo users and groups and the lane mappings; returns (users, groups, lanes)."""
    for u in data.get("users", []):
        users.add_user(session, u["name"], clock=clock, groups=u.get("groups", []),
                       display_name=u.get("display_name"), is_admin=bool(u.get("admin")))
    for lane in data.get("lanes", []):
        set_lane_group(session, lane["process_key"], lane["lane"], lane["group"])
    groups = {g for u in data.get("users", []) for g in u.get("groups", [])}
    return len(data.get("users", [])), len(groups), len(data.get("lanes", []))


@click.command("demo-data")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def demo_data(ctx: click.Context, file: Path | None) -> None:
    """Load demo users, their groups and lane mappings from FILE (default: processes/demo/demo.json)."""
    path = file or DEFAULT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    with ctx.obj.sessionmaker.begin() as session:
        n_users, n_groups, n_lanes = load_demo(session, data, clock=ctx.obj.clock)
    click.echo(f"demo data loaded from {path.name}: {n_users} users, {n_groups} groups, {n_lanes} lane mappings")
