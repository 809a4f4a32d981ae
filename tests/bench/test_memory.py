"""The bench's per-process memory: services found under their supervisor, RSS summed."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from harness.bench.memory import TOTAL, command_line, services_of, stack_rss

SLEEP = [sys.executable, "-c", "import time; time.sleep(30)"]


def started(argv: list) -> subprocess.Popen:
    """A child process, once it runs ``argv`` (before that /proc shows the forked parent)."""
    child = subprocess.Popen(argv)
    deadline = time.monotonic() + 10
    while command_line(child.pid)[1:] != argv[1:] and time.monotonic() < deadline:
        time.sleep(0.01)
    return child


def test_services_are_found_by_their_command_and_summed() -> None:
    child = started(SLEEP)
    try:
        found = services_of(os.getpid(), {"sleeper": SLEEP[:2], "other": ["python", "-m", "x"]})
        assert found == {"sleeper": child.pid}
        figures = stack_rss({"me": os.getpid(), **found}, own_only=("me",))
        assert 0 < figures["sleeper"] < figures["me"]  # a bare interpreter vs. pytest
        assert figures[TOTAL] == figures["me"] + figures["sleeper"]
    finally:
        child.kill()
        child.wait()


def test_a_process_counts_its_children_unless_told_not_to() -> None:
    child = started(SLEEP)
    try:
        alone = stack_rss({"me": os.getpid()}, own_only=("me",))["me"]
        assert stack_rss({"me": os.getpid()})["me"] > alone
    finally:
        child.kill()
        child.wait()
