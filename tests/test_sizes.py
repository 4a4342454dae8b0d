"""Sizes as people write them, and as messages show them."""

from __future__ import annotations

import pytest

from bot.sizes import format_size, parse_size


@pytest.mark.parametrize(
    ("written", "size"),
    [
        (2048, 2048),
        (2048.0, 2048),
        ("2048", 2048),
        ("2048 bytes", 2048),
        ("64k", 64 << 10),
        ("64 KB", 64 << 10),
        ("64KiB", 64 << 10),
        ("10MB", 10 << 20),
        ("1.5 GiB", 3 << 29),
        ("512 mb", 512 << 20),
    ],
)
def test_sizes_are_binary_whatever_the_spelling(written: object, size: int) -> None:
    assert parse_size(written) == size


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (True, "expected a size"),
        ("lots", "'lots' is not a size; use 64KB, 10MB, 1GB or a number of bytes"),
        ("5 TB", "is not a size"),
        (0, "must be greater than zero"),
        (-5, "must be greater than zero"),
        (1.5, "is not a size"),
        (1 << 50, "must be at most 1 TiB"),
    ],
)
def test_what_is_not_a_size_says_what_is(written: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_size(written)


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 bytes"), (1024, "1 KiB"), (10 << 20, "10 MiB"), (3 << 29, "1.5 GiB")],
)
def test_sizes_read_in_the_largest_unit(size: int, text: str) -> None:
    assert format_size(size) == text
    assert parse_size(text) == size
