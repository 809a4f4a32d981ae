"""Held-out and open-world evaluation of a trained model (``make eval``)."""
