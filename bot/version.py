"""The version of the installed package, and the Python running it (from package metadata)."""

from __future__ import annotations

import platform
from importlib import metadata

DISTRIBUTION = "transmission-feedbot"


def _installed_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        return "0+unknown"


VERSION = _installed_version()
PYTHON = platform.python_version()
