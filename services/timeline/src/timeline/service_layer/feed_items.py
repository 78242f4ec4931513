"""The feed read model's use cases: which family to build next, and building it.

A family's feed items are a function of its tags, the photo rule's consents, the photos and their media, the series
and its diary (nothing depends on who reads them or when), so they are found ahead by `timeline.feed_builder` and
kept valid by triggers (migration 0009); the feed reads them in one short statement and finds them live otherwise
(`db.feed_read.family_page`).
"""

from uuid import UUID

from konnect_kit.db import Session

from timeline.db import feed_items as store

# A family's newest items stored: the first page of any size (50 at most) and the unseen count (up to 100) are
# answered from them; an older page is found live.
STORED = 100
# Families looked at per pass of the queue (the first one no other builder has is built).
_CANDIDATES = 20


async def next_family(session: Session) -> UUID | None:
    """The next family to build, taken for this unit of work (its marks of this snapshot gone), if any."""
    for family_id in await store.candidates(session, _CANDIDATES):
        if await store.take(session, family_id):
            return family_id
    return None


async def build(session: Session, family_id: UUID) -> int:
    """Store the family's newest items; how many it has (up to STORED + 1)."""
    return await store.build(session, family_id, STORED)


async def set_aside(session: Session, family_id: UUID) -> None:
    await store.set_aside(session, family_id)
