"""Allow ``python -m bot``."""

import sys

from bot import environment
from bot.cli import main

environment.reexec_with_hash_seed("bot")
sys.exit(main())
