"""The feed server for benchmarks, in its own process: ``tests.feedserver.FeedServer``.

    python bench/_feeds.py --dir DIR --count N --listeners L [--ignore-validators]

serves ``N`` routes ``/f/<i>/<file name>`` cycling through the files of DIR, on ``L`` ports
(a client sees each port as a host of its own). Prints ``{"ports": [...]}``, then answers
one JSON line per command read from stdin:

    honour | ignore           answer conditional requests with 304 / always send the body
    touch FRACTION ROUND      change the body of that fraction of routes (a comment is added)
    set PATH FILE             serve FILE's bytes at PATH from now on
    count                     {"requests": total so far}
    requests PATH             {"times": [monotonic arrival times of requests for PATH]}
    quit
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import answer_commands, feed_routes

from tests.feedserver import FeedServer, _content_type


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--listeners", type=int, default=1)
    parser.add_argument("--ignore-validators", action="store_true")
    args = parser.parse_args()
    files = sorted(p for p in args.dir.iterdir() if p.is_file() and p.name != "MANIFEST.json")
    bodies = {f: f.read_bytes() for f in files}
    routes = feed_routes(files, args.count)
    current = {path: bodies[file] for path, file in routes}
    types = {path: _content_type(file.name) for path, file in routes}
    ignore = args.ignore_validators
    server = FeedServer(listeners=args.listeners)

    def serve(path: str) -> None:
        server.set_feed(path, current[path], content_type=types[path], ignore_validators=ignore)

    def touch(fraction: float, round_: int) -> int:
        """Change the body of every 1/fraction-th route (not UTF-16/32 ones)."""
        step = max(int(1 / fraction), 1) if fraction > 0 else 0
        changed = 0
        for index, (path, file) in enumerate(routes):
            body = bodies[file]
            wide = b"\x00" in body[:4] or body[:2] in (b"\xff\xfe", b"\xfe\xff")
            if not step or (index + round_) % step or wide:
                continue
            tail = " " * (round_ + 1) if file.suffix == ".json" else f"<!-- {round_} -->"
            current[path] = body + f"\n{tail}\n".encode()
            serve(path)
            changed += 1
        return changed

    def validators(op: str) -> dict[str, object]:
        nonlocal ignore
        ignore = op == "ignore"
        for path, _ in routes:
            serve(path)
        return {}

    def set_body(path: str, file: str) -> dict[str, object]:
        source = Path(file)
        current[path] = source.read_bytes()
        types.setdefault(path, _content_type(source.name))
        serve(path)
        return {}

    for path, _ in routes:
        serve(path)
    answer_commands(
        server,
        {
            "honour": lambda _: validators("honour"),
            "ignore": lambda _: validators("ignore"),
            "touch": lambda rest: {"changed": touch(float(rest[0]), int(rest[1]))},
            "set": lambda rest: set_body(rest[0], rest[1]),
            "requests": lambda rest: {"times": [r.time for r in server.requests_for(rest[0])]},
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
