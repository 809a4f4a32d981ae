"""Needs: the catalog (data), inference (parse -> need) and the need dialogue."""
