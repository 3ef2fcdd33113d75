"""Drafts of procedure files edited in the browser's modeler and not deployed yet (a refused save)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "definition_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("process_key", sa.String(length=128), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("based_on_version", sa.Integer(), nullable=True),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("process_key", "author", name="uq_definition_drafts_key_author"),
    )


def downgrade() -> None:
    op.drop_table("definition_drafts")
