"""The need log and the handoff queue.

Revision ID: 0001_need_log
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_need_log"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create need_occurrences and handoffs."""
    op.create_table(
        "need_occurrences",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("conversation_key", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("need", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("item", sa.String(200), nullable=True),
        sa.Column("sub_goal", sa.String(64), nullable=True),
        sa.Column("alternatives", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("model_id", sa.String(128), nullable=True),
        sa.UniqueConstraint("key", name="uq_need_occurrences_key"),
    )
    op.create_index("ix_need_occurrences_created_at", "need_occurrences", ["created_at"])
    op.create_index(
        "ix_need_occurrences_conversation_key", "need_occurrences", ["conversation_key"]
    )
    op.create_index("ix_need_occurrences_need", "need_occurrences", ["need"])
    op.create_index("ix_need_occurrences_outcome", "need_occurrences", ["outcome"])
    op.create_index("ix_need_occurrences_need_created", "need_occurrences", ["need", "created_at"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("need", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="waiting"),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("key", name="uq_handoffs_key"),
    )
    op.create_index("ix_handoffs_created_at", "handoffs", ["created_at"])
    op.create_index("ix_handoffs_status", "handoffs", ["status"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("handoffs")
    op.drop_table("need_occurrences")
