"""Rasa SDK actions: a thin adapter over the need dialogue in ``bot``.

Importing this package has no side effects: the assistant (catalog, models,
need log and its outbox) is built when the first action runs, so tools and
tests can import the actions without creating files in ``var/``. Records a
previous run left in the outbox are delivered from that first action on.
"""
