"""Inbox copies kept by triggers (candidates: their task's columns; tasks: their procedure); covering indexes

The inbox counts a person's open tasks per filter on every page. Found through the candidates (the
queue of their groups: most of the tasks a person sees), each task had to be looked up by id in
``human_tasks`` and ``instances``: 10,000 lookups for a person seeing 10,000 tasks. With the task's state,
assignee, due time, priority and procedure copied onto its candidate rows, a person's queue is one range
of one covering index.

The copies are kept by the database itself, so no write path can forget them: a task row takes its
instance's procedure key when inserted; a candidate row takes its task's values when inserted; a change
of a task's state, assignee, due time or priority is copied to its candidate rows. (Due time, priority and procedure never change once a task exists; state and assignee
change on claim, unclaim, reassign, completion and cancellation.)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COPIES = [("task_state", sa.String(length=16)), ("task_assignee", sa.String(length=64)),
           ("task_due_at", sa.DateTime(timezone=True)), ("task_priority", sa.Integer()),
           ("task_process_key", sa.String(length=128))]
# Covering indexes for the inbox's ranges; they start with the columns of the two they replace.
TASKS_INDEX = ["state", "assignee", "process_key", "due_at", "priority", "id"]
CANDIDATES_INDEX = ["kind", "name", "task_state", "task_assignee", "task_process_key", "task_due_at",
                    "task_priority", "task_id"]

_PG = [
    """CREATE FUNCTION sf_task_takes_process_key() RETURNS trigger AS $$
    BEGIN
        SELECT i.process_key INTO NEW.process_key FROM instances i WHERE i.id = NEW.instance_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tr_human_tasks_process_key BEFORE INSERT OR UPDATE OF instance_id ON human_tasks
    FOR EACH ROW EXECUTE FUNCTION sf_task_takes_process_key()""",
    """CREATE FUNCTION sf_candidate_takes_task_columns() RETURNS trigger AS $$
    BEGIN
        SELECT t.state, t.assignee, t.due_at, t.priority, i.process_key
          INTO NEW.task_state, NEW.task_assignee, NEW.task_due_at, NEW.task_priority, NEW.task_process_key
          FROM human_tasks t JOIN instances i ON i.id = t.instance_id WHERE t.id = NEW.task_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tr_task_candidates_copy BEFORE INSERT OR UPDATE OF task_id ON task_candidates
    FOR EACH ROW EXECUTE FUNCTION sf_candidate_takes_task_columns()""",
    """CREATE FUNCTION sf_task_columns_to_candidates() RETURNS trigger AS $$
    BEGIN
        UPDATE task_candidates SET task_state = NEW.state, task_assignee = NEW.assignee,
               task_due_at = NEW.due_at, task_priority = NEW.priority
         WHERE task_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tr_human_tasks_to_candidates AFTER UPDATE OF state, assignee, due_at, priority
    ON human_tasks FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.assignee IS DISTINCT FROM NEW.assignee
          OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.priority IS DISTINCT FROM NEW.priority)
    EXECUTE FUNCTION sf_task_columns_to_candidates()""",
]
_SQLITE = [
    """CREATE TRIGGER tr_human_tasks_process_key AFTER INSERT ON human_tasks BEGIN
        UPDATE human_tasks SET process_key = (SELECT i.process_key FROM instances i WHERE i.id = NEW.instance_id)
         WHERE rowid = NEW.rowid;
    END""",
    """CREATE TRIGGER tr_task_candidates_copy AFTER INSERT ON task_candidates BEGIN
        UPDATE task_candidates SET (task_state, task_assignee, task_due_at, task_priority, task_process_key) =
            (SELECT t.state, t.assignee, t.due_at, t.priority, i.process_key
               FROM human_tasks t JOIN instances i ON i.id = t.instance_id WHERE t.id = NEW.task_id)
         WHERE rowid = NEW.rowid;
    END""",
    """CREATE TRIGGER tr_human_tasks_to_candidates AFTER UPDATE OF state, assignee, due_at, priority
    ON human_tasks BEGIN
        UPDATE task_candidates SET task_state = NEW.state, task_assignee = NEW.assignee,
               task_due_at = NEW.due_at, task_priority = NEW.priority
         WHERE task_id = NEW.id;
    END""",
]
_BACKFILL_TASKS = """UPDATE human_tasks SET process_key =
    (SELECT i.process_key FROM instances i WHERE i.id = human_tasks.instance_id)"""
_BACKFILL = """UPDATE task_candidates SET (task_state, task_assignee, task_due_at, task_priority, task_process_key) =
    (SELECT t.state, t.assignee, t.due_at, t.priority, i.process_key
       FROM human_tasks t JOIN instances i ON i.id = t.instance_id WHERE t.id = task_candidates.task_id)"""


def upgrade() -> None:
    op.add_column("human_tasks", sa.Column("process_key", sa.String(length=128), nullable=True))
    op.execute(_BACKFILL_TASKS)
    for name, type_ in _COPIES:
        op.add_column("task_candidates", sa.Column(name, type_, nullable=True))
    op.execute(_BACKFILL)
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)
    op.drop_index("ix_human_tasks_state_assignee", "human_tasks")
    op.drop_index("ix_task_candidates_kind_name", "task_candidates")
    op.create_index("ix_human_tasks_inbox", "human_tasks", TASKS_INDEX)
    op.create_index("ix_task_candidates_inbox", "task_candidates", CANDIDATES_INDEX)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_task_candidates_inbox", "task_candidates")
    op.drop_index("ix_human_tasks_inbox", "human_tasks")
    op.create_index("ix_task_candidates_kind_name", "task_candidates", ["kind", "name"])
    op.create_index("ix_human_tasks_state_assignee", "human_tasks", ["state", "assignee"])
    for trigger, table in (("tr_human_tasks_to_candidates", "human_tasks"),
                           ("tr_task_candidates_copy", "task_candidates"),
                           ("tr_human_tasks_process_key", "human_tasks")):
        op.execute(f"DROP TRIGGER {trigger} ON {table}" if pg else f"DROP TRIGGER {trigger}")
    if pg:
        for function in ("sf_task_columns_to_candidates", "sf_candidate_takes_task_columns",
                         "sf_task_takes_process_key"):
            op.execute(f"DROP FUNCTION {function}()")
    with op.batch_alter_table("task_candidates") as batch_op:
        for name, _type in reversed(_COPIES):
            batch_op.drop_column(name)
    with op.batch_alter_table("human_tasks") as batch_op:
        batch_op.drop_column("process_key")
