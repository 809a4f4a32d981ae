"""Where a staff reply to a Messenger or Zalo guest goes: ``conversations.reply_to``.

The conversation key is a keyed hash of the sender id; a reply through the
platform's API needs the raw page-/OA-scoped id, so a hand-over from those
channels keeps it here (and nowhere else). Widget conversations leave it NULL.

Revision ID: 0005_channel_reply
Revises: 0004_handover
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_channel_reply"
down_revision = "0004_handover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``reply_to`` to conversations."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(255), nullable=True))


def downgrade() -> None:
    """Drop ``reply_to``."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("reply_to")
