"""The need log on SQL (SQLAlchemy + Alembic), behind a durable outbox."""
