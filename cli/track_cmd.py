"""``schoolflow track``: a case as its complainant sees it, given the case number and tracking code.

The same view as the web UI's public ``/track`` page (``engine.views.tracking``): status, the steps done and
waiting, and the fields the procedure declares public. A wrong number or code is one error line.
"""
from __future__ import annotations

import json

import click

from engine.views import tracking


@click.command("track")
@click.argument("case_number")
@click.option("--code", prompt="tracking code", hide_input=True,
              help="The tracking code given when the case was started (asked for when left out).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def track(ctx: click.Context, case_number: str, code: str, as_json: bool) -> None:
    """Show case CASE_NUMBER as its complainant sees it: status, steps and the public result."""
    with ctx.obj.read_sessionmaker() as session:
        view = tracking.track(session, case_number, code, ctx.obj.clock.now())
    out = view.to_json()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"case {out['case_number']}  {out['procedure']}  {out['status_text']}")
    click.echo(f"opened {_minutes(out['opened_at'])}"
               + (f", closed {_minutes(out['closed_at'])}" if out["closed_at"] else ""))
    for stage in out["stages"]:
        when = f"  {_minutes(stage['at'])}" if stage["at"] else ""
        click.echo(f"  {'done   ' if stage['done'] else 'waiting'}  {stage['name']}{when}")
    for item in out["result"]:
        click.echo(f"{item['label']}: {item['value']}")


def _minutes(iso: str) -> str:
    return iso[:16].replace("T", " ")
