"""Keeps the photo-sharing consent per child current from identity (ConsentChanged, and ChildUpserted's copy)."""

from datetime import UTC, datetime

from konnect_contracts.events.directory import CONSENT_PHOTO_SHARING, ChildUpserted, ConsentChanged
from konnect_kit.consumer import EventContext, Handlers

from timeline.handlers import location_directory
from timeline.service_layer.photo_consent import record_consent


async def consent_changed(ctx: EventContext, event: ConsentChanged) -> None:
    # Only the contract's well-known kind: identity's ChildUpserted.photo_consent (the republish) reads the same
    # key, so a consent under any other key would be honoured here and lost on a republish.
    if event.consent_kind == CONSENT_PHOTO_SHARING:
        await record_consent(ctx.session, event.organisation_id, event.child_id, event.granted, datetime.now(UTC))


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    # The child's record (My location's read model) first; its photo_consent is the state at that version,
    # which a republish of the directory carries to a timeline that missed the ConsentChanged events.
    await location_directory.child_upserted(ctx, event)
    if not event.deleted:
        await record_consent(ctx.session, event.organisation_id, event.child_id, event.photo_consent,
                             datetime.now(UTC), version=event.version)


HANDLERS: Handlers = {ConsentChanged: consent_changed, ChildUpserted: child_upserted}
