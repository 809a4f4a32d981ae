"""Table numbers on the need log, and the hand-over of conversations to staff.

Revision ID: 0004_handover
Revises: 0003_questions
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_handover"
down_revision = "0003_questions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``table`` to need_occurrences and handoffs; create conversations and their messages."""
    for name in ("need_occurrences", "handoffs"):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("table", sa.String(16), nullable=True))
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("table", sa.String(16), nullable=True),
        sa.Column("need", sa.String(64), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="waiting"),
        sa.Column("claimed_by", sa.String(60), nullable=True),
        sa.Column("waiting_since", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("first_reply_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("conversation_key", name="uq_conversations_key"),
    )
    op.create_index("ix_conversations_status", "conversations", ["status"])
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("staff_name", sa.String(60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("key", name="uq_conversation_messages_key"),
    )
    op.create_index(
        "ix_conversation_messages_conversation",
        "conversation_messages",
        ["conversation_key", "id"],
    )


def downgrade() -> None:
    """Drop the hand-over tables and the table columns."""
    op.drop_table("conversation_messages")
    op.drop_table("conversations")
    for name in ("handoffs", "need_occurrences"):
        with op.batch_alter_table(name) as batch:
            batch.drop_column("table")
