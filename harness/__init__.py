"""The harness around the product: evaluation, benchmarks, load and fault scenarios.

Nothing here is deployed. It drives the assistant from outside — held-out
and open-world evaluation (``evaluation/``), benchmarks against stock Rasa
(``bench/``), load, fault and hostile-input scenarios (``ops/``) and the test
stack they start (``stack.py``) — for the tests and ``make eval|bench|soak``.
``bot/`` never imports it; it imports ``bot/``.
"""
