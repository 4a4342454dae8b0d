"""Schema migrations: Alembic runs only when the schema is behind."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest

from bot.store import Store
from bot.store.migrate import head_revision, newest_revision, stored_revision

pytestmark = pytest.mark.store


def test_newest_revision_read_from_the_files_is_alembics_head() -> None:
    assert newest_revision() == head_revision()


async def test_a_new_database_is_migrated_to_the_head(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        assert await stored_revision(store._engine) == newest_revision()
    finally:
        await store.close()


async def test_a_start_on_an_up_to_date_database_does_not_import_alembic(
    database_url: str,
) -> None:
    first = await Store.open(database_url)  # creates the schema (imports Alembic here)
    await first.close()
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from bot.store import Store

        async def main():
            store = await Store.open({database_url!r})
            await store.close()

        asyncio.run(main())
        print("alembic" in sys.modules)
        """
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr
