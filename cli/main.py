"""The ``schoolflow`` command line: set up a database, deploy procedures, run cases, inspect them.

Each command runs in one transaction and prints one clear line on error (exit code 1). Every listing
takes ``--json``; the shapes are documented in the README.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from engine import definitions, runtime
from engine.cases import audit
from engine.people import passwords, users
from engine.views import queries, visibility
from engine.people.assignment import set_lane_group
from engine.time.clock import Clock, SystemClock
from engine.storage.db import database_url, make_engine, make_sessionmaker, upgrade
from engine.errors import DefinitionError, EngineError, InvalidInput

from .calendar_cmd import calendar
from .activate_cmd import activate
from .demo_cmd import demo_data
from .migrate_cmd import migrate
from .params_cmd import params_group
from .serve_cmd import serve
from .settings_cmd import settings_group
from .substitutes_cmd import cover
from .tokens_cmd import tokens_group
from .track_cmd import track


@dataclass
class CliContext:
    url: str
    clock: Clock
    _engine: sa.Engine | None = None
    _sessionmaker: sessionmaker[Session] | None = None
    _read_sessionmaker: sessionmaker[Session] | None = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        if self._sessionmaker is None:
            self._sessionmaker = make_sessionmaker(self.engine)
        return self._sessionmaker

    @property
    def read_sessionmaker(self) -> sessionmaker[Session]:
        """For commands that only look (lists, views): they neither wait for nor hold up a writer."""
        if self._read_sessionmaker is None:
            self._read_sessionmaker = make_sessionmaker(self.engine, read_only=True)
        return self._read_sessionmaker

    def close(self) -> None:
        """Close the command's database connections (called when the command ends)."""
        if self._engine is not None:
            self._engine.dispose()


class EngineErrors(click.Group):
    """Turns engine errors into one line on stderr and exit code 1, for every subcommand."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DefinitionError as exc:
            click.echo(f"refused: {len(exc.problems)} problem(s)", err=True)
            for p in exc.problems:
                click.echo(f"  {p}", err=True)
            sys.exit(1)
        except InvalidInput as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except EngineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except sa.exc.DBAPIError as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"database error: {first} (is the schema current? run 'schoolflow init-db')", err=True)
            sys.exit(1)


@click.group(cls=EngineErrors)
@click.option("--db", "db_url", help="Database URL (default: $DATABASE_URL, else ./schoolflow.sqlite).")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """schoolflow: run school procedures as BPMN workflows."""
    ctx.obj = CliContext(database_url(db_url), SystemClock())
    ctx.call_on_close(ctx.obj.close)


def _data(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--data is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise click.ClickException("--data is nested too deeply") from None
    if not isinstance(value, dict):
        raise click.ClickException("--data must be a JSON object such as '{\"approved\": true}'")
    return value


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@cli.command("init-db")
@click.pass_obj
def init_db(obj: CliContext) -> None:
    """Create or upgrade the database schema."""
    upgrade(obj.engine)
    click.echo(f"database ready: {obj.url}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--allow-scripts", is_flag=True, help="Allow script tasks in these files (restricted).")
@click.option("--as", "actor", help="The administrator who deploys (recorded in the audit log); "
                                   "default: the operator.")
@click.option("--stage", is_flag=True, help="Store for review; new cases keep the active version until "
                                            "'schoolflow activate'.")
@click.pass_obj
def deploy(obj: CliContext, paths: tuple[str, ...], allow_scripts: bool, actor: str | None, stage: bool) -> None:
    """Deploy procedure files (or every .bpmn below a directory); all or nothing."""
    with obj.sessionmaker.begin() as session:
        results = definitions.deploy_path(session, list(paths), clock=obj.clock, actor=actor,
                                          allow_scripts=allow_scripts, stage=stage)
    for r in results:
        state = ("staged" if stage else "deployed") if r.created else "unchanged"
        click.echo(f"{state}: {r.process_key} v{r.version} ({r.file_name})")


@cli.command("definitions")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_definitions(obj: CliContext, as_json: bool) -> None:
    """List deployed procedures with their latest version."""
    with obj.read_sessionmaker() as session:
        rows = queries.definitions_json(session)
    if as_json:
        return _print_json(rows)
    for r in rows:
        click.echo(f"{r['key']:<28} v{r['version']:<3} {r['name'] or ''}  ({r['file']})")
        if r["params"]:
            click.echo("    params: " + ", ".join(f"{k}={v}" for k, v in r["params"].items()))


@cli.group("users")
def users_group() -> None:
    """Manage users and their groups."""


@users_group.command("add")
@click.argument("name")
@click.option("--groups", default="", help="Comma-separated group names.")
@click.option("--display-name")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option("--password-stdin", is_flag=True,
              help="Read the user's web sign-in password from the first line of standard input.")
@click.pass_obj
def users_add(obj: CliContext, name: str, groups: str, display_name: str | None, admin: bool,
              password_stdin: bool) -> None:
    """Add a user (or add groups to an existing one). Without a password the user cannot sign in."""
    names = [g.strip() for g in groups.split(",") if g.strip()]
    password = _stdin_password() if password_stdin else None
    with obj.sessionmaker.begin() as session:
        user = users.add_user(session, name, clock=obj.clock, groups=names, display_name=display_name,
                              is_admin=admin)
        if password is not None:
            passwords.set_password(session, name, password)
        click.echo(f"user {user.name}: groups {', '.join(users.group_names(user)) or '-'}"
                   + (" (administrator)" if user.is_admin else "")
                   + ("" if user.password_hash else " (no password: cannot sign in)"))


@users_group.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def users_set_password(obj: CliContext, name: str, password_stdin: bool) -> None:
    """Set NAME's web sign-in password (asked twice on a terminal, else read from standard input)."""
    if password_stdin or not sys.stdin.isatty():
        password = _stdin_password()
    else:
        password = click.prompt("new password", hide_input=True, confirmation_prompt=True)
    with obj.sessionmaker.begin() as session:
        passwords.set_password(session, name, password)
    click.echo(f"password of {name} set")


def _stdin_password() -> str:
    # One line; the newline a pipe or `echo` adds is not part of the password.
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidInput("no password on standard input")
    return line


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def users_list(obj: CliContext, as_json: bool) -> None:
    """List users and their groups."""
    with obj.read_sessionmaker() as session:
        rows = [{"name": u.name, "display_name": u.display_name, "groups": users.group_names(u),
                 "admin": u.is_admin} for u in users.list_users(session)]
    if as_json:
        return _print_json(rows)
    for r in rows:
        click.echo(f"{r['name']:<20} {', '.join(r['groups'])}{' (administrator)' if r['admin'] else ''}")


@cli.group("lanes")
def lanes_group() -> None:
    """Map a procedure's lanes to groups."""


@lanes_group.command("set")
@click.argument("process_key")
@click.argument("lane")
@click.argument("group")
@click.pass_obj
def lanes_set(obj: CliContext, process_key: str, lane: str, group: str) -> None:
    """Tasks in LANE of PROCESS_KEY go to GROUP (for tasks created from now on)."""
    with obj.sessionmaker.begin() as session:
        definitions.latest_definition(session, process_key)
        set_lane_group(session, process_key, lane, group)
    click.echo(f"{process_key}: lane '{lane}' -> group '{group}'")


@cli.command()
@click.argument("process_key")
@click.option("--as", "user", required=True, help="Who starts the case.")
@click.option("--data", help="Start data as a JSON object.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def start(obj: CliContext, process_key: str, user: str, data: str | None, as_json: bool) -> None:
    """Start a case of PROCESS_KEY; prints the instance id, case number and the tracking code."""
    with obj.sessionmaker.begin() as session:
        started = runtime.start_process(session, process_key, user=user, clock=obj.clock, data=_data(data))
    out = {"id": started.id, "case_number": started.case_number, "status": str(started.status),
           "tracking_code": started.tracking_code}
    if as_json:
        return _print_json(out)
    click.echo(f"started instance {out['id']} case {out['case_number']} ({out['status']})")
    if out["tracking_code"]:
        click.echo(f"tracking code: {out['tracking_code']} "
                   "(give it to the complainant; it cannot be shown again)")


@cli.command()
@click.option("--as", "user", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def tasks(obj: CliContext, user: str, as_json: bool) -> None:
    """List the tasks waiting for a user: assigned to them, or unclaimed for their groups."""
    with obj.read_sessionmaker() as session:
        now = obj.clock.now()
        rows = queries.task_list_json(session, user, now)
    if as_json:
        return _print_json(rows)
    if not rows:
        click.echo(f"no tasks for {user}")
    for r in rows:
        due = f" due {r['due_at'][:16]}" + (" OVERDUE" if r["overdue"] else "") if r["due_at"] else ""
        who = f"claimed by {r['assignee']}" if r["assignee"] else f"for {', '.join(r['candidate_groups']) or '-'}"
        cover = f" (covering for {r['on_behalf_of']})" if r["on_behalf_of"] else ""
        click.echo(f"{r['id']}  {r['case_number']}  {r['name']}  [{who}]{due}{cover}")


def _task_command(name: str, action: str) -> None:
    @cli.command(name, help=f"{action.capitalize()} a task.")
    @click.argument("task_id")
    @click.option("--as", "user", required=True)
    @click.pass_obj
    def command(obj: CliContext, task_id: str, user: str) -> None:
        op = {"claim": runtime.claim_task, "unclaim": runtime.unclaim_task}[name]
        with obj.sessionmaker.begin() as session:
            row = op(session, task_id, user=user, clock=obj.clock)
            click.echo(f"{name}ed: {row.name or row.bpmn_id} (assignee: {row.assignee or '-'})")


_task_command("claim", "claim")
_task_command("unclaim", "release")


@cli.command()
@click.argument("task_id")
@click.option("--as", "user", required=True, help="An administrator.")
@click.option("--to", "to", required=True, help="The new assignee.")
@click.pass_obj
def reassign(obj: CliContext, task_id: str, user: str, to: str) -> None:
    """Hand a task to another person (administrators only)."""
    with obj.sessionmaker.begin() as session:
        row = runtime.reassign_task(session, task_id, user=user, to=to, clock=obj.clock)
        click.echo(f"reassigned: {row.name or row.bpmn_id} -> {row.assignee}")


@cli.command()
@click.argument("task_id")
@click.option("--as", "user", required=True)
@click.option("--data", help="The form's answers as a JSON object.")
@click.pass_obj
def complete(obj: CliContext, task_id: str, user: str, data: str | None) -> None:
    """Complete a task with its form data."""
    with obj.sessionmaker.begin() as session:
        done = runtime.complete_task(session, task_id, user=user, clock=obj.clock, data=_data(data))
    click.echo(f"completed: {done.name or done.bpmn_id} by {user}; case is {done.instance_status}")


@cli.command()
@click.argument("case")
@click.option("--as", "user", help="Show it only if this person may see it (default: the operator sees all).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: CliContext, case: str, user: str | None, as_json: bool) -> None:
    """Show a case (its case number, such as TS-2026-000001, or its id): status, version, open tasks and
    history."""
    with obj.read_sessionmaker() as session:
        now = obj.clock.now()
        instance_id = visibility.find_case(session, case, user, now=now).id
        view = queries.instance_view(session, instance_id, now)
    if as_json:
        return _print_json(view)
    click.echo(f"instance {view['id']}  case {view['case_number']}  {view['process_key']} "
               f"v{view['version']}  {view['status']}")
    if view["error"]:
        click.echo(f"error: {view['error']}")
    for t in view["open_tasks"]:
        click.echo(f"  waiting: {t['name']} ({t['assignee'] or ', '.join(t['candidate_groups'])})")
    for h in view["history"]:
        detail = json.loads(h["detail"])
        actor = h["actor"] or ""
        if detail.get("on_behalf_of"):  # done as a colleague's substitute (duty cover)
            actor += f" for {detail['on_behalf_of']}"
        click.echo(f"  {h['at'][:19]}  {h['kind']:<20} {actor:<14} {detail.get('name') or ''}")


@cli.group("audit")
def audit_group() -> None:
    """Check the audit log."""


@audit_group.command("verify")
@click.option("--anchor", "anchor", metavar="SEQ:HASH", help="A head printed earlier by 'audit anchor' and kept "
                                                             "outside the database: the log must still lead to it.")
@click.pass_obj
def audit_verify(obj: CliContext, anchor: str | None) -> None:
    """Check the hash chain; report the first altered or deleted event (exit 1 if any)."""
    with obj.read_sessionmaker() as session:
        report = audit.verify_chain(session, anchor=anchor)
    if not report.keyed:
        click.echo(f"note: no audit key is set ({audit.KEY_FILE_ENV} or {audit.KEY_ENV}): the hashes are "
                   "plain, so whoever can write to the database could recompute them; see the README, "
                   "\"Audit log\"", err=True)
    if report.ok:
        detail = []
        if report.keyed:
            detail.append("keyed" + (f"; the first {report.unkeyed} predate the key and have plain hashes"
                                     if report.unkeyed else ""))
        if anchor is not None:
            detail.append(f"leads to the anchor #{anchor.split(':')[0].strip()}")
        click.echo(f"audit log intact: {report.checked} events" + (f" ({', '.join(detail)})" if detail else ""))
        return
    click.echo(f"audit log damaged: {report.reason} (after {report.checked} good events)", err=True)
    sys.exit(1)


@audit_group.command("anchor")
@click.pass_obj
def audit_anchor(obj: CliContext) -> None:
    """Print the chain's head as SEQ:HASH: keep it outside the database, check later with verify --anchor."""
    with obj.read_sessionmaker() as session:
        click.echo(audit.anchor(session))


@cli.command()
@click.option("--once", is_flag=True, help="Fire what is due now, then exit (for cron).")
@click.option("--interval", default=1.0, show_default=True,
              help="Longest rest between sweeps when nothing is due, in seconds.")
@click.option("--limit", type=int, help="Fire at most this many items per sweep.")
@click.pass_obj
def worker(obj: CliContext, once: bool, interval: float, limit: int | None) -> None:
    """Fire due timers and schedules; several workers may share one PostgreSQL database."""
    from engine.runtime.sweeps import run_worker

    run_worker(obj.sessionmaker, obj.clock, once=once, interval=interval, limit=limit,
               report=lambda r: click.echo(f"fired {r.fired}, started {r.started}, failed {r.failed}"))


cli.add_command(calendar)
cli.add_command(activate)
cli.add_command(migrate)
cli.add_command(params_group)
cli.add_command(demo_data)
cli.add_command(cover)
cli.add_command(track)
cli.add_command(tokens_group)
cli.add_command(serve)
cli.add_command(settings_group)


def main() -> None:
    cli()
