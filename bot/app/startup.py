"""What `run` and `poll --once` do first: logging set up, the store opened and synced."""

from __future__ import annotations

import os

from bot.app.settings import channel_specs, config_topic_names, feed_specs
from bot.clock import utcnow
from bot.config.load import ENV_LOG_LEVEL
from bot.config.schema import Config
from bot.logs import setup_logging
from bot.store import Store


def configure_logging(config: Config, default_level: str = "INFO") -> None:
    setup_logging(
        os.environ.get(ENV_LOG_LEVEL, default_level),
        secrets=config.secrets(),
        as_json=os.environ.get("FEEDBOT_LOG_FORMAT", "").lower() == "json",
    )


async def open_store(config: Config) -> Store:
    """Open the database, migrate it, and bring feeds and channels in line with the config."""
    store = await Store.open(config.database.url)
    now = utcnow()
    await store.sync_feeds(feed_specs(config), now)
    await store.sync_channels(channel_specs(config), now)
    await store.adopt_spellings(config_topic_names(config))
    return store
