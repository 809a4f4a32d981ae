"""The Rasa server starts with its performance settings; the environment still wins."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.serve import RASA_SERVER_ENV, Service, services, start

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
