"""The claim code: works once, refuses wrong codes, and limits guessing per user and overall."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.chat.admins import AdminRoster
from bot.chat.claim import Claim, ClaimGate, new_claim_code
from bot.render.i18n import EN
from bot.render.strings import admin as admin_strings
from bot.store import Store


def test_codes_are_fresh_and_readable() -> None:
    codes = {new_claim_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    assert not any(set(code) & set("0O1IL") for code in codes)


def test_the_right_code_works_once_in_any_case_and_spacing(now: datetime) -> None:
    gate = ClaimGate("K7QX2-MR9PD")
    assert gate.attempt(1, " k7qx2mr9pd ", now) is Claim.ACCEPTED
    assert gate.attempt(1, "K7QX2-MR9PD", now) is Claim.CLOSED
    assert gate.attempt(2, "K7QX2-MR9PD", now) is Claim.CLOSED


def test_wrong_codes_are_limited_per_user_then_forgotten(now: datetime) -> None:
    gate = ClaimGate("K7QX2-MR9PD", per_user=3, overall=10, window=timedelta(minutes=10))
    assert [gate.attempt(1, "nope", now) for _ in range(3)] == [Claim.WRONG] * 3
    # limited now, even with the right code: guessing gains nothing
    assert gate.attempt(1, "K7QX2-MR9PD", now) is Claim.LIMITED
    assert gate.wait(1, now) == timedelta(minutes=10)
    assert gate.attempt(2, "nope", now) is Claim.WRONG  # another user is not
    later = now + timedelta(minutes=10, seconds=1)
    assert gate.wait(1, later) == timedelta(0)
    assert gate.attempt(1, "K7QX2-MR9PD", later) is Claim.ACCEPTED


def test_wrong_codes_from_many_users_close_the_gate_for_everyone(now: datetime) -> None:
    gate = ClaimGate("K7QX2-MR9PD", per_user=5, overall=4, window=timedelta(minutes=10))
    for user in range(4):
        assert gate.attempt(user, "nope", now + timedelta(seconds=user)) is Claim.WRONG
    assert gate.attempt(99, "K7QX2-MR9PD", now) is Claim.LIMITED
    assert gate.wait(99, now + timedelta(minutes=5)) == timedelta(minutes=5)
    assert len(gate._wrong) == 4  # memory bounded by `overall`


@pytest.mark.store
async def test_a_claim_stores_the_admin_and_admins_are_config_and_stored(
    store: Store, now: datetime
) -> None:
    roster = AdminRoster(store, frozenset({7}), ClaimGate("K7QX2-MR9PD"), lambda: now)
    assert await roster.is_admin(7)
    assert not await roster.is_admin(8)
    group = await roster.claim(8, "supergroup", "K7QX2-MR9PD", EN)
    assert group.html == EN(admin_strings.CLAIM_IN_PRIVATE)  # a group is no place for the code
    assert (await roster.claim(8, "private", "WRONG", EN)).html == EN(admin_strings.CLAIM_WRONG)
    assert (await roster.claim(8, "private", "K7QX2-MR9PD", EN)).html == EN(admin_strings.CLAIMED)
    assert await roster.is_admin(8)
    assert await roster.all() == {7, 8}
    assert await store.stored_admins() == [8]
    closed = await roster.claim(9, "private", "K7QX2-MR9PD", EN)
    assert closed.html == EN(admin_strings.CLAIM_CLOSED)
    assert not await roster.is_admin(9)
