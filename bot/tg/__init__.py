"""python-telegram-bot adapters. Nothing outside this package imports ``telegram``."""

import os

# Opt in to PTB 22's timedelta durations now; without it PTB warns on every 429 it parses.
os.environ.setdefault("PTB_TIMEDELTA", "1")
