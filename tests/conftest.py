"""Shared fixtures: a real database per test, the corpus location, a fixed clock.

Database backend: SQLite files by default. With ``FEEDBOT_TEST_BACKEND=postgresql`` and
``TEST_POSTGRES_URL`` (a server URL whose user may CREATE DATABASE), each test gets a fresh
PostgreSQL database instead; `.ci/run` runs the storage and end-to-end tests that way too.
"""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as bot.tg sets it for the bot itself
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Bot

from bot.store import Store
from tests.fakebotapi import FakeBotAPI

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FEEDBOT_SHARED") or REPO.parent / "shared")
CORPUS = SHARED / "corpus"

BACKEND = os.environ.get("FEEDBOT_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not CORPUS.is_dir():
        skip = pytest.mark.skip(reason="../shared/corpus is absent")
        for item in items:
            if "corpus" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """python-telegram-bot's own client against the test module's ``api`` fixture."""
    base = api.base_url
    async with Bot(api.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot") as client:
        yield client


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


async def _create_pg_database(server_url: str) -> tuple[str, str]:
    import asyncpg  # only the PostgreSQL mode needs it directly

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = server_url.rpartition("/")
    return name, f"{base}/{name}"


async def _drop_pg_database(server_url: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for attempt in range(20):
            try:
                # A plain DROP waits out an autovacuum worker in the database itself;
                # WITH (FORCE) would have to signal it, which only a superuser may do.
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except asyncpg.exceptions.ObjectInUseError:
                # sessions left by the test (a killed bot's, a pool not yet closed): ours
                # to end
                try:
                    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    return
                except asyncpg.exceptions.InsufficientPrivilegeError:
                    pass  # an autovacuum worker arrived in the meantime: try again
            await asyncio.sleep(0.1 * (attempt + 1))
        # left behind on the test server (not the test's failure; filterwarnings=error)
        print(f"test database {name} could not be dropped", file=sys.stderr)
    finally:
        await admin.close()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database URL nobody else uses: a new SQLite file, or a new PostgreSQL database."""
    if BACKEND != "postgresql":
        yield f"sqlite:///{tmp_path / 'transmission.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("FEEDBOT_TEST_BACKEND=postgresql needs TEST_POSTGRES_URL")
    name, url = asyncio.run(_create_pg_database(POSTGRES_URL))
    try:
        yield url
    finally:
        asyncio.run(_drop_pg_database(POSTGRES_URL, name))


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()
