"""What the per-chat shaping costs: a transmission rendered in English and in Chinese, and
keyword filters (words and RE2 regexes) applied to queued entries.

    .venv/bin/python bench/locale_filters.py [--renders 2000] [--entries 20000]

Renders five-entry INCOMING TRANSMISSIONs through ``bot.render.pages.transmission`` with
the English (no catalog) and the 简体中文 Locale (gettext catalog, Asia/Shanghai dates),
and runs ``bot.text.filters.passes`` with 20 filters (10 words, 10 RE2 regexes) over
synthetic entries of English and Chinese text. Prints the time per render and per entry.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bot.domain import EntryView
from bot.render.i18n import locale
from bot.render.pages import transmission
from bot.text.filters import parse_filter, passes

WORDS = ["llm", "rust", "python", "kernel", "大模型", "推理", "编译器", "gpu", "crypto", "agent"]


def entries(count: int, rng: random.Random) -> list[EntryView]:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    return [
        EntryView(
            entry_id=n,
            title=" ".join(rng.choices(WORDS, k=6)),
            link=f"https://blog.example/{n}",
            published=start - timedelta(minutes=n),
            text=" ".join(rng.choices(WORDS, k=120)) + "。" * 3,
            topics=("ml", "RL", "Post-training"),
            feed_name="示例技术博客",
        )
        for n in range(count)
    ]


def time_renders(renders: int, views: list[EntryView]) -> dict[str, float]:
    timings = {}
    for name, loc in (
        ("en", locale("en")),
        ("zh_Hans", locale("zh_Hans").in_zone("Asia/Shanghai")),
    ):
        began = time.perf_counter()
        for n in range(renders):
            shown = views[n % (len(views) - 5) :][:5]
            transmission(
                shown, loc=loc, page=1, page_size=5, summary_length=350, transmission_id=None
            )
        timings[name] = (time.perf_counter() - began) / renders
    return timings


def time_filters(views: list[EntryView]) -> tuple[float, int]:
    filters = [parse_filter(f"+{w}") for w in WORDS] + [
        parse_filter(f"-/{w}\\d{{2,}}|{w}-v[0-9]/") for w in WORDS
    ]
    began = time.perf_counter()
    kept = sum(passes(filters, view.title, view.text) for view in views)
    return (time.perf_counter() - began) / len(views), kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=20000)
    args = parser.parse_args()
    views = entries(max(args.entries, 10), random.Random(13))
    for name, seconds in time_renders(args.renders, views).items():
        print(f"render 5-entry transmission [{name}]: {seconds * 1e6:.0f} µs")
    per_entry, kept = time_filters(views)
    print(f"20 filters (10 words, 10 RE2): {per_entry * 1e6:.1f} µs/entry, kept {kept}")


if __name__ == "__main__":
    main()
