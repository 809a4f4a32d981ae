"""The process environment every entry point starts from, in one place.

TensorFlow, Rasa and SQLAlchemy read these variables when they are first
imported, so they are set by the entry points (``python -m bot``,
``python -m harness``, the tests) before anything heavy is imported, and
passed on to the processes ``make run`` starts. A value already in the
environment always wins.

The warning filters here are the known third-party deprecation warnings that
``make run`` would otherwise print by the page; each one names the module
that warns and the start of its message, so a new warning, and any of ours,
stays visible.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Dict, List, Mapping, MutableMapping, Sequence, Tuple

DEFAULTS: Mapping[str, str] = {
    # TensorFlow's C++ INFO/WARNING lines (CPU features, oneDNN) on every start.
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # Rasa would ask for and send usage data.
    "RASA_TELEMETRY_ENABLED": "false",
    # Rasa 3.6 pins SQLAlchemy 1.4, which announces 2.0 on every engine.
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # Training gives the same model for the same data (set sets of strings in order).
    "PYTHONHASHSEED": "0",
}

# One TensorFlow thread per op pool in the Rasa server: DIET here is small, and
# on 2 cores TF's thread pools fight the event loop and the action server.
# Measured with `make bench`'s load: 50 concurrent ~47-58 -> ~59-63 turns/s,
# 1 client p50 ~23-29 -> ~20 ms. The environment still wins over these.
RASA_SERVER_DEFAULTS: Mapping[str, str] = {
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
}

# (module that warns, start of the message): known third-party deprecations
# that say nothing a user of this product can act on.
THIRD_PARTY_WARNINGS: Sequence[Tuple[str, str]] = (
    ("pkg_resources", "Deprecated call to `pkg_resources.declare_namespace"),
    ("pkg_resources", "pkg_resources is deprecated as an API"),
    ("tensorflow", "distutils Version classes are deprecated"),
    ("flatbuffers", "the imp module is deprecated"),
    ("keras", "distutils Version classes are deprecated"),
    ("sanic_cors", "distutils Version classes are deprecated"),
    ("rasa", "Importing 'rasa.utils' is deprecated"),
    ("jax", "jax.xla_computation is deprecated"),
    ("sqlalchemy", "The 'Connection.connect()' method"),
    ("google.protobuf", "Call to deprecated create function"),
    ("websockets", "websockets.legacy is deprecated"),
    ("uvicorn", "websockets.legacy is deprecated"),
    ("attr", "The `attr.s` decorator"),
    ("pydantic", "Support for class-based `config` is deprecated"),
)


def with_defaults(
    env: Mapping[str, str], extra: Mapping[str, str] = RASA_SERVER_DEFAULTS
) -> Dict[str, str]:
    """``env`` with :data:`DEFAULTS` (and ``extra``) filled in where unset."""
    return {**DEFAULTS, **extra, **env, **_warning_option(env)}


def apply(environ: MutableMapping[str, str] = os.environ) -> None:
    """Fill in :data:`DEFAULTS` and the warning filters for this process."""
    for name, value in DEFAULTS.items():
        environ.setdefault(name, value)
    quiet_third_party_warnings()


def quiet_third_party_warnings() -> None:
    """Ignore :data:`THIRD_PARTY_WARNINGS` (and only those) in this process."""
    for module, message in THIRD_PARTY_WARNINGS:
        for category in (DeprecationWarning, PendingDeprecationWarning, UserWarning):
            warnings.filterwarnings(
                "ignore", message=_escaped(message), category=category, module=module + r"(\.|$)"
            )


def warning_filters() -> List[str]:
    """:data:`THIRD_PARTY_WARNINGS` as ``-W`` options for a child Python process."""
    return [f"ignore:{message}:DeprecationWarning" for _, message in THIRD_PARTY_WARNINGS]


def _warning_option(env: Mapping[str, str]) -> Dict[str, str]:
    """``PYTHONWARNINGS`` for a child process: ours are appended to what is set."""
    ours = ",".join(warning_filters())
    current = env.get("PYTHONWARNINGS")
    return {"PYTHONWARNINGS": f"{current},{ours}" if current else ours}


def _escaped(message: str) -> str:
    import re

    return re.escape(message)


def reexec_with_hash_seed(module: str) -> None:
    """Restart ``python -m module`` with :data:`DEFAULTS` when ``PYTHONHASHSEED`` is unset.

    The hash seed is read when the interpreter starts, so it cannot be set
    from inside; the file descriptors (stdin for ``bot infer``) are kept.
    """
    if "PYTHONHASHSEED" in os.environ:
        return
    env = with_defaults(os.environ, extra={})
    os.execve(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]], env)
