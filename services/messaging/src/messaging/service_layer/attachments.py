"""Attachments named in a message: uploaded before by the same account, each used in at most one message."""

from uuid import UUID

from konnect_kit.domain_errors import Invalid
from konnect_kit.internal import Caller
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.service_layer.conversations import Draft


async def drafted(session: AsyncSession, who: Caller, text: str, attachment_ids: list[UUID]) -> Draft:
    """The message as it will be stored; attachments are refused until uploads exist."""
    if attachment_ids:
        raise Invalid("unknown_attachment", "No such attachment was uploaded by you.",
                      {"attachment_ids": [str(a) for a in attachment_ids]})
    return Draft(text)
