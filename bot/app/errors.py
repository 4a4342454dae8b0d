"""What stops ``feedbot run`` from starting, said in one line."""

from __future__ import annotations


class StartupError(Exception):
    """The bot cannot start; the message is one line that says what to do."""
