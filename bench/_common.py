"""What every benchmark script shares: paths, the corpus, the machine, BENCHMARKS.md, processes.

Each script is run as ``.venv/bin/python bench/NAME.py``; importing this module first puts
the repository root on ``sys.path`` (for ``bot`` and ``tests``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH = ROOT / "bench"
OUT = BENCH / "out"  # gitignored: databases, seeds, profiles, logs
DOC = ROOT / "docs" / "BENCHMARKS.md"
SHARED = Path(os.environ.get("FEEDBOT_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus" / "realworld"
PYTHON = sys.executable
FEEDBOT = [PYTHON, "-m", "bot"]
TOKEN = "123456:BENCH-token"


# ----------------------------------------------------------------------------- corpus


def corpus_files() -> list[Path]:
    """The real-world feed files, sorted; exits 0 with a message when the corpus is absent."""
    if not CORPUS.is_dir():
        print(f"skipped: the feed corpus is not at {CORPUS} (../shared/corpus/realworld)")
        raise SystemExit(0)
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "MANIFEST.json")
    if not files:
        print(f"skipped: no feed files in {CORPUS}")
        raise SystemExit(0)
    return files


def feed_routes(files: Sequence[Path], count: int) -> list[tuple[str, Path]]:
    """``count`` distinct paths cycling through ``files``: ``/f/<i>/<file name>``."""
    return [(f"/f/{i}/{files[i % len(files)].name}", files[i % len(files)]) for i in range(count)]


def route_urls(routes: Sequence[tuple[str, Path]], ports: Sequence[int]) -> list[str]:
    """Route ``i`` is served on listener ``i % len(ports)`` (each port is a host of its own)."""
    return [f"http://127.0.0.1:{ports[i % len(ports)]}{path}" for i, (path, _) in enumerate(routes)]


# ----------------------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    cpu = "unknown CPU"
    cores_physical: set[tuple[str, str]] = set()
    with contextlib.suppress(OSError):
        text = Path("/proc/cpuinfo").read_text()
        if m := re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE):
            cpu = m.group(1).strip()
        for block in text.split("\n\n"):
            phys = re.search(r"^physical id\s*:\s*(\d+)", block, re.MULTILINE)
            core = re.search(r"^core id\s*:\s*(\d+)", block, re.MULTILINE)
            if phys and core:
                cores_physical.add((phys.group(1), core.group(1)))
    logical = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    ram = "?"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        line = next(
            ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")
        )
        ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    os_name = platform.platform()
    with contextlib.suppress(OSError):
        release = Path("/etc/os-release").read_text()
        if m := re.search(r'^PRETTY_NAME="?([^"\n]+)"?', release, re.MULTILINE):
            os_name = f"{m.group(1)} (kernel {platform.release()})"
    cores = f"{usable} usable ({logical} logical"
    cores += f", {len(cores_physical)} physical)" if cores_physical else ")"
    return {
        "CPU": cpu,
        "cores": cores,
        "RAM": ram,
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": os_name,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line() -> str:
    return "; ".join(f"{k}: {v}" for k, v in machine().items())


def machine_sentence() -> str:
    """The first line of a report's section: ``Machine: CPU ...; cores ...; ....``"""
    return f"Machine: {'; '.join(f'{k} {v}' for k, v in machine().items())}."


# ----------------------------------------------------------------------------- BENCHMARKS.md

_DOC_HEAD = """# Benchmarks

Figures, not tests: each script under `bench/` measures one thing together with a baseline
measured in the same run, and rewrites its own section below (between its marker comments).
Run them with `.venv/bin/python bench/<name>.py`; see `bench/README.md`.

"""


def write_section(name: str, body: str) -> None:
    """Replace this script's section of docs/BENCHMARKS.md (create the file or section)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = DOC.read_text() if DOC.exists() else _DOC_HEAD
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        marker = "<!-- bench:paper -->"  # hand-written sections stay at the end
        if marker in text:
            head, tail = text.split(marker, 1)
            text = f"{head.rstrip()}\n\n{block}\n\n{marker}{tail}"
        else:
            text = f"{text.rstrip()}\n\n{block}\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
    print(f"\nwrote section '{name}' of {DOC.relative_to(ROOT)}")


def write_report(name: str, heading: str, *paragraphs: str) -> None:
    """This script's section: ``## heading``, the machine, then the paragraphs (a table is
    one), each after a blank line (see ``write_section``)."""
    write_section(name, "\n\n".join([f"## {heading}", machine_sentence(), *paragraphs]))


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[max(min(int(q), 99), 1) - 1]


def p50_p95(values_ms: Sequence[float]) -> str:
    """``p50 1.2 / p95 3.4 ms``: how the scripts print a latency while they run."""
    return f"p50 {pct(values_ms, 50):.1f} / p95 {pct(values_ms, 95):.1f} ms"


def ms_cells(values_ms: Sequence[float], *, with_max: bool = False) -> list[str]:
    """Table cells of a latency, ms with one decimal: p50, p95 (and max)."""
    cells = [f"{pct(values_ms, 50):.1f}", f"{pct(values_ms, 95):.1f}"]
    return [*cells, f"{max(values_ms, default=float('nan')):.1f}"] if with_max else cells


# ----------------------------------------------------------------------------- processes


class Child:
    """A child process we started: read its first stdout line, stop it by its own pid."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        name: str,
        env: dict[str, str] | None = None,
        stdin: bool = False,
        log: Path | None = None,
        ready: bool = True,
    ) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = log or OUT / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            list(args),
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if ready or stdin else self._log,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        self.first_line = self.readline(timeout=60) if ready else ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def readline(self, timeout: float = 60) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        import selectors

        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not sel.select(0)):
                    raise RuntimeError(
                        f"{self.name}: no output (exit {self.proc.poll()}); see {self.log_path}"
                    )
                if sel.select(min(left, 0.5)):
                    line = self.proc.stdout.readline()
                    if line:
                        return line.rstrip("\n")

    def command(self, line: str, timeout: float = 300) -> Any:
        """One JSON-answered command on stdin (the feed server launcher speaks this)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.readline(timeout))

    def stop(self, timeout: float = 20) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


@contextlib.contextmanager
def children() -> Iterator[list[Child]]:
    """Stops every child appended to the list on the way out, last started first."""
    started: list[Child] = []
    try:
        yield started
    finally:
        for child in reversed(started):
            with contextlib.suppress(Exception):
                child.stop()


def feed_server(
    files: Sequence[Path], count: int, listeners: int, *, ignore_validators: bool = False
) -> Child:
    """``bench/_feeds.py`` in its own process: ``count`` routes over ``listeners`` ports."""
    args = [PYTHON, str(BENCH / "_feeds.py"), "--count", str(count)]
    args += ["--listeners", str(listeners), "--dir", str(files[0].parent)]
    if ignore_validators:
        args.append("--ignore-validators")
    child = Child(args, name="feedserver", stdin=True)
    child.ports = json.loads(child.first_line)["ports"]  # type: ignore[attr-defined]
    return child


def start_feedbot(config: Path, name: str) -> Child:
    """The real ``feedbot run --config CONFIG`` (warnings and worse logged to OUT/NAME.log)."""
    return Child(
        [*FEEDBOT, "run", "--config", str(config)],
        name=name,
        ready=False,
        env={"FEEDBOT_LOG_LEVEL": "WARNING"},
    )


def wait_for(predicate: Any, timeout: float, what: str, every: float = 0.25) -> Any:
    """Poll ``predicate`` until it is truthy (its value) or ``timeout`` s have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


Handler = Callable[[list[str]], dict[str, Any]]  # a command's arguments -> what to answer


def answer_commands(server: Any, handlers: dict[str, Handler]) -> None:
    """The stdin protocol of the feed server processes (``_feeds.py``, ``_synthetic.py``):
    run ``server``, print ``{"ports": [...]}``, then one JSON answer a command line until
    ``quit``. ``count`` is answered here; ``handlers[op](args)`` adds to ``{"ok": true}``."""
    with server:
        print(json.dumps({"ports": server.ports}), flush=True)
        for line in sys.stdin:
            op, *rest = line.split()
            if op == "quit":
                break
            answer: dict[str, Any] = {"ok": True}
            if op == "count":
                answer["requests"] = len(server.requests)
            elif op in handlers:
                answer.update(handlers[op](rest))
            print(json.dumps(answer), flush=True)


def fake_bot_api(*extra: str) -> Child:
    """``python -m tests.fakebotapi`` in its own process (flood limits on by default)."""
    child = Child(
        [PYTHON, "-m", "tests.fakebotapi", "--port", "0", "--token", TOKEN, *extra],
        name="fakebotapi",
    )
    child.base_url = child.first_line.strip()  # type: ignore[attr-defined]
    return child


def fresh_file(path: Path) -> Path:
    """Remove a SQLite database and its WAL files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def copy_db(source: Path, target: Path) -> Path:
    fresh_file(target)
    shutil.copyfile(source, target)
    return target


def write_config(path: Path, config: dict[str, Any]) -> Path:
    """A YAML config (JSON is valid YAML, and needs no extra dependency here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=1))
    return path


def _status_mb(pid: int, field: str) -> float:
    """A ``kB`` field of /proc/PID/status, in MiB (0 when it is missing)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` from /proc (MiB)."""
    return _status_mb(pid, "VmRSS")


def hwm_mb(pid: int) -> float:
    """The kernel's own peak RSS (VmHWM) of ``pid``, MiB."""
    return _status_mb(pid, "VmHWM")


class PeakRSS:
    """Samples the resident memory of a process and of all its descendants until stopped:
    ``main`` is the process alone, ``total`` the peak of the sum over the whole tree (MiB)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        import threading

        self._pid = pid
        self._interval = interval
        self.main = 0.0
        self.total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        process = psutil.Process(self._pid)
        while not self._stop.wait(self._interval):
            try:
                main = process.memory_info().rss
                tree = [main]
                for kid in process.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        tree.append(kid.memory_info().rss)
            except psutil.Error:
                return
            self.main = max(self.main, main / 2**20)
            self.total = max(self.total, sum(tree) / 2**20)

    def stop(self) -> PeakRSS:
        self._stop.set()
        self._thread.join()
        return self


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
