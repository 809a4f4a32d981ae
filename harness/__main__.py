"""Allow ``python -m harness``."""

import sys

from bot import environment
from harness.cli import main

environment.reexec_with_hash_seed("harness")
sys.exit(main())
