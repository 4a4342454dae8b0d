"""Synthetic feeds that match a seeded database, and a server for them in its own process.

    python bench/_synthetic.py --dir DIR --listeners L

serves every ``DIR/<j>.xml`` at ``/s/<j>.xml``; feed ``j`` on port ``j % L`` (each port is a
host of its own). Prints ``{"ports": [...]}``, then answers one JSON line per command:

    publish FRACTION ROUND   add one new item to that fraction of the feeds
    count                    {"requests": total so far}
    quit

The documents are written once by :func:`write_documents` from the newest entries of each
seeded feed, so the bot finds exactly the entries it already has (nothing new, nothing
edited) until ``publish`` adds some.
"""

from __future__ import annotations

import argparse
import sys
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import answer_commands  # first: it puts the repository root on sys.path

ITEMS_PER_DOCUMENT = 20


def item(guid: str, title: str, link: str, text: str, when: object) -> str:
    return (
        f"<item><guid isPermaLink='false'>{escape(guid)}</guid><title>{escape(title)}</title>"
        f"<link>{escape(link)}</link><pubDate>{format_datetime(when, usegmt=True)}</pubDate>"  # type: ignore[arg-type]
        f"<description>{escape(text)}</description></item>"
    )


def document(feed: int, items: list[str]) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Synthetic feed {feed}</title><link>https://example.org/{feed}/</link>"
        f"{''.join(items)}</channel></rss>"
    )


def path_of(directory: Path, feed: int) -> Path:
    return directory / f"{feed}.xml"


def main() -> int:
    from datetime import UTC, datetime

    from tests.feedserver import FeedServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--listeners", type=int, default=10)
    args = parser.parse_args()
    files = sorted(args.dir.glob("*.xml"), key=lambda p: int(p.stem))
    server = FeedServer(listeners=args.listeners)
    bodies = {int(p.stem): p.read_text() for p in files}
    for feed, body in bodies.items():
        server.set_feed(f"/s/{feed}.xml", body)

    def publish(fraction: float, round_: int) -> dict[str, object]:
        """One new item on top of every 1/fraction-th feed (which ones shifts each round)."""
        step = max(int(1 / fraction), 1)
        changed = 0
        for feed, body in bodies.items():
            if (feed + round_) % step:
                continue
            new = item(
                f"new-{feed}-{round_}",
                f"Fresh transmission {round_} from feed {feed}",
                f"https://example.org/{feed}/new-{round_}",
                "A new report arrived from the relay: carriers nominal. " * 4,
                datetime.now(UTC),
            )
            head, sep, tail = body.partition("<item>")
            bodies[feed] = body = head + new + sep + tail
            server.set_feed(f"/s/{feed}.xml", body)
            changed += 1
        return {"changed": changed}

    answer_commands(server, {"publish": lambda rest: publish(float(rest[0]), int(rest[1]))})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
