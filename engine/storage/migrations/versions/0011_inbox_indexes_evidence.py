"""Inbox keyset indexes; evidence files (stored once by SHA-256) and the cases they were uploaded to

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The inbox walks open tasks in due order (or priority order) and stops after one page.
    op.create_index("ix_human_tasks_open_due", "human_tasks", ["state", "due_at", "id"])
    op.create_index("ix_human_tasks_open_priority", "human_tasks", ["state", "priority", "due_at", "id"])
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "evidence_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["evidence_files.sha256"]),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_uploads_instance_id", "evidence_uploads", ["instance_id"])


def downgrade() -> None:
    op.drop_table("evidence_uploads")
    op.drop_table("evidence_files")
    op.drop_index("ix_human_tasks_open_priority", "human_tasks")
    op.drop_index("ix_human_tasks_open_due", "human_tasks")
