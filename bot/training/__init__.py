"""Trainer tools: validate the training data, export unrecognised requests as a draft."""
