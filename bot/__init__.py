"""Hiểu Ý: a Vietnamese Rasa assistant that answers the need behind a request."""
