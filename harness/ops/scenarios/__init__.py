"""The scale scenarios: replicas, load, faults, hostile input — each returns its figures.

Used by ``tests/scale`` (which asserts ``result.ok`` and a few specifics) and
by ``make soak`` (which prints the figures). A :class:`Result` lists what
went wrong in ``problems``; an empty list means the scenario passed. One
module per scenario; what they share (the result, REST and socket.io turns,
the ledger checks) is in ``common``.
"""

from harness.ops.scenarios.common import Result, socketio_turn
from harness.ops.scenarios.faults import faults
from harness.ops.scenarios.hostile_input import hostile_input
from harness.ops.scenarios.load import load
from harness.ops.scenarios.replicas import replicas, tracker_slots

__all__ = [
    "Result",
    "faults",
    "hostile_input",
    "load",
    "replicas",
    "socketio_turn",
    "tracker_slots",
]
