"""The process environment every entry point starts from, in one place.

TensorFlow, Rasa and SQLAlchemy read these variables when they are first
imported, so the entry points (``python -m bot``, ``python -m harness``, the
tests) set them before anything heavy is imported, and ``make run`` passes
them on to the processes it starts. A value already in the environment wins.

The warning filters are the known third-party warnings that would otherwise
fill ``make run``'s first screens: each one names its category, the module
that warns and (where the module warns about several things) the start of the
message, so a new warning, and any warning of ours, stays visible.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from typing import Dict, List, Mapping, MutableMapping, Sequence, Tuple, Type

DEFAULTS: Mapping[str, str] = {
    # TensorFlow's C++ INFO/WARNING lines (CPU features, oneDNN) on every start.
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # Rasa would ask for and send usage data.
    "RASA_TELEMETRY_ENABLED": "false",
    # Rasa 3.6 pins SQLAlchemy 1.4, which announces 2.0 on every engine.
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # The same data trains the same model (the order of sets of strings is fixed).
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

# (category, module that warns or "" for any, start of the message or "" for any of
# that category it raises): what Rasa 3.6 and its pinned dependencies say about each other on
# every start, seen in `make run`. None of it is about this project's code or data.
THIRD_PARTY_WARNINGS: Sequence[Tuple[Type[Warning], str, str]] = (
    (DeprecationWarning, "pkg_resources", "Deprecated call to `pkg_resources.declare_namespace"),
    # said by whichever module imports pkg_resources first (Rasa, APScheduler, …)
    (DeprecationWarning, "", "pkg_resources is deprecated as an API"),
    (DeprecationWarning, "sanic_cors.extension", "distutils Version classes are deprecated"),
    (DeprecationWarning, "tensorflow.lite.python.util", "jax.xla_computation is deprecated"),
    (DeprecationWarning, "spacy.cli._util", "Importing 'parser.split_arg_string' is deprecated"),
    (DeprecationWarning, "typer", ""),  # click 8.2's renames
    (DeprecationWarning, "typer.completion", ""),
    (DeprecationWarning, "matplotlib.fontconfig_pattern", ""),  # pyparsing 3's new names
    (DeprecationWarning, "matplotlib._mathtext", ""),
    (DeprecationWarning, "packaging.markers", ""),
    (DeprecationWarning, "packaging.requirements", ""),
    # Keras seeds its generators with randint(1, 1e9)
    (DeprecationWarning, "random", "non-integer arguments to randrange()"),
    # six's and TensorFlow's lazy importers, on Python 3.10
    (DeprecationWarning, "importlib._bootstrap", "the load_module() method is deprecated"),
    # Rasa says this whenever it reads a domain, whatever the domain holds.
    (UserWarning, "rasa.shared.core.slot_mappings", "Slot auto-fill has been removed in 3.0"),
)


def with_defaults(
    env: Mapping[str, str], extra: Mapping[str, str] = RASA_SERVER_DEFAULTS
) -> Dict[str, str]:
    """``env`` with :data:`DEFAULTS` (and ``extra``) where unset, and the warning filters."""
    merged = {**DEFAULTS, **extra, **env}
    ours = ",".join(warning_options())
    current = env.get("PYTHONWARNINGS")
    merged["PYTHONWARNINGS"] = f"{current},{ours}" if current else ours
    return merged


def apply(environ: MutableMapping[str, str] = os.environ) -> None:
    """Fill in :data:`DEFAULTS` and ignore the known third-party warnings in this process."""
    for name, value in DEFAULTS.items():
        environ.setdefault(name, value)
    for category, module, message in THIRD_PARTY_WARNINGS:
        where = re.escape(module) + r"\Z" if module else ""
        warnings.filterwarnings("ignore", re.escape(message), category, where)


def warning_options() -> List[str]:
    """:data:`THIRD_PARTY_WARNINGS` as ``-W`` options (``PYTHONWARNINGS`` entries)."""
    return [
        f"ignore:{message}:{category.__name__}:{module}"
        for category, module, message in THIRD_PARTY_WARNINGS
    ]


def reexec_with_hash_seed(module: str) -> None:
    """Restart ``python -m module`` with :data:`DEFAULTS` when ``PYTHONHASHSEED`` is unset.

    The hash seed is read when the interpreter starts, so it cannot be set
    from inside; open file descriptors (stdin for ``bot infer``) are kept.
    """
    if "PYTHONHASHSEED" in os.environ:
        return
    env = with_defaults(os.environ, extra={})
    os.execve(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]], env)
