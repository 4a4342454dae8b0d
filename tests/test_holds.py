"""Quiet hours and digests decide when a chat's queued pushes go, in the chat's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.chat.preferences import read_form
from bot.delivery.holds import in_quiet_hours, release_at
from bot.domain import ChatSettings
from bot.render.i18n import EN, Msg


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


INSTANT = ChatSettings()
QUIET_NIGHT = ChatSettings(quiet_from="23:00", quiet_to="07:30")
HOURLY = ChatSettings(mode="hourly")
DAILY_8 = ChatSettings(mode="daily", digest_at="08:00")
SHANGHAI = ChatSettings(timezone="Asia/Shanghai", mode="daily", digest_at="08:00")


@pytest.mark.parametrize(
    ("settings", "queued", "now", "release"),
    [
        (INSTANT, "2026-12-01 12:00", "2026-12-01 12:00", None),
        (QUIET_NIGHT, "2026-12-01 12:00", "2026-12-01 12:00", None),
        (QUIET_NIGHT, "2026-12-01 23:10", "2026-12-01 23:10", "2026-12-02 07:30"),
        (QUIET_NIGHT, "2026-12-02 03:00", "2026-12-02 03:00", "2026-12-02 07:30"),
        (QUIET_NIGHT, "2026-12-01 23:10", "2026-12-02 07:30", None),  # released at the end
        (ChatSettings(quiet_from="13:00", quiet_to="15:00"), "x 14:00", "x 14:00", "x 15:00"),
        (HOURLY, "2026-12-01 12:10", "2026-12-01 12:10", "2026-12-01 13:00"),
        (HOURLY, "2026-12-01 12:10", "2026-12-01 13:00", None),
        (DAILY_8, "2026-12-01 07:59", "2026-12-01 07:59", "2026-12-01 08:00"),
        (DAILY_8, "2026-12-01 08:00", "2026-12-01 08:00", "2026-12-02 08:00"),
        (DAILY_8, "2026-12-01 09:00", "2026-12-01 09:00", "2026-12-02 08:00"),
        (DAILY_8, "2026-12-01 07:00", "2026-12-01 08:00:01", None),
        # 08:00 in Shanghai is 00:00 UTC
        (SHANGHAI, "2026-12-01 20:00", "2026-12-01 20:00", "2026-12-02 00:00"),
        # a digest that falls in quiet hours waits for their end
        (
            ChatSettings(mode="daily", digest_at="06:00", quiet_from="23:00", quiet_to="07:30"),
            "2026-12-01 12:00",
            "2026-12-01 12:00",
            "2026-12-02 07:30",
        ),
    ],
)
def test_release_time(settings: ChatSettings, queued: str, now: str, release: str | None) -> None:
    def moment(text: str) -> datetime:
        return at(text.replace("x ", "2026-12-01 "))

    expected = moment(release) if release else None
    assert release_at(settings, "UTC", moment(queued), moment(now)) == expected


def test_quiet_hours_are_in_the_chats_time_zone() -> None:
    night = ChatSettings(quiet_from="23:00", quiet_to="07:30")
    moment = at("2026-12-01 16:00")  # midnight in Shanghai
    assert in_quiet_hours(night, "Asia/Shanghai", moment)
    assert not in_quiet_hours(night, "UTC", moment)
    chosen = ChatSettings(timezone="Asia/Shanghai", quiet_from="23:00", quiet_to="07:30")
    assert in_quiet_hours(chosen, "UTC", moment)


@pytest.mark.parametrize(
    ("form", "field", "value"),
    [
        ("lang zh-hans", "language", "zh_Hans"),
        ("language zh-TW", "language", "zh_Hant"),
        ("tz Asia/Shanghai", "timezone", "Asia/Shanghai"),
        ("quiet 23:00-07:30", "quiet_to", "07:30"),
        ("quiet 7:05-9.30", "quiet_from", "07:05"),
        ("digest daily 8:00", "digest_at", "08:00"),
        ("digest hourly", "mode", "hourly"),
        ("digest off", "mode", "instant"),
        ("sound off", "sound", False),
        ("length long", "summary_length", 700),
        ("preview on", "link_preview", True),
    ],
)
def test_settings_forms_are_read(form: str, field: str, value: object) -> None:
    changed = read_form(form, ChatSettings())
    assert isinstance(changed, ChatSettings)
    assert getattr(changed, field) == value


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ("lang klingon", "klingon is not a language"),
        ("tz Mars/Olympus", "Mars/Olympus is not a time zone"),
        ("tz ../../etc/passwd", "is not a time zone"),
        ("quiet 25:00-07:00", "Quiet hours are written"),
        ("quiet 07:00-07:00", "Quiet hours are written"),
        ("digest daily", "Digests:"),
        ("digest weekly", "Digests:"),
        ("sound loud", "/settings sound takes on or off"),
        ("length huge", "short (150 characters)"),
        ("colour blue", "There is no setting colour"),
    ],
)
def test_bad_settings_say_what_is_accepted(form: str, says: str) -> None:
    problem = read_form(form, ChatSettings())
    assert isinstance(problem, Msg)
    assert says in EN(problem)
