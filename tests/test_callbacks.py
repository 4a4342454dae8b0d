"""The callback codec round-trips what we produce and refuses everything else."""

from __future__ import annotations

import pytest

from bot.render.callbacks import (
    ENTRY_OPS,
    MAX_BYTES,
    EntryAction,
    LatestPage,
    Noop,
    ToggleTopic,
    TopicsPage,
    TransmissionPage,
    decode,
    encode,
)


@pytest.mark.parametrize(
    "action",
    [
        LatestPage(None, 1),
        LatestPage(42, 7),
        TransmissionPage(2**62, 99_999),
        ToggleTopic(None),
        ToggleTopic(3),
        ToggleTopic(2**62, 12),
        ToggleTopic(None, 2),
        TopicsPage(1),
        TopicsPage(99_999),
        Noop(),
        *(EntryAction(op, 2**63 - 1, expanded) for op in ENTRY_OPS for expanded in (True, False)),
    ],
)
def test_round_trip_within_64_bytes(action: object) -> None:
    data = encode(action)  # type: ignore[arg-type]
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == action


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "L:-:0",
        "L:-:-1",
        "L:abc:1",
        "L:01:1",
        "T:1",
        "T:1:1:1",
        "G:",
        "G:3:0",
        "G:*:",
        "P:0",
        "P:",
        "P:1:1",
        "X:1:1",
        "L:-:1" + " " * 100,
        "L:99999999999999999999:1",
        "T:1:1000000",
        "N ",
        "l:-:1",
        "L:-:１",  # full-width digit
    ],
)
def test_forged_data_decodes_to_nothing(forged: str | None) -> None:
    assert decode(forged) is None


@pytest.mark.parametrize(
    "data", ["E:x:0:0", "E:q:5:0", "E:x:5:2", "E:x:5", "E:m:-5:0", "E:m:99999999999999999999:0"]
)
def test_forged_entry_actions_are_refused(data: str) -> None:
    assert decode(data) is None
