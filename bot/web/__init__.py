"""The web app on :8000: widget demo page, widget script and the staff report."""
