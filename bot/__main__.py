"""The command line: ``feedbot run | preview | poll --once | check-config | feeds | --version``.

Builds nothing itself: it parses arguments, loads the config, calls into ``bot.app`` and
turns known failures into one line on stderr and an exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot.clock import utcnow
from bot.config.errors import ConfigError
from bot.config.load import (
    DEFAULTS_SOURCE,
    ENV_TOKEN,
    config_is_implicit,
    config_path,
    load_config,
)
from bot.config.schema import Config
from bot.version import PYTHON, VERSION

EXIT_OK = 0
EXIT_FAILURE = 1  #: the command ran and something it needs failed (database, token, feed)
EXIT_USAGE = 2  #: the command line or the config is wrong


def build_parser() -> argparse.ArgumentParser:
    config_help = "config file (default: $FEEDBOT_CONFIG, else ./config.yaml)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help=config_help)

    parser = argparse.ArgumentParser(
        prog="feedbot",
        description="Transmission: a Telegram bot that delivers feed updates.",
        parents=[common],
    )
    parser.add_argument(
        "--version", action="version", version=f"feedbot {VERSION} (Python {PYTHON})"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run", parents=[common], help="run the bot: Telegram polling, feed scheduler, delivery"
    )
    preview = commands.add_parser(
        "preview",
        parents=[common],
        help="fetch feeds once and print LATEST UPDATES page 1 (no token, no database)",
    )
    preview.add_argument("sources", nargs="*", metavar="URL_OR_FILE")
    poll = commands.add_parser(
        "poll", parents=[common], help="poll every configured feed once and exit"
    )
    poll.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")
    commands.add_parser("check-config", parents=[common], help="validate the configuration")
    feeds = commands.add_parser(
        "feeds", parents=[common], help="the followed feeds: list, import OPML, export OPML"
    )
    feed_commands = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feed_commands.add_parser("list", parents=[common], help="one line a feed")
    importing = feed_commands.add_parser(
        "import", parents=[common], help="follow the feeds of an OPML file"
    )
    importing.add_argument("file", metavar="FILE")
    feed_commands.add_parser("export", parents=[common], help="every feed as OPML, to stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = dispatch(args)
        sys.stdout.flush()  # a reader that went away shows here, not as a warning at exit
        return status
    except ConfigError as error:
        return fail(str(error), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `feedbot preview | head`: the reader has all it wanted. Point stdout at devnull so
        # the interpreter's final flush does not fail again (the recipe in Python's docs for
        # SIGPIPE), and exit without a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "check-config":
        return check_config(args.config)
    # Only the implicit ./config.yaml may be missing (the built-in defaults then: SQLite in
    # data/, no feeds); a file named with --config or $FEEDBOT_CONFIG that is not there is a
    # mistake.
    missing_ok = config_is_implicit(args.config)
    config = load_config(config_path(args.config), missing_ok=missing_ok)
    if args.command == "preview":
        return asyncio.run(preview(config, args.sources))
    if args.command == "poll":
        return poll_once(config)
    if args.command == "feeds":
        return feeds(config, args.feeds_command, getattr(args, "file", None))
    return run(config)


def fail(message: str, status: int) -> int:
    print(f"feedbot: {message}", file=sys.stderr)
    return status


def check_config(cli_path: str | None) -> int:
    config = load_config(config_path(cli_path), missing_ok=config_is_implicit(cli_path))
    print(
        f"{config.source}: OK — {len(config.feeds)} feeds, {len(config.topics)} topic rules, "
        f"{len(config.telegram.channels)} channels, {len(config.telegram.admins)} admins"
    )
    if config.token is None:
        print(f"note: no bot token yet; `feedbot run` needs one ({ENV_TOKEN} or telegram.token)")
    return EXIT_OK


async def preview(config: Config, sources: Sequence[str]) -> int:
    from bot.app.preview import run_preview

    if not sources and not config.feeds:
        return fail("nothing to preview: give URLs or files, or list feeds in the config", 2)
    page, errors = await run_preview(config, sources, utcnow())
    if page is not None:
        print(page)
    for error in errors:
        print(f"feedbot: {error}", file=sys.stderr)
    return EXIT_FAILURE if errors else EXIT_OK


def poll_once(config: Config) -> int:
    from bot.app.poll_once import poll_once as run_poll_once
    from bot.store import StoreUnavailable

    try:
        return asyncio.run(run_poll_once(config))
    except StoreUnavailable as error:
        return fail(f"{error} (check database.url or DATABASE_URL)", EXIT_FAILURE)


def feeds(config: Config, action: str, path: str | None) -> int:
    from bot.app.feeds_cli import FeedsCommandError, export_feeds, import_feeds, list_feeds
    from bot.store import StoreUnavailable

    try:
        if action == "list":
            return asyncio.run(list_feeds(config))
        if action == "import":
            assert path is not None
            return asyncio.run(import_feeds(config, path))
        return asyncio.run(export_feeds(config))
    except FeedsCommandError as error:
        return fail(str(error), EXIT_FAILURE)
    except StoreUnavailable as error:
        return fail(f"{error} (check database.url or DATABASE_URL)", EXIT_FAILURE)


def run(config: Config) -> int:
    from bot.app.errors import StartupError
    from bot.app.runtime import run_bot
    from bot.logs import Redactor
    from bot.malloc import limit_malloc_arenas

    limit_malloc_arenas()  # before any thread starts

    if config.token is None:
        where = "a config file" if config.source == DEFAULTS_SOURCE else config.source
        return fail(
            f"no bot token: set {ENV_TOKEN} (or telegram.token in {where}); "
            "@BotFather gives you one",
            EXIT_USAGE,
        )
    try:
        return asyncio.run(run_bot(config))
    except StartupError as error:  # a proxy's error may quote its URL: no password shown
        return fail(Redactor(config.secrets())(str(error)), EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(main())
