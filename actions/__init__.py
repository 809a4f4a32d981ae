"""Rasa SDK actions: a thin adapter over the need dialogue in ``bot``."""
