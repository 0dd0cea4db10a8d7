"""Several instances on one PostgreSQL: an instance that starts while another one is writing an
import does not take that import for one a killed process left behind."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel

from crm.importing.service import fail_interrupted
from storage.db import Database
from storage.models import ImportStatus
from storage.repositories import imports
from tests.conftest import POSTGRES_URL, fresh_schema
from tests.storage.teams import NOW, admin_and_rep

pytestmark = pytest.mark.postgres


async def test_only_batches_whose_writer_is_gone_are_failed():
    async with fresh_schema() as schema:
        database = Database(POSTGRES_URL, schema=schema)
        try:
            async with database.engine.begin() as connection:
                await connection.run_sync(SQLModel.metadata.create_all)
            async with database.transaction() as session:
                admin, _ = await admin_and_rep(session)
                batches = [
                    await imports.add_batch(
                        session,
                        workspace_id=admin.workspace_id,
                        member_id=admin.id,
                        file_name=f"{name}.xlsx",
                        file_sha256="0" * 64,
                        status=ImportStatus.running,
                        created_at=NOW,
                    )
                    for name in ("alive", "killed")
                ]
            alive, killed = (batch.id for batch in batches)
            async with database.transaction() as writing:  # the other instance's import
                await imports.hold_batch(writing, batch_id=alive)
                failed = await fail_interrupted(database, now=NOW)
                assert [batch.id for batch in failed] == [killed]
            failed = await fail_interrupted(database, now=NOW)  # its writer ended uncommitted
            assert [batch.id for batch in failed] == [alive]
        finally:
            await database.dispose()
