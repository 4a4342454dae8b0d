"""Poll cycle: every corpus feed (twice, at distinct URLs) through the real ``poll --once`` path.

    .venv/bin/python bench/poll_cycle.py [--copies 2] [--listeners 10] [--profile]

The feed server runs in its own process with ``--listeners`` ports; feed ``i`` is served on
port ``i % listeners``, so with ``per_host`` 2 and 10 ports the overall ``concurrency`` of 20
is reachable for ours and for the baseline alike.

Three runs of ``bot.app.poll_once.poll_once`` on one SQLite file (also PostgreSQL when
``TEST_POSTGRES_URL`` is set): **cold** (a fresh database, every entry new), **warm** (the
server answers 304 to our validators), **same-body** (the server ignores validators and sends
the same bytes again). Then the same three as ``feedbot poll --once`` processes (wall time).

Baseline, same run, same URLs and limits: bare httpx GETs under the same overall and per-host
semaphores, each body handed to ``feedparser.parse`` (default settings) in a worker thread.
Ours parses in worker processes (``polling.parse_workers``, one per core); a cold run with
``parse_workers: 0`` (one parse thread in-process, as before the workers) is the "before".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    FEEDBOT,
    OUT,
    children,
    corpus_files,
    feed_routes,
    feed_server,
    fmt_s,
    fresh_file,
    machine,
    route_urls,
    table,
    write_config,
    write_section,
)

SCENARIOS = ("cold", "warm", "same-body")
HEADER = ("run", "in-process", "process wall", "CPU (main + workers)", "vs baseline", "target")


class CPUMeter:
    """CPU seconds (user + system) of this process, every thread, plus those of the processes
    it starts while measuring (the parse workers, under the forkserver), ``skip`` excepted.

    On a machine shared with other work, wall time depends on what else runs; CPU seconds
    say how much work a run needed. Child processes are sampled (workers exit with the run,
    so the last ~50 ms of a worker can be missed).
    """

    def __init__(self, skip: set[int]) -> None:
        import threading

        import psutil

        self._psutil = psutil
        self._me = psutil.Process()
        self._skip = skip
        self._seen: dict[int, float] = {}
        self._before = {k.pid for k in self._me.children(recursive=True)} - skip
        self._start = time.process_time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            for kid in self._me.children(recursive=True):
                if kid.pid in self._skip:
                    continue
                with contextlib.suppress(self._psutil.Error):
                    times = kid.cpu_times()
                    self._seen[kid.pid] = times.user + times.system
            if self._stop.wait(0.05):
                return

    def stop(self) -> dict[str, float]:
        own = time.process_time() - self._start
        self._stop.set()
        self._thread.join()
        # a process alive before the run (the forkserver, kept from the first run) is left
        # out: it only forks the workers, whose own CPU is counted
        kids = sum(cpu for pid, cpu in self._seen.items() if pid not in self._before)
        return {"cpu_main": own, "cpu_workers": kids}


# ----------------------------------------------------------------------------- baseline


async def baseline(urls: list[str], concurrency: int, per_host: int) -> dict[str, Any]:
    import feedparser
    import httpx

    overall = asyncio.Semaphore(concurrency)
    hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    parse_seconds = 0.0
    fetch_done = 0.0
    entries = 0
    bozo = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(url: str) -> None:
            nonlocal parse_seconds, fetch_done, entries, bozo
            async with hosts[url.split("/")[2]], overall:
                response = await client.get(url)
                body = response.content
            fetch_done = time.perf_counter()
            began = time.perf_counter()
            parsed = await asyncio.to_thread(
                feedparser.parse, io.BytesIO(body), response_headers=dict(response.headers)
            )
            parse_seconds += time.perf_counter() - began
            entries += len(parsed.entries)
            bozo += bool(parsed.get("bozo")) and not parsed.entries

        began, cpu_began = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(url) for url in urls))
        total = time.perf_counter() - began
        cpu = time.process_time() - cpu_began

        # The parts on their own: fetching only, then parsing only (one thread, no network).
        bodies: list[tuple[bytes, dict[str, str]]] = []

        async def fetch_only(url: str) -> None:
            async with hosts[url.split("/")[2]], overall:
                response = await client.get(url)
                bodies.append((response.content, dict(response.headers)))

        began = time.perf_counter()
        await asyncio.gather(*(fetch_only(url) for url in urls))
        fetch_only_s = time.perf_counter() - began
    began = time.perf_counter()
    for body, headers in bodies:
        feedparser.parse(io.BytesIO(body), response_headers=headers)
    parse_only_s = time.perf_counter() - began
    return {
        "total": total,
        "cpu": cpu,
        "fetch_only": fetch_only_s,
        "parse_only": parse_only_s,
        "entries": entries,
        "not_feeds": bozo,
        "bytes": sum(len(b) for b, _ in bodies),
    }


# ----------------------------------------------------------------------------- ours


def config_for(
    urls: list[str], database: str, concurrency: int, per_host: int, workers: int | None = None
) -> dict[str, Any]:
    polling: dict[str, Any] = {"concurrency": concurrency, "per_host": per_host}
    if workers is not None:
        polling["parse_workers"] = workers
    return {
        "database": {"url": database},
        "polling": polling,
        "feeds": [{"url": url} for url in urls],
    }


_SUMMARY = re.compile(r"polled (\d+) feeds in ([\d.]+)s: (\d+) ok, (\d+) failed, (\d+) new entries")


def outcomes(output: str) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for line in output.splitlines():
        if line.startswith("ERROR"):
            counts["error"] += 1
        elif "not modified (304)" in line:
            counts["304"] += 1
        elif "same document as last time" in line:
            counts["unchanged"] += 1
        elif line.startswith("OK"):
            counts["parsed"] += 1
    summary = _SUMMARY.search(output)
    return {
        "counts": dict(counts),
        "cycle": float(summary.group(2)) if summary else float("nan"),
        "new": int(summary.group(5)) if summary else 0,
    }


#: processes the CPU meter leaves out (the feed server): set in main()
SKIP_CPU: set[int] = set()


def run_in_process(config_path: Path, profile: str | None = None) -> dict[str, Any]:
    from bot.app.poll_once import poll_once
    from bot.config.load import load_config

    config = load_config(config_path)
    captured = io.StringIO()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    meter = CPUMeter(SKIP_CPU)
    began = time.perf_counter()
    with contextlib.redirect_stdout(captured):
        asyncio.run(poll_once(config))
    seconds = time.perf_counter() - began
    cpu = meter.stop()
    if profiler is not None:
        profiler.stop()
        target = OUT / f"poll_cycle-profile-{profile}.txt"
        target.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        (OUT / f"poll_cycle-profile-{profile}.html").write_text(profiler.output_html())
        print(f"  profile written to {target}")
    return {"seconds": seconds, **cpu, **outcomes(captured.getvalue())}


def run_process(config_path: Path) -> dict[str, Any]:
    began = time.perf_counter()
    done = subprocess.run(
        [*FEEDBOT, "poll", "--once", "--config", str(config_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {"seconds": time.perf_counter() - began, **outcomes(done.stdout)}


async def fresh_postgres(url: str, name: str) -> str:
    """A new, empty database ``name`` next to the one ``url`` points at."""
    import asyncpg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin.set(database=name).render_as_string(hide_password=False)


def three_runs(
    server: Any, config_path: Path, runner: Any, label: str, profile: bool = False
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for scenario in SCENARIOS:
        server.command("ignore" if scenario == "same-body" else "honour")
        result = runner(config_path, f"{label}-{scenario}") if profile else runner(config_path)
        results[scenario] = result
        print(
            f"  {label:<22} {scenario:<9} {fmt_s(result['seconds']):>9}  {_cpu(result):<24}"
            f"(cycle {result['cycle']:.1f}s; {result['counts']}; {result['new']} new entries)"
        )
    server.command("honour")
    return results


# ----------------------------------------------------------------------------- main


def _descendants(pid: int) -> list[int]:
    import psutil

    return [kid.pid for kid in psutil.Process(pid).children(recursive=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="URLs per corpus file")
    parser.add_argument("--listeners", type=int, default=10, help="ports of the feed server")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="pyinstrument, no report")
    args = parser.parse_args()

    files = corpus_files()
    count = len(files) * args.copies
    routes = feed_routes(files, count)
    OUT.mkdir(parents=True, exist_ok=True)
    db = fresh_file(OUT / "poll_cycle.db")
    db_proc = fresh_file(OUT / "poll_cycle-process.db")
    print(
        f"poll cycle: {count} feeds ({len(files)} corpus files x {args.copies}), "
        f"{args.listeners} listeners, concurrency {args.concurrency}, per_host {args.per_host}"
    )

    with children() as kids:
        server = feed_server(files, count, args.listeners)
        kids.append(server)
        SKIP_CPU.update({server.pid, *_descendants(server.pid)})
        urls = route_urls(routes, server.ports)
        cfg = lambda url, name: write_config(  # noqa: E731
            OUT / name, config_for(urls, url, args.concurrency, args.per_host)
        )
        if args.profile:
            three_runs(
                server,
                cfg(f"sqlite:///{db}", "poll_cycle.json"),
                run_in_process,
                "in-process",
                profile=True,
            )
            return 0

        print("baseline: httpx + feedparser.parse ...")
        base = asyncio.run(baseline(urls, args.concurrency, args.per_host))
        print(
            f"  baseline total {fmt_s(base['total'])}, CPU {base['cpu']:.2f} s"
            f" (fetch only {fmt_s(base['fetch_only'])},"
            f" parse only {fmt_s(base['parse_only'])}, {base['bytes'] / 1e6:.1f} MB,"
            f" {base['entries']} entries)"
        )
        print("ours:")
        sqlite = three_runs(
            server, cfg(f"sqlite:///{db}", "poll_cycle.json"), run_in_process, "in-process, SQLite"
        )
        process = three_runs(
            server,
            cfg(f"sqlite:///{db_proc}", "poll_cycle-process.json"),
            run_process,
            "feedbot poll --once",
        )
        before = run_in_process(
            write_config(
                OUT / "poll_cycle-workers0.json",
                config_for(
                    urls,
                    f"sqlite:///{fresh_file(OUT / 'poll_cycle-workers0.db')}",
                    args.concurrency,
                    args.per_host,
                    workers=0,
                ),
            )
        )
        label = "in-process, workers 0"
        print(f"  {label:<22} cold      {fmt_s(before['seconds']):>9}  {_cpu(before)}")
        # a second cold run, as the baseline has one: the ratio takes the faster of each
        again = run_in_process(
            cfg(f"sqlite:///{fresh_file(OUT / 'poll_cycle-again.db')}", "poll_cycle-again.json")
        )
        label = "in-process, SQLite"
        print(f"  {label:<22} cold again {fmt_s(again['seconds']):>8}  {_cpu(again)}")
        postgres = None
        pg_url = os.environ.get("TEST_POSTGRES_URL")
        if pg_url:
            url = asyncio.run(fresh_postgres(pg_url, "bench_poll_cycle"))
            postgres = three_runs(
                server, cfg(url, "poll_cycle-pg.json"), run_in_process, "in-process, PostgreSQL"
            )
        else:
            print("  PostgreSQL: skipped (set TEST_POSTGRES_URL to include it)")
        base2 = asyncio.run(baseline(urls, args.concurrency, args.per_host))
        print(f"  baseline again (after ours): {fmt_s(base2['total'])}")

    report(args, count, base, base2, sqlite, again, process, postgres, before)
    return 0


def _pressure() -> str:
    """How much of the time runnable tasks waited for a CPU (Linux PSI), or '?'."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return "?"
    fields = dict(part.split("=") for part in line.split()[1:])
    return f"{fields.get('avg300', '?')}%"


def _cpu(result: dict[str, Any]) -> str:
    """CPU seconds of a run as "total (main + workers)", or '' when not measured."""
    if "cpu_main" not in result:
        return ""
    main, workers = result["cpu_main"], result["cpu_workers"]
    return f"{main + workers:.2f} s ({main:.2f} + {workers:.2f})"


def report(
    args: argparse.Namespace,
    count: int,
    base: dict[str, Any],
    base2: dict[str, Any],
    sqlite: dict[str, dict[str, Any]],
    again: dict[str, Any],
    process: dict[str, dict[str, Any]],
    postgres: dict[str, dict[str, Any]] | None,
    before: dict[str, Any],
) -> None:
    baseline_s = min(base["total"], base2["total"])
    cold = min(sqlite["cold"]["seconds"], again["seconds"])
    rows = [
        [
            "baseline: httpx GET + feedparser.parse",
            fmt_s(base["total"]) + " / " + fmt_s(base2["total"]) + " (before / after ours)",
            "",
            f"{base['cpu']:.2f} s / {base2['cpu']:.2f} s",
            "1.00x",
            "-",
        ],
        [
            "  of which: fetch only / parse only",
            f"{fmt_s(base['fetch_only'])} / {fmt_s(base['parse_only'])}",
            "",
            "",
            "",
            "",
        ],
    ]
    targets = {
        "cold": ("<= 0.5x baseline", cold / baseline_s <= 0.5),
        "warm": ("< 1 s", sqlite["warm"]["seconds"] < 1.0),
        "same-body": ("<= 0.1x cold", sqlite["same-body"]["seconds"] <= 0.1 * cold),
    }
    for scenario in SCENARIOS:
        r = sqlite[scenario]
        target, met = targets[scenario]
        seconds = cold if scenario == "cold" else r["seconds"]
        rows.append(
            [
                f"ours, {scenario} (in-process `poll_once`, SQLite)",
                fmt_s(r["seconds"])
                + (f" / {fmt_s(again['seconds'])} (first / again)" if scenario == "cold" else ""),
                f"{process[scenario]['seconds']:.2f} s",
                _cpu(r) + (f" / {_cpu(again)}" if scenario == "cold" else ""),
                f"{seconds / baseline_s:.2f}x",
                f"{target}: {'met' if met else 'MISSED'}",
            ]
        )
    rows.append(
        [
            "before: cold with `parse_workers: 0` (one parse thread)",
            fmt_s(before["seconds"]),
            "",
            _cpu(before),
            f"{before['seconds'] / baseline_s:.2f}x",
            "",
        ]
    )
    if postgres:
        for scenario in SCENARIOS:
            r = postgres[scenario]
            rows.append(
                [
                    f"ours, {scenario} (in-process, PostgreSQL)",
                    fmt_s(r["seconds"]),
                    "",
                    _cpu(r),
                    f"{r['seconds'] / baseline_s:.2f}x",
                    "",
                ]
            )
    base_cpu = min(base["cpu"], base2["cpu"])
    cold_cpu = sqlite["cold"]["cpu_main"] + sqlite["cold"]["cpu_workers"]
    info = machine()
    outcome_lines = [
        f"- {scenario}: {sqlite[scenario]['counts']}, {sqlite[scenario]['new']} new entries "
        f"stored; the cycle itself (poll_once's own summary line) {sqlite[scenario]['cycle']}s"
        for scenario in SCENARIOS
    ]
    body = "\n".join(
        [
            "## Poll cycle (`bench/poll_cycle.py`)",
            "",
            f"Machine: {'; '.join(f'{k} {v}' for k, v in info.items())}.",
            "",
            f"{count} feeds: the {count // args.copies} real-world corpus files, each at "
            f"{args.copies} distinct URLs ({base['bytes'] / 1e6:.1f} MB per cycle), served by "
            f"`tests.feedserver` in its own process on {args.listeners} loopback ports (each "
            f"port is a host of its own, so `per_host` {args.per_host} x {args.listeners} ports "
            f"allows the full `concurrency` {args.concurrency}, for ours and the baseline).",
            "In-process: `asyncio.run(bot.app.poll_once.poll_once(config))` timed around the "
            "call (opening and migrating the database included). Process: `feedbot poll "
            "--once` wall time (interpreter start and imports included). Ratio: in-process time "
            "over the faster of the two baseline runs; for the cold poll, the faster of two "
            "cold runs on fresh databases (the second after all the others). CPU: user + "
            "system seconds of the process (every thread) and of the parse workers it started "
            "(sampled with psutil).",
            "",
            table(HEADER, rows),
            "",
            *outcome_lines,
            f"- cold, CPU: ours {cold_cpu:.2f} s over the baseline's {base_cpu:.2f} s = "
            f"{cold_cpu / base_cpu:.2f}x the work; "
            f"the machine's CPU pressure during the run (/proc/pressure/cpu, some, avg300): "
            f"{_pressure()}.",
            f"- baseline: {base['entries']} entries parsed; {base['not_feeds']} documents "
            "feedparser could not read as feeds.",
        ]
    )
    write_section("poll_cycle", body)


if __name__ == "__main__":
    raise SystemExit(main())
