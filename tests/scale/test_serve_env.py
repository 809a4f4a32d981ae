"""The supervisor stays small; the Rasa server starts with its performance settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import environment
from bot.serve import RASA_SERVER_ENV, Service, run_step, services, start

PRINT_ENV = "import os; print(os.environ['TF_INTRA_OP_PARALLELISM_THREADS'])"


def test_rasa_service_carries_the_tensorflow_thread_settings(tmp_path: Path) -> None:
    rasa = next(s for s in services(model=tmp_path / "model.tar.gz") if s.name == "rasa")
    assert rasa.env_defaults == RASA_SERVER_ENV
    assert RASA_SERVER_ENV["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"


def _printed(tmp_path: Path, env: dict) -> str:
    service = Service("probe", [sys.executable, "-c", PRINT_ENV], RASA_SERVER_ENV)
    with open(tmp_path / "probe.log", "wb") as log:
        process = start([service], env, {"probe": log})["probe"]
        assert process.wait(30) == 0
    return (tmp_path / "probe.log").read_text().strip()


def test_defaults_apply_and_the_environment_overrides_them(tmp_path: Path) -> None:
    assert _printed(tmp_path, {"PATH": "/usr/bin"}) == "1"
    assert _printed(tmp_path, {"TF_INTRA_OP_PARALLELISM_THREADS": "2"}) == "2"


# What checking, training and migrating load; the supervisor must never hold them.
HEAVY = ("rasa", "rasa_sdk", "tensorflow", "sqlalchemy", "alembic", "spacy", "underthesea")
HEAVY += ("sklearn", "numpy", "fastapi", "uvicorn", "pydantic")


def _heavy_after(imports: str, heavy: tuple) -> str:
    """Which of ``heavy`` a fresh interpreter holds after running ``imports``."""
    code = f"import sys; {imports}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


def test_the_supervisor_imports_nothing_heavy() -> None:
    """``python -m bot run`` stays ~20 MB: the heavy work runs in children that exit."""
    imports = "import bot.cli, bot.serve; bot.cli.build_parser().parse_args(['run'])"
    assert _heavy_after(imports, HEAVY) == ""


def test_the_action_server_runs_on_the_sdk_without_rasa(tmp_path: Path) -> None:
    """``python -m actions`` (not ``rasa run actions``): no Rasa, TensorFlow or spaCy."""
    actions = next(s for s in services(model=tmp_path / "m.tar.gz") if s.name == "actions")
    assert actions.command[1:3] == ["-m", "actions"]
    imports = "import actions.__main__, actions.needs, actions.outcomes, actions.booking"
    assert _heavy_after(imports, ("rasa", "tensorflow", "spacy", "jax")) == ""


def test_a_failing_step_stops_the_start_with_its_code(capsys) -> None:
    assert not run_step("no-such-command", environment.with_defaults(os.environ, extra={}))
    assert "`python -m bot no-such-command` failed with code 2" in capsys.readouterr().out
