"""Questions answered from the business profile (the report's topics).

Revision ID: 0003_questions
Revises: 0002_bookings
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_questions"
down_revision = "0002_bookings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create questions."""
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.UniqueConstraint("key", name="uq_questions_key"),
    )
    op.create_index("ix_questions_created_at", "questions", ["created_at"])
    op.create_index("ix_questions_topic", "questions", ["topic"])


def downgrade() -> None:
    """Drop questions."""
    op.drop_table("questions")
