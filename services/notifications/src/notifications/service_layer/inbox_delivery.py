"""Turns posted content, messages and request outcomes into inbox items for every account they concern."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from konnect_contracts.events.messaging import MessageSent
from konnect_contracts.events.timeline import (
    DiaryEntryPosted,
    NewsletterPublished,
    NewsPublished,
    ObservationShared,
    PhotoPosted,
)
from konnect_kit.db import Session

from notifications.db.audiences import parents_in, parents_of_children
from notifications.db.inbox import InboxRow
from notifications.domain.channels import KindChannels
from notifications.domain.inbox import InboxEntry
from notifications.service_layer.fanout import Fanout, fan_out


async def deliver(session: Session, entries: Iterable[InboxEntry], how: Fanout,
                  chosen: dict[UUID, KindChannels] | None = None) -> list[InboxRow]:
    """Each entry to the inbox (bursts collapsed, duplicates dropped) and the other channels the parent chose;
    the inbox rows that are new or moved up."""
    return await fan_out(session, list(entries), how, chosen)


async def _about_children(session: Session, *, organisation_id: UUID, kind: str, subject_id: UUID,
                          child_ids: Iterable[UUID], params: dict[str, Any],
                          skip: UUID | None = None) -> list[InboxEntry]:
    # Each parent hears only about its own children of the list (a group photo names other families' too).
    parents = await parents_of_children(session, child_ids)
    return [InboxEntry(account_id=account, organisation_id=organisation_id, kind=kind, subject_id=subject_id,
                       child_ids=kids, params=params)
            for account, kids in parents.items() if account != skip]


async def photo_posted(session: Session, event: PhotoPosted, how: Fanout) -> list[InboxRow]:
    # A series is one item that counts up: "10 new photos of Sem", not ten lines.
    subject = event.series_id or event.photo_id
    entries = await _about_children(session, organisation_id=event.organisation_id, kind="photo_posted",
                                    subject_id=subject, child_ids=event.child_ids,
                                    params={"media_kind": event.media_kind, "photo_id": str(event.photo_id)})
    return await deliver(session, entries, how)


async def diary_entry_posted(session: Session, event: DiaryEntryPosted, how: Fanout) -> list[InboxRow]:
    # The parent who wrote the entry does not need to be told about it.
    entries = await _about_children(session, organisation_id=event.organisation_id, kind="diary_entry_posted",
                                    subject_id=event.entry_id, child_ids=[event.child_id], params={},
                                    skip=event.author_account_id)
    return await deliver(session, entries, how)


async def observation_shared(session: Session, event: ObservationShared, how: Fanout) -> list[InboxRow]:
    entries = await _about_children(session, organisation_id=event.organisation_id, kind="observation_shared",
                                    subject_id=event.observation_id, child_ids=[event.child_id],
                                    params={"form_title": event.form_title})
    return await deliver(session, entries, how)


async def published(session: Session, event: NewsPublished | NewsletterPublished, how: Fanout
                    ) -> list[InboxRow]:
    kind, subject = (("news_published", event.news_id) if isinstance(event, NewsPublished)
                      else ("newsletter_published", event.newsletter_id))
    # Older producers name only the location; the audience (when given) says organisation / location / group.
    if event.audience == "organisation":
        accounts = await parents_in(session, organisation_id=event.organisation_id, today=how.now.date())
    elif event.audience == "group" and event.audience_id is not None:
        accounts = await parents_in(session, organisation_id=event.organisation_id, group_id=event.audience_id,
                                    today=how.now.date())
    else:
        accounts = await parents_in(session, organisation_id=event.organisation_id, location_id=event.location_id,
                                    today=how.now.date())
    entries = [InboxEntry(account_id=a, organisation_id=event.organisation_id, kind=kind, subject_id=subject,
                          child_ids=(), params={"title": event.title}) for a in accounts]
    return await deliver(session, entries, how)


async def message_sent(session: Session, event: MessageSent, how: Fanout) -> list[InboxRow]:
    # One unread item per conversation: a burst of messages counts up instead of adding lines.
    params = {"subject": event.subject, "sender_name": event.sender_name,
              "message_id": str(event.message_id)}
    child_ids = (event.child_id,) if event.child_id else ()
    entries = [InboxEntry(account_id=a, organisation_id=event.organisation_id, kind="message_sent",
                          subject_id=event.conversation_id, child_ids=child_ids, params=params,
                          preview=event.preview)
               for a in dict.fromkeys(event.recipient_account_ids) if a != event.sender_account_id]
    return await deliver(session, entries, how)


async def about_family(session: Session, *, organisation_id: UUID, accounts: Iterable[UUID], kind: str,
                       subject_id: UUID, child_ids: Iterable[UUID], params: dict[str, Any], how: Fanout,
                       chosen: dict[UUID, KindChannels] | None = None) -> list[InboxRow]:
    """Request outcomes, expiries and absences: one item for each parent of the family."""
    kids = tuple(sorted(set(child_ids)))
    entries = [InboxEntry(account_id=a, organisation_id=organisation_id, kind=kind, subject_id=subject_id,
                          child_ids=kids, params=params) for a in accounts]
    return await deliver(session, entries, how, chosen)
