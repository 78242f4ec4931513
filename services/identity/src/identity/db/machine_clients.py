"""ERP client statements: credentials of machine clients, their secrets stored as hashes."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import machine_clients


@dataclass(frozen=True)
class MachineClient:
    client_id: str
    organisation_id: UUID
    secret_hash: str


async def active_client(session: AsyncSession, client_id: str) -> MachineClient | None:
    """The client unless it is unknown or revoked."""
    row = (await session.execute(select(
        machine_clients.c.client_id, machine_clients.c.organisation_id, machine_clients.c.secret_hash,
    ).where(machine_clients.c.client_id == client_id, machine_clients.c.revoked_at.is_(None)))).first()
    return MachineClient(**row._mapping) if row else None


async def add_client(session: AsyncSession, *, client_id: str, organisation_id: UUID, name: str,
                     secret_hash: str) -> None:
    await session.execute(machine_clients.insert().values(
        client_id=client_id, organisation_id=organisation_id, name=name, secret_hash=secret_hash))
