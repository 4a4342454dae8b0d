"""The real ``feedbot run`` as a subprocess, for end-to-end tests.

::

    bot = BotProcess(config_dict, tmp_path / "bot", token=TOKEN)
    bot.start()                  # writes config.yaml, starts the process, waits for "running:"
    bot.polls()                  # feed checks the bot finished (from its /metrics, if enabled)
    bot.wait_polls(3)            # ... block until at least 3 are finished
    bot.terminate() -> 0         # SIGTERM, waits, returns the exit status
    bot.kill() -> -9             # SIGKILL
    bot.restart()                # SIGTERM (or kill=True: SIGKILL), then start again
    bot.log_text()               # stdout + stderr of every run so far
    bot.close()                  # kill if still running (always safe; fixtures call it)

Each run writes ``run-N.out`` / ``run-N.err`` under the bot's directory. A process is
always cleaned up: :meth:`BotProcess.close` in fixtures, an ``atexit`` hook for whatever is
left, and on Linux the child gets SIGKILL when the test process dies.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
T = TypeVar("T")

#: environment variables of the developer's shell that would change what the bot does
_OWN_ENV = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_URL",
    "FEEDBOT_CONFIG",
    "FEEDBOT_HEALTH_PORT",
    "FEEDBOT_LOG_LEVEL",
    "FEEDBOT_LOG_FORMAT",
)
READY_LINE = "running:"


def _own(variable: str) -> bool:
    """A variable the bot reads (its config overrides, their *_FILE forms included)."""
    return variable in _OWN_ENV or variable.startswith(("FEEDBOT_", "TELEGRAM_", "DATABASE_URL"))
_LIVE: set[BotProcess] = set()


def wait_until(
    predicate: Callable[[], T | None], timeout: float = 30.0, what: str = "", every: float = 0.05
) -> T:
    """Poll ``predicate`` until it returns something other than None/False; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value is not None and value is not False:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _libc_prctl() -> Callable[..., int] | None:
    if sys.platform != "linux":
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _libc_prctl()  # resolved here: the child, between fork and exec, only calls it
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the bot gets SIGKILL when the test process goes away, whatever the reason."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


class BotProcess:
    """One bot (config, database, log files) that can be started, stopped and restarted."""

    def __init__(
        self,
        config: Mapping[str, Any],
        directory: Path,
        *,
        token: str | None,
        env: Mapping[str, str] | None = None,
        config_file: bool = True,
    ) -> None:
        self.config = dict(config)
        #: False: no config file and no --config (a fresh clone: the built-in defaults)
        self.config_file = config_file
        self.directory = directory
        self.token = token
        self.env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.exit_codes: list[int] = []
        directory.mkdir(parents=True, exist_ok=True)
        self.config_path = directory / "config.yaml"

    # ------------------------------------------------------------------ lifecycle

    def write_config(self) -> Path:
        self.config_path.write_text(
            yaml.safe_dump(self.config, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return self.config_path

    def command(self) -> list[str]:
        config = ["--config", str(self.config_path)] if self.config_file else []
        return [sys.executable, "-m", "bot", "run", *config]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _own(k)}
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        if self.token is not None:
            env["TELEGRAM_BOT_TOKEN"] = self.token
        env.update(self.env)
        return env

    def start(self, *, wait: bool = True, timeout: float = 30.0) -> BotProcess:
        """Start the bot; with ``wait``, return once its log says it is running."""
        if self.running:
            raise RuntimeError("the bot is already running")
        if self.config_file:
            self.write_config()
        self.runs += 1
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.directory,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                preexec_fn=_die_with_parent if _PRCTL is not None else None,
            )
        _LIVE.add(self)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until this run logged that it is running; fail at once if it exited."""

        def ready() -> bool:
            if READY_LINE in self.run_log():
                return True
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"the bot exited with {self.process.returncode} before it was ready:\n"
                    + self.run_log()
                )
            return False

        wait_until(ready, timeout, "the bot to be running")

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit status, once the process has ended (TimeoutError if it does not)."""
        assert self.process is not None, "never started"
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"the bot did not exit within {timeout}s") from None
        self._ended(code)
        return code

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit status (the bot is killed if it hangs)."""
        assert self.process is not None, "never started"
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.wait_exit(timeout)
        except TimeoutError:
            self.kill()
            raise

    def kill(self) -> int:
        """SIGKILL: no shutdown at all, as when the machine or the OOM killer stops it."""
        assert self.process is not None, "never started"
        if self.process.poll() is None:
            self.process.kill()
        return self.wait_exit(30.0)

    def restart(self, *, kill: bool = False, wait: bool = True) -> int | None:
        """Stop (SIGTERM, or SIGKILL with ``kill``) if running, then start again.

        Returns the exit status of the stopped run (None if it was not running).
        """
        code = None
        if self.running:
            code = self.kill() if kill else self.terminate()
        self.start(wait=wait)
        return code

    def run_to_exit(self, timeout: float = 30.0) -> int:
        """Start and wait for the process to end on its own (startup failures)."""
        self.start(wait=False)
        try:
            return self.wait_exit(timeout)
        except TimeoutError:
            self.kill()
            raise

    def close(self) -> None:
        """Make sure the process is gone (SIGKILL if needed). Safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._ended(self.process.wait(30.0))
        _LIVE.discard(self)

    def _ended(self, code: int) -> None:
        if self.process is not None and len(self.exit_codes) < self.runs:
            self.exit_codes.append(code)
        _LIVE.discard(self)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    # ------------------------------------------------------------------ output

    @property
    def out_path(self) -> Path:
        return self.directory / f"run-{self.runs}.out"

    @property
    def err_path(self) -> Path:
        return self.directory / f"run-{self.runs}.err"

    def run_log(self) -> str:
        """stdout + stderr of the current (or last) run."""
        return _read(self.out_path) + _read(self.err_path)

    def stderr_text(self) -> str:
        return _read(self.err_path)

    def stdout_text(self) -> str:
        return _read(self.out_path)

    def log_text(self) -> str:
        """stdout + stderr of every run, in order."""
        parts = []
        for run in range(1, self.runs + 1):
            parts.append(_read(self.directory / f"run-{run}.out"))
            parts.append(_read(self.directory / f"run-{run}.err"))
        return "".join(parts)

    def wait_log(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Block until a line of this run matches ``pattern`` (a regular expression)."""
        compiled = re.compile(pattern)
        return wait_until(lambda: compiled.search(self.run_log()), timeout, f"log /{pattern}/")

    # ------------------------------------------------------------------ metrics

    @property
    def health_port(self) -> int | None:
        port = (self.config.get("health") or {}).get("port")
        return int(port) if port else None

    def metrics(self) -> dict[str, float]:
        """The bot's /metrics as ``{"name{labels}": value}`` (needs ``health.port``)."""
        port = self.health_port
        if port is None:
            raise RuntimeError("metrics need health.port in the bot's config")
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5.0).text
        except httpx.HTTPError:
            return {}
        values: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        return values

    def metric(self, prefix: str) -> float:
        """Sum of every sample whose name (with labels) starts with ``prefix``."""
        return sum(v for k, v in self.metrics().items() if k.startswith(prefix))

    def polls(self) -> int:
        """Feed checks this run has finished and stored."""
        return int(self.metric("feedbot_polls_total"))

    def wait_polls(self, at_least: int, timeout: float = 30.0) -> int:
        """Block until this run finished (and stored) ``at_least`` feed checks."""
        return wait_until(
            lambda: n if (n := self.polls()) >= at_least else None,
            timeout,
            f"{at_least} feed checks",
        )

    def __repr__(self) -> str:
        return f"<BotProcess {self.directory.name} pid={self.pid} runs={self.runs}>"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


@atexit.register
def _kill_leftovers() -> None:
    for bot in list(_LIVE):
        bot.close()
