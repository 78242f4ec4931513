"""The photo-sharing consent read model: written from identity's events, read when deciding who sees a photo."""

from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session

from timeline.db import settings_queries as queries


async def record_consent(session: Session, organisation_id: UUID, child_id: UUID, granted: bool,
                         now: datetime, *, version: int | None = None) -> None:
    if version is not None:
        # A ChildUpserted older than the child record we hold (a late duplicate) must not undo a newer answer.
        held = await queries.child_version(session, child_id)
        if held is not None and held > version:
            return
    await queries.put_consent(session, organisation_id, child_id, granted, now)
