"""``python -m actions``: the Rasa SDK's action server for these actions, nothing more.

``rasa run actions`` imports Rasa's whole command line (scipy, Rasa's shared
code: about 55 MB resident, measured by ``make bench``) only to hand over to
the SDK. This starts the SDK's server directly, with our environment defaults
and warning filters (:mod:`bot.environment`); the SDK's own options still apply
(``--port``, ``--cors``, ``--auto-reload``…).
"""

from __future__ import annotations

import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> None:
    """Serve the actions of this package with the SDK's arguments in ``argv``."""
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    from bot import environment

    environment.apply()  # again after sanic's import put "once" in front of our filters
    given = sys.argv[1:] if argv is None else argv
    main_from_args(create_argument_parser().parse_args(["--actions", "actions", *given]))


if __name__ == "__main__":
    main()
