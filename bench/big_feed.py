"""The 100,000-entry feed: parsed alone, and inside a cycle of every corpus feed.

    .venv/bin/python bench/big_feed.py [--entries 100000]

A legal RSS document of ``--entries`` dated entries (``tests.feedserver.many_entries_rss``,
~10 MB) is served with the real-world corpus by ``tests.feedserver`` on loopback. Runs, each a
``feedbot poll --once`` process on a fresh SQLite file, peak RSS sampled with psutil (the
main process alone, and the sum over it and its parse workers):

- baseline: ``feedparser.parse`` of the same bytes in a fresh interpreter (CPU time, peak RSS);
- alone: the big feed only, ``parse_timeout`` 10m: what a worker needs to read it whole;
- cycle: the big feed among the corpus feeds with the defaults (``parse_timeout`` 20s,
  a worker per core): the big one is stopped, the others are stored;
- before: the same cycle with ``parse_workers: 0`` (one parse thread in the main process).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    FEEDBOT,
    OUT,
    PYTHON,
    PeakRSS,
    corpus_files,
    fmt_s,
    fresh_file,
    table,
    write_config,
    write_report,
)

from tests.feedserver import FeedServer, many_entries_rss

_BASELINE = """
import io, json, resource, sys, time, feedparser
body = open(sys.argv[1], "rb").read()
began = time.process_time()
parsed = feedparser.parse(io.BytesIO(body))
print(json.dumps({"cpu": time.process_time() - began, "entries": len(parsed.entries),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def baseline(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-c", _BASELINE, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def poll(name: str, urls: list[str], **polling: Any) -> dict[str, Any]:
    database = fresh_file(OUT / f"big_feed-{name}.db")
    config = write_config(
        OUT / f"big_feed-{name}.json",
        {
            "database": {"url": f"sqlite:///{database}"},
            "polling": {"concurrency": 20, "per_host": 20, **polling},
            "feeds": [{"url": url} for url in urls],
        },
    )
    began = time.perf_counter()
    with subprocess.Popen(
        [*FEEDBOT, "poll", "--once", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        peak = PeakRSS(process.pid)
        out, err = process.communicate(timeout=1800)
        peak.stop()
    seconds = time.perf_counter() - began
    if process.returncode != 0:
        raise SystemExit(f"{name}: feedbot poll --once failed: {err}")
    reports = [line for line in out.splitlines() if line.startswith(("OK ", "ERROR "))]
    big = next((line for line in reports if "/big.xml" in line or " Many:" in line), "")
    summary = re.search(r"(\d+) ok, (\d+) failed", out)
    return {
        "seconds": seconds,
        "main": peak.main,
        "total": peak.total,
        "big": big.split(": ", 1)[-1].split(";")[0].split(" (retry")[0],
        "ok": int(summary.group(1)) if summary else 0,
        "failed": int(summary.group(2)) if summary else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    files = corpus_files()
    OUT.mkdir(parents=True, exist_ok=True)
    document = many_entries_rss(args.entries)
    path = OUT / "big_feed.xml"
    path.write_bytes(document)
    print(f"big feed: {args.entries} entries, {len(document) / 1e6:.1f} MB")

    base = baseline(path)
    print(f"  baseline feedparser.parse: {base['cpu']:.1f} s CPU, peak {base['rss']:.0f} MiB")
    with FeedServer() as server:
        server.set_feed("/big.xml", document)
        corpus = []
        for file in files:
            server.set_feed(f"/c/{file.name}", file.read_bytes(), content_type="application/xml")
            corpus.append(server.url(f"/c/{file.name}"))
        runs = {
            "alone": poll("alone", [server.url("/big.xml")], parse_timeout="10m"),
            "cycle": poll("cycle", [server.url("/big.xml"), *corpus]),
            "before": poll("before", [server.url("/big.xml"), *corpus], parse_workers=0),
        }
    for name, run in runs.items():
        print(
            f"  {name:<7} {fmt_s(run['seconds']):>9}  main {run['main']:.0f} MiB, all "
            f"{run['total']:.0f} MiB; {run['ok']} ok, {run['failed']} failed; big: {run['big']}"
        )
    report(args.entries, len(document), len(files), base, runs)
    return 0


def report(
    entries: int, size: int, corpus: int, base: dict[str, Any], runs: dict[str, dict[str, Any]]
) -> None:
    labels = {
        "alone": "ours: the big feed alone (`parse_timeout: 10m`)",
        "cycle": f"ours: big + {corpus} corpus feeds, defaults (workers, 20 s)",
        "before": f"before: big + {corpus} corpus feeds, `parse_workers: 0`",
    }
    rows = [
        [
            "baseline: `feedparser.parse` alone",
            f"{base['cpu']:.1f} s CPU",
            f"{base['rss']:.0f} MiB",
            "",
            f"{base['entries']} entries",
        ]
    ]
    for name, run in runs.items():
        rows.append(
            [
                labels[name],
                fmt_s(run["seconds"]),
                f"{run['main']:.0f} MiB",
                f"{run['total']:.0f} MiB",
                f"{run['ok']} ok, {run['failed']} failed; big feed: {run['big']}",
            ]
        )
    write_report(
        "big_feed",
        "The 100,000-entry feed (`bench/big_feed.py`)",
        f"A legal RSS document of {entries} dated entries ({size / 1e6:.1f} MB), served "
        "on loopback by `tests.feedserver` with the real-world corpus. Each run is a "
        "`feedbot poll --once` process on a fresh SQLite file; peak RSS sampled every "
        "50 ms with psutil, of the main process and of the sum over it and its workers.",
        table(["run", "wall", "peak main", "peak all", "outcome"], rows),
    )


if __name__ == "__main__":
    raise SystemExit(main())
