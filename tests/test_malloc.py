"""The arena limit of the long-running bot."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_arenas_are_limited_unless_the_environment_says_otherwise() -> None:
    code = "from bot.malloc import limit_malloc_arenas; print(limit_malloc_arenas())"
    assert run(code, {"PATH": "/usr/bin:/bin"}) == "True"
    assert run(code, {"PATH": "/usr/bin:/bin", "MALLOC_ARENA_MAX": "4"}) == "False"
