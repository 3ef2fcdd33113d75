"""Sign-in for the web UI: a user's password hash (argon2id) and chosen language

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        # NULL: the user cannot sign in (until `schoolflow users set-password`).
        batch.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        # NULL: the browser's language decides, else Simplified Chinese.
        batch.add_column(sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
        batch.drop_column("password_hash")
