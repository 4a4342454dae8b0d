"""Memory: peak RSS of ``feedbot run`` with 10,000 feeds and 1,000,000 stored entries.

    .venv/bin/python bench/memory.py [--feeds 10000] [--entries 1000000] [--cycles 4]

The database is made by the bot's migrations and filled with SQLAlchemy Core (the feeds,
100 entries each, 1,000 subscribed chats); it is built once and cached in
``bench/out/memory-seed.db`` together with one RSS document per feed (``_synthetic.py``)
holding that feed's 20 newest entries, so the bot finds what it already stored. Each run
works on a copy.

The real ``feedbot run`` (SQLite, 1-minute interval, no jitter) polls the feeds from a
local server with 10 ports, and sends through the fake Bot API (flood limits on). Cycle 1
downloads and parses every document (nothing is new); before each later cycle 0.5% of the
feeds publish one new entry, which goes to every chat (one transmission each); the other
feeds answer 304. RSS is read from ``/proc`` every 0.2 s; the peak is the kernel's VmHWM.

Baselines, same run: the interpreter with the bot's modules imported and nothing done, and
``feedbot run`` idle with no feeds on the same database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    FEEDBOT,
    OUT,
    PYTHON,
    TOKEN,
    Child,
    children,
    copy_db,
    fake_bot_api,
    hwm_mb,
    rss_mb,
    start_feedbot,
    table,
    write_config,
    write_report,
)
from _fake_control import register_chats
from _seed import build_seed, working_copy
from _synthetic import ITEMS_PER_DOCUMENT, document, item, path_of

SEED_VERSION = "2"  # 2: the search index of migration 0013
FIRST_CHAT = 900_000_000
PLACEHOLDER = "http://127.0.0.1:9/s/{}.xml"  # rewritten to the server's ports in each copy
TOPIC_NAMES = [f"topic-{n:02d}" for n in range(20)]


def seed_files(feeds: int, entries: int) -> tuple[Path, Path]:
    stem = f"memory-{feeds}-{entries}"
    return OUT / f"{stem}-seed.db", OUT / f"{stem}-feeds"


def seed(feeds: int, entries: int, chats: int) -> None:
    db, docs = seed_files(feeds, entries)
    print(f"seeding {db.name} (once; cached): {feeds:,} feeds, {entries:,} entries ...")
    build_seed(
        db,
        SEED_VERSION,
        feed_urls=[PLACEHOLDER.format(j) for j in range(feeds)],
        due_in=timedelta(0),
        entries=entries,
        topic_names=TOPIC_NAMES,
        chat_ids=[FIRST_CHAT + i for i in range(chats)],
        then=lambda tmp, feed_ids: write_documents(tmp, docs, feed_ids),
    )


def write_documents(db: Path, directory: Path, feed_ids: list[int]) -> None:
    """One RSS file per feed with its newest entries; the stored content hashes are set to
    what the bot's parser computes from these files, so that a poll finds nothing edited."""
    from bot.ingest.parse import parse_document

    directory.mkdir(parents=True, exist_ok=True)
    index = {feed_id: j for j, feed_id in enumerate(feed_ids)}
    newest: dict[int, list[str]] = {}
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT feed_id, key, title, link, text, published_at FROM ("
            " SELECT *, row_number() OVER (PARTITION BY feed_id ORDER BY sort_at DESC) AS n"
            " FROM entries) WHERE n <= ? ORDER BY feed_id, sort_at DESC",
            (ITEMS_PER_DOCUMENT,),
        )
        for feed_id, key, title, link, text, published in rows:
            when = datetime.fromisoformat(published).replace(tzinfo=UTC)
            newest.setdefault(feed_id, []).append(
                item(key.removeprefix("id:"), title, link, text, when)
            )
        hashes = []
        for feed_id, items in newest.items():
            body = document(index[feed_id], items)
            path_of(directory, index[feed_id]).write_text(body)
            parsed = parse_document(body.encode(), {}, PLACEHOLDER.format(index[feed_id]))
            hashes += [(e.content_hash, feed_id, e.key) for e in parsed.entries]
        connection.executemany(
            "UPDATE entries SET content_hash = ? WHERE feed_id = ? AND key = ?", hashes
        )
    print(f"  wrote {len(newest):,} feed documents to {directory.relative_to(OUT)}")


# ----------------------------------------------------------------------------- measuring


class Sampler:
    """Reads RSS every ``every`` seconds in a thread: of the process, and of the process with
    all its descendants together (the forkserver and the parse workers), keeping each sample.
    """

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid = pid
        #: (time, main MiB, whole tree MiB, processes in the tree, largest other MiB)
        self.samples: list[tuple[float, float, float, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        import psutil

        try:
            process = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                main = process.memory_info().rss / 2**20
                others = []
                for kid in process.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        others.append(kid.memory_info().rss / 2**20)
            except psutil.Error:
                return
            sample = (time.monotonic(), main, main + sum(others), 1 + len(others))
            self.samples.append((*sample, max(others, default=0.0)))
            time.sleep(every)

    def max_between(self, start: float, end: float, field: int = 1) -> float:
        return max((s[field] for s in self.samples if start <= s[0] <= end), default=0.0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def idle_rss(args: list[str], seconds: float, name: str) -> float:
    """Peak RSS of a process left alone for ``seconds``."""
    child = Child(args, name=name, ready=False, env={"FEEDBOT_LOG_LEVEL": "WARNING"})
    try:
        time.sleep(seconds)
        if child.proc.poll() is not None:
            raise RuntimeError(f"{name} exited early; see {child.log_path}")
        return hwm_mb(child.pid)
    finally:
        child.stop()


def checked_since(db: Path, since: str) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        return int(
            connection.execute(
                "SELECT count(*) FROM feeds WHERE configured AND last_checked_at >= ?", (since,)
            ).fetchone()[0]
        )


def db_now() -> str:
    """Now, written the way SQLAlchemy stores datetimes in SQLite (comparable as text)."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--cycles", type=int, default=4, help="cycles after the first")
    parser.add_argument("--publish", type=float, default=0.005, help="fraction of feeds")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    seed_db, docs = seed_files(args.feeds, args.entries)
    db = working_copy(
        seed_db,
        SEED_VERSION,
        OUT / "memory.db",
        reseed=args.reseed,
        make=lambda: seed(args.feeds, args.entries, args.chats),
    )

    print("baseline: the interpreter with the bot's modules imported ...")
    floor = idle_rss(
        [PYTHON, "-c", "import bot.app.runtime, bot.__main__, time; time.sleep(60)"],
        5,
        "memory-imports",
    )
    print(f"  {floor:.1f} MiB")

    cycles: list[dict[str, float]] = []
    with children() as kids:
        fake = fake_bot_api()
        kids.append(fake)
        base = fake.base_url  # type: ignore[attr-defined]
        register_chats(base, [FIRST_CHAT + i for i in range(args.chats)])

        print("baseline: `feedbot run` idle with no feeds, same database ...")
        idle_db = copy_db(db, OUT / "memory-idle.db")
        idle_config = write_config(
            OUT / "memory-idle.json",
            {
                "telegram": {"token": TOKEN, "api_base_url": base},
                "database": {"url": f"sqlite:///{idle_db}"},
            },
        )
        idle = idle_rss([*FEEDBOT, "run", "--config", str(idle_config)], 20, "memory-idle")
        print(f"  {idle:.1f} MiB")

        server = Child(
            [
                PYTHON,
                str(Path(__file__).parent / "_synthetic.py"),
                "--dir",
                str(docs),
                "--listeners",
                "10",
            ],
            name="synthetic",
            stdin=True,
        )
        kids.append(server)
        ports = json.loads(server.first_line)["ports"]
        urls = [f"http://127.0.0.1:{ports[j % len(ports)]}/s/{j}.xml" for j in range(args.feeds)]
        with sqlite3.connect(db) as connection:
            connection.executemany(
                "UPDATE feeds SET url = ? WHERE url = ?",
                [(u, PLACEHOLDER.format(j)) for j, u in enumerate(urls)],
            )
        config = write_config(
            OUT / "memory.json",
            {
                "telegram": {"token": TOKEN, "api_base_url": base},
                "database": {"url": f"sqlite:///{db}"},
                "polling": {"interval": "1m", "min_interval": "1s", "tick": "5s", "jitter": 0},
                "feeds": [{"url": url} for url in urls],
            },
        )
        print(f"ours: `feedbot run` with {args.feeds:,} feeds, {args.entries:,} entries ...")
        since = db_now()
        bot = start_feedbot(config, "memory-feedbot")
        kids.append(bot)
        sampler = Sampler(bot.pid)
        began = time.monotonic()
        try:
            for number in range(args.cycles + 1):
                start = time.monotonic()
                published = 0
                if number:
                    since = db_now()
                    published = server.command(f"publish {args.publish} {number}")["changed"]
                while checked_since(db, since) < args.feeds:
                    if bot.proc.poll() is not None:
                        raise RuntimeError(f"feedbot exited; see {bot.log_path}")
                    time.sleep(1.0)
                end = time.monotonic()
                row = {
                    "cycle": number + 1,
                    "seconds": end - start,
                    "published": published,
                    "peak": sampler.max_between(start, end),
                    "tree": sampler.max_between(start, end, 2),
                    "processes": sampler.max_between(start, end, 3),
                    "worker": sampler.max_between(start, end, 4),
                    "end": rss_mb(bot.pid),
                    "hwm": hwm_mb(bot.pid),
                }
                cycles.append(row)
                print(
                    f"  cycle {row['cycle']}: {row['seconds']:.0f}s, {published} published, "
                    f"peak {row['peak']:.1f} MiB (all {row['processes']:.0f} processes "
                    f"{row['tree']:.1f} MiB), at the end {row['end']:.1f} MiB, "
                    f"VmHWM {row['hwm']:.1f} MiB",
                    flush=True,
                )
            hwm = hwm_mb(bot.pid)
            total = time.monotonic() - began
        finally:
            sampler.stop()
        status = bot.stop()
        with sqlite3.connect(db) as connection:
            queue = dict(
                connection.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
            )
            stored = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    print(f"  peak (VmHWM) {hwm:.1f} MiB over {total:.0f}s; exit {status}; outbox {queue}")
    report(args, floor, idle, cycles, hwm, status, queue, stored)
    return 0


def report(
    args: argparse.Namespace,
    floor: float,
    idle: float,
    cycles: list[dict[str, float]],
    hwm: float,
    status: int | None,
    queue: dict[str, int],
    stored: int,
) -> None:
    rows = [
        ["interpreter + the bot's modules imported (baseline)", f"{floor:.1f}", "", "", "", ""],
        ["`feedbot run` idle, no feeds, same database (baseline)", f"{idle:.1f}", "", "", "", ""],
    ]
    for c in cycles:
        label = (
            "1, cold (no validators yet: every document downloaded and parsed)"
            if c["cycle"] == 1
            else f"{c['cycle']:.0f}, warm ({c['published']:.0f} feeds publish; the rest 304)"
        )
        rows.append(
            [
                f"`feedbot run`, cycle {label}",
                f"{c['peak']:.1f}",
                f"{c['tree']:.1f} ({c['processes']:.0f})",
                f"{c['worker']:.1f}",
                f"{c['end']:.1f}",
                f"{c['seconds']:.0f} s",
            ]
        )
    later = [c["end"] for c in cycles[1:]]
    growth = later[-1] - later[0] if len(later) > 1 else float("nan")
    tree = max(c["tree"] for c in cycles)
    header = [
        "process",
        "main peak RSS MiB",
        "all processes peak RSS MiB (processes)",
        "largest other process MiB",
        "main RSS at cycle end MiB",
        "cycle time",
    ]
    write_report(
        "memory",
        "Memory (`bench/memory.py`)",
        f"`feedbot run` (SQLite) with {args.feeds:,} configured feeds and {stored:,} stored "
        f"entries, {args.chats:,} subscribed chats, the fake Bot API with flood limits. The "
        "feeds are synthetic RSS documents (20 newest entries each) served on loopback with "
        "real ETag/Last-Modified. Cycle 1 fetches and parses every document (all entries "
        f"known); before each later cycle {args.publish:.1%} of the feeds publish one new "
        "entry, which is pushed to every chat; the rest answer 304. RSS sampled every 0.2 s "
        "with psutil: the main process alone, and the main process with all its "
        "descendants (the forkserver and the parse workers, `polling.parse_workers` at its "
        "default of one per core) summed at the same instant; pages shared after a fork "
        "are counted in each process, so the sum is an upper bound.",
        table(header, rows),
        f"Peak RSS of the main `feedbot run` process over all cycles (kernel VmHWM): "
        f"**{hwm:.1f} MiB**; target < 150 MiB: {'met' if hwm < 150 else 'MISSED'}. All its "
        f"processes together at their peak: **{tree:.1f} MiB**. Growth of the main process "
        f"from the end of cycle 2 to the end of cycle {len(cycles)}: {growth:+.1f} MiB. "
        f"Exit status {status}; outbox afterwards: {queue}.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
