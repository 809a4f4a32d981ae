"""Waits for a person (time to the first staff reply) and the guests' ratings.

Revision ID: 0006_service
Revises: 0005_channel_reply
Create Date: 2026-12-02

``conversations.first_reply_at`` moves to ``waits`` (one row per wait, so a
conversation that waits twice counts twice); it was never shown anywhere.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_service"
down_revision = "0005_channel_reply"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``waits`` and ``ratings``; drop ``conversations.first_reply_at``."""
    op.create_table(
        "waits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("first_reply_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by", sa.String(60), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("table", sa.String(16), nullable=True),
        sa.Column("need", sa.String(64), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("conversation_key", "started_at", name="uq_waits_conversation_started"),
    )
    op.create_index("ix_waits_started_at", "waits", ["started_at"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("ended_by", sa.String(16), nullable=True),
        sa.Column("need", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("table", sa.String(16), nullable=True),
        sa.UniqueConstraint("key", name="uq_ratings_key"),
    )
    op.create_index("ix_ratings_created_at", "ratings", ["created_at"])
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("first_reply_at")


def downgrade() -> None:
    """Drop ``ratings`` and ``waits``; give ``conversations`` its column back."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(), nullable=True))
    op.drop_table("ratings")
    op.drop_table("waits")
