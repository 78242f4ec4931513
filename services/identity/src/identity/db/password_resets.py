"""The queue of "send a reset link to this address" requests that identity.reset_worker works off."""

from konnect_kit.wakeup import notify
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import password_reset_requests

# PostgreSQL NOTIFY channel that wakes identity.reset_worker when a reset request is queued.
RESET_REQUESTS_CHANNEL = "identity_reset_requests"


async def queue_reset_request(session: AsyncSession, email_normalized: str, correlation_id: str | None) -> None:
    """The same two statements for every address, known or not (the answer must not tell which)."""
    await session.execute(password_reset_requests.insert().values(
        email_normalized=email_normalized, correlation_id=correlation_id))
    await notify(session, RESET_REQUESTS_CHANNEL)
