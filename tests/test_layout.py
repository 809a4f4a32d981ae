"""The layout stays what the README says: who may import whom, and short functions.

* ``bot/`` is what a deployment runs: it never imports the harness.
* ``bot/language/`` is Vietnamese text handling: no Rasa, no ``bot.needs``.
* ``bot/needs/`` is pure logic: no database (``bot.store``), no Rasa.
* Importing ``actions`` builds nothing and writes nothing.
* No function outside ``tests/`` is longer than 60 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from bot.paths import ROOT

MAX_FUNCTION_LINES = 60
PRODUCT = ("bot", "actions")
OUTSIDE_TESTS = ("bot", "actions", "harness", "scripts")


def python_files(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> Iterator[Tuple[int, str]]:
    """Every module ``path`` imports (also inside functions), with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def offenders(packages: Tuple[str, ...], forbidden: Tuple[str, ...]) -> List[str]:
    found = []
    for path in python_files(*packages):
        for line, module in imported_modules(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize(
    ("packages", "forbidden"),
    [
        (PRODUCT, ("harness", "tests")),
        (("bot/language",), ("rasa", "rasa_sdk", "bot.rasa", "bot.needs", "bot.store")),
        (("bot/needs",), ("bot.store", "bot.rasa", "rasa", "rasa_sdk", "sqlalchemy")),
    ],
)
def test_who_may_import_whom(packages, forbidden):
    assert offenders(packages, forbidden) == []


def test_no_function_outside_tests_is_longer_than_60_lines():
    too_long = []
    for path in python_files(*OUTSIDE_TESTS):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = (node.end_lineno or node.lineno) - first + 1
                if lines > MAX_FUNCTION_LINES:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    too_long.append(f"{where} {node.name}() has {lines} lines")
    assert too_long == [], "split these functions:\n" + "\n".join(too_long)


def test_importing_the_actions_builds_nothing(tmp_path):
    """Rasa SDK imports ``actions``; the assistant and its outbox come at the first action."""
    outbox = tmp_path / "outbox.sqlite"
    code = (
        "import actions, actions.needs, actions.outcomes, bot.assistant as a, sys; "
        "sys.exit(0 if a._instance is None else 1)"
    )
    env = {"NEEDLOG_OUTBOX": str(outbox), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    assert not outbox.exists()
