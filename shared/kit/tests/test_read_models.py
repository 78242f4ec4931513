"""The shared read-model upsert: newer versions win, an older or equal one arriving late changes nothing."""

from konnect_kit.db import Database
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Text, func, select, text

metadata = MetaData()
rows = Table("kit_read_model_probe", metadata, Column("id", Integer, primary_key=True), Column("name", Text),
             Column("deleted", Boolean, nullable=False), Column("version", Integer, nullable=False),
             Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()))


async def test_versions_only_move_forward_and_a_tombstone_stays(fresh_database):
    database = Database(fresh_database)
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

        async def apply(version: int, name: str, deleted: bool = False) -> None:
            async with database.transaction() as session:
                await upsert_if_newer(session, rows, {"id": 1}, {"name": name, "deleted": deleted,
                                                                  "version": version})

        async def state() -> tuple[str, bool, int]:
            async with database.transaction() as session:
                row = (await session.execute(select(rows.c.name, rows.c.deleted, rows.c.version))).one()
                return row.name, row.deleted, row.version

        await apply(2, "two")
        await apply(1, "late and older")
        assert await state() == ("two", False, 2)
        await apply(2, "same version again")
        assert await state() == ("two", False, 2)
        await apply(3, "three", deleted=True)
        await apply(2, "a replay must not revive it")
        assert await state() == ("three", True, 3)
        async with database.transaction() as session:  # the update stamped the row
            assert await session.scalar(text("SELECT updated_at > now() - interval '1 minute' "
                                             "FROM kit_read_model_probe"))
    finally:
        await database.dispose()
