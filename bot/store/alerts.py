"""Dead-feed alerts: which feeds have failed long enough to tell the admins, and which of
those work again. Each alert is claimed in the transaction that finds it (one replica
sends it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import feeds

#: a feed is alerted about at most this often
ALERT_EVERY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FeedAlert:
    feed_id: int
    url: str
    name: str
    recovered: bool  #: False: it fails; True: it works again after an alert
    since: datetime  #: when the failure began (as first seen)
    last_error: str | None


async def claim_alerts(
    connection: AsyncConnection, now: datetime, alert_after: timedelta
) -> list[FeedAlert]:
    """Feeds failing for ``alert_after`` (no open alert, none in the last day) and feeds
    that recovered after an alert; both marked as told."""
    followed = and_(feeds.c.configured == true(), feeds.c.paused == false())
    await connection.execute(  # a new failure: when it started (its latest error so far)
        update(feeds)
        .where(followed, feeds.c.error_count > 0, feeds.c.failing_since.is_(None))
        .values(failing_since=feeds.c.last_error_at)
    )
    columns = (
        feeds.c.id,
        feeds.c.url,
        feeds.c.name,
        feeds.c.title,
        feeds.c.failing_since,
        feeds.c.alert_open,
        feeds.c.last_error,
    )
    recovered = (
        await connection.execute(
            select(*columns).where(
                followed, feeds.c.error_count == 0, feeds.c.failing_since.is_not(None)
            )
        )
    ).all()
    if recovered:
        await connection.execute(
            update(feeds)
            .where(feeds.c.id.in_([row.id for row in recovered]))
            .values(failing_since=None, alert_open=False)
        )
    failing = (
        await connection.execute(
            select(*columns).where(
                followed,
                feeds.c.error_count > 0,
                feeds.c.failing_since <= now - alert_after,
                feeds.c.alert_open == false(),
                or_(feeds.c.alerted_at.is_(None), feeds.c.alerted_at <= now - ALERT_EVERY),
            )
        )
    ).all()
    if failing:
        await connection.execute(
            update(feeds)
            .where(feeds.c.id.in_([row.id for row in failing]))
            .values(alerted_at=now, alert_open=True)
        )
    told = [(row, True) for row in recovered if row.alert_open] + [(row, False) for row in failing]
    return [
        FeedAlert(
            feed_id=row.id,
            url=row.url,
            name=row.name or row.title or row.url,
            recovered=is_recovery,
            since=row.failing_since,
            last_error=row.last_error,
        )
        for row, is_recovery in told
    ]
