"""`python -m bot.cli`: the same entry point as the `newsbot` script."""

import sys

from bot.cli.entry import main

sys.exit(main())
