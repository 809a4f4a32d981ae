"""Resident memory of the stack's processes, read from Linux ``/proc``.

``make bench`` reports the RSS of every process of the stack after warm-up
(supervisor, Rasa server, action server, web app) and their sum: what a small
VPS must hold. A service's figure includes its child processes (Sanic or
uvicorn workers, when configured); the supervisor's is its own, since its
children are the services.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence

TOTAL = "total"


def rss_megabytes(pid: int, children: bool = True) -> float:
    """Resident memory of a process (and, by default, its descendants) in MB."""
    total = 0
    for candidate in [pid, *(descendants(pid) if children else [])]:
        try:
            with open(f"/proc/{candidate}/status", encoding="utf-8") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def descendants(pid: int) -> List[int]:
    """Every process started by ``pid``, children first."""
    direct = children_of(pid)
    return direct + [grandchild for child in direct for grandchild in descendants(child)]


def children_of(pid: int) -> List[int]:
    """The direct children of ``pid`` (all its threads')."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def command_line(pid: int) -> List[str]:
    """The arguments ``pid`` was started with (empty when it is gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return [part.decode("utf-8", "replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return []


def services_of(supervisor: int, commands: Mapping[str, Sequence[str]]) -> Dict[str, int]:
    """The supervisor's children by service name: ``commands`` maps a name to its argv start."""
    found: Dict[str, int] = {}
    for child in children_of(supervisor):
        argv = command_line(child)
        for name, start in commands.items():
            if argv[1 : len(start)] == list(start[1:]):  # the interpreter may be a symlink
                found[name] = child
    return found


def stack_rss(pids: Mapping[str, int], own_only: Sequence[str] = ()) -> Dict[str, float]:
    """RSS in MB per named process (``own_only`` without its children) and the total."""
    figures = {name: rss_megabytes(pid, name not in own_only) for name, pid in pids.items()}
    figures[TOTAL] = sum(figures.values())
    return figures
