"""Rasa SDK actions: a thin adapter over the need dialogue in ``bot``."""

from bot.assistant import assistant

# Open the need log when the action server starts, not at the first action:
# records a previous run left in the outbox are delivered right away.
assistant()
