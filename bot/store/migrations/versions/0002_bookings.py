"""Bookings and their per-branch-day locks.

Revision ID: 0002_bookings
Revises: 0001_need_log
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_bookings"
down_revision = "0001_need_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create bookings and booking_locks."""
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("table", sa.String(16), nullable=True),
        sa.Column("conversation_key", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("code", name="uq_bookings_code"),
    )
    op.create_index("ix_bookings_branch_starts_at", "bookings", ["branch", "starts_at"])
    op.create_index("ix_bookings_conversation_key", "bookings", ["conversation_key"])
    op.create_table(
        "booking_locks",
        sa.Column("branch", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("booking_locks")
    op.drop_table("bookings")
