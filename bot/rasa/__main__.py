"""``python -m bot.rasa``: Rasa's own command line, with our environment and warning filters.

``make run`` starts the Rasa server and the action server this way rather than
through the ``rasa`` script, so that the known third-party deprecations
(:mod:`bot.environment`) stay off the screen. Two filters put in front of all
others would outvote ``PYTHONWARNINGS``: importing ``sanic.app`` adds "once"
for every ``DeprecationWarning``, and Rasa's command line adds "once" for
every ``UserWarning`` (pyparsing's deprecations are both). So ours are put in
front again after each of them (:func:`bot.rasa.model.import_rasa`). What is
left on screen is ours to act on.
"""

from __future__ import annotations

from typing import Any


def main() -> None:
    """Run ``rasa`` with the arguments given to this module."""
    from bot import environment
    from bot.rasa.model import import_rasa

    import_rasa()
    import rasa.utils.common as rasa_common

    rasa_filters = rasa_common._filter_warnings

    def filter_warnings(*args: Any, **kwargs: Any) -> None:
        rasa_filters(*args, **kwargs)
        environment.apply()

    rasa_common._filter_warnings = filter_warnings
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
