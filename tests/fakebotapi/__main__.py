"""Run the fake Bot API on its own: ``python -m tests.fakebotapi --port N``.

Prints the base URL on the first line of stdout, then serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .harness import FakeBotAPI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakebotapi", description="A fake Telegram Bot API server."
    )
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--bot-username", default="transmission_test_bot")
    parser.add_argument("--no-limits", action="store_true", help="turn flood control off")
    parser.add_argument("--global-per-second", type=int, default=30)
    parser.add_argument("--per-chat-per-second", type=int, default=1)
    parser.add_argument("--group-per-minute", type=int, default=20)
    parser.add_argument(
        "--lenient-html", action="store_true", help="accept a bare & like Telegram does"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    api = FakeBotAPI(
        args.token,
        bot_username=args.bot_username,
        global_per_second=args.global_per_second,
        per_chat_per_second=args.per_chat_per_second,
        group_per_minute=args.group_per_minute,
        limits=not args.no_limits,
        strict_html=not args.lenient_html,
    )
    done = threading.Event()

    def finish(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    with api.start(args.port, args.host):
        print(api.base_url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
