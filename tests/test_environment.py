"""One place for the process defaults and the known third-party warnings."""

from __future__ import annotations

import subprocess
import sys
import warnings

from bot import environment


def test_defaults_fill_in_and_the_environment_wins():
    env = environment.with_defaults({"TF_CPP_MIN_LOG_LEVEL": "0"})
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "0"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert "TF_INTRA_OP_PARALLELISM_THREADS" not in environment.with_defaults({}, extra={})


def test_child_processes_get_the_warning_filters_after_their_own():
    env = environment.with_defaults({"PYTHONWARNINGS": "error::ResourceWarning"})
    first, *ours = env["PYTHONWARNINGS"].split(",")
    assert first == "error::ResourceWarning"
    assert ours == environment.warning_options()


def _shown(category: type, module: str, message: str) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        environment.apply()
        warnings.warn_explicit(message, category, f"{module}.py", 1, module=module)
    return bool(caught)


def test_only_the_known_third_party_warnings_are_hidden():
    known = "Deprecated call to `pkg_resources.declare_namespace('ruamel')`."
    assert not _shown(DeprecationWarning, "pkg_resources", known)
    assert _shown(DeprecationWarning, "pkg_resources", "something new")
    assert _shown(DeprecationWarning, "bot.needs.dialogue", known)  # ours stay visible
    assert _shown(UserWarning, "pkg_resources", known)


def test_python_accepts_the_options_as_they_are():
    options = [f"-W{option}" for option in environment.warning_options()]
    completed = subprocess.run(
        [sys.executable, *options, "-c", "pass"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0
    assert "Invalid -W option" not in completed.stderr
