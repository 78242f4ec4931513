"""One event's entries to every channel a parent chose: the inbox, the e-mail now or in the digest, and push
(bursts joined into one pending push, quiet hours held into one summary, urgent kinds excepted)."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from konnect_kit.db import Session

from notifications.db import digest
from notifications.db import inbox as store
from notifications.db.account_settings import settings_of
from notifications.db.audiences import people
from notifications.db.deliveries import hold_push, queue_email, retext_push
from notifications.db.devices import tokens_of
from notifications.db.inbox import InboxRow
from notifications.db.preferences import channels_for
from notifications.db.read_models import child_names, sender_of
from notifications.domain.channels import URGENT_KINDS, KindChannels
from notifications.domain.inbox import COLLAPSING_KINDS, InboxEntry, inbox_text
from notifications.domain.mail_links import MailLinks
from notifications.domain.mail_texts import render_item_mail
from notifications.domain.push_texts import RenderedPush, render_counted, render_message_preview
from notifications.domain.schedule import quiet_until


@dataclass(frozen=True)
class Fanout:
    """What one event's delivery needs besides its entries."""

    event_id: UUID
    now: datetime
    links: MailLinks
    push_enabled: bool = False
    burst_seconds: float = 60.0
    # Request and absence mails have their own rich mail (handlers.requests); other kinds get the item mail.
    mail_immediately: bool = True


async def fan_out(session: Session, entries: list[InboxEntry], how: Fanout,
                  chosen: dict[UUID, KindChannels] | None = None) -> list[InboxRow]:
    """`chosen`: the accounts' channels for this kind, when the caller read them already (one statement less)."""
    if not entries:
        return []
    entries = sorted(entries, key=lambda e: e.account_id)  # the inbox locks accounts in this order (db.inbox.add)
    if chosen is None:
        chosen = await channels_for(session, [e.account_id for e in entries], entries[0].kind)
    stored: list[InboxRow] = []
    for entry in entries:
        choice = chosen[entry.account_id]
        if choice.in_app:
            row = await store.add(session, entry, how.now)
            if row is not None:
                stored.append(row)
        if choice.email == "digest":
            await digest.add(session, entry, how.now)
    immediate = [e for e in entries if chosen[e.account_id].email == "immediate"]
    if how.mail_immediately and immediate:
        await _mail(session, immediate, how)
    if how.push_enabled:
        await _push(session, [e for e in entries if chosen[e.account_id].push], how)
    return stored


async def _mail(session: Session, entries: list[InboxEntry], how: Fanout) -> None:
    who = await people(session, [e.account_id for e in entries])
    names = await child_names(session, (c for e in entries for c in e.child_ids))
    sender = await sender_of(session, entries[0].organisation_id)  # one event, one organisation
    with_preview = await _preview_accounts(session, entries)
    for entry in entries:
        person = who.get(entry.account_id)
        if person is None or not person.email:
            continue
        # Each entry names only this parent's own children (a group photo shows other families' too).
        title = inbox_text(entry.kind, entry.params, 1, [names[c] for c in entry.child_ids if c in names],
                           person.language)
        mail = render_item_mail(display_name=person.display_name, language=person.language, kind=entry.kind,
                                title=title, url=how.links.web(entry.link), settings_url=how.links.settings,
                                sender=sender, preview=entry.preview if entry.account_id in with_preview else "")
        mail = replace(mail, unsubscribe_url=how.links.unsubscribe(entry.account_id, entry.kind))
        await queue_email(session, event_id=how.event_id, recipient=person.email, mail=mail,
                          organisation_id=entry.organisation_id, account_id=entry.account_id)


async def _preview_accounts(session: Session, entries: list[InboxEntry]) -> set[UUID]:
    """The accounts (of those with a preview to show) that chose to see message previews."""
    asking = [e.account_id for e in entries if e.preview]
    if not asking:
        return set()
    return {account for account, chosen in (await settings_of(session, asking)).items() if chosen.message_preview}


def _first_push(entry: InboxEntry, language: str | None, preview: bool) -> RenderedPush:
    if preview and entry.preview:
        return render_message_preview(entry.params.get("sender_name"), entry.preview, language)
    return render_counted(entry.kind, 1, language)


async def _push(session: Session, entries: list[InboxEntry], how: Fanout) -> None:
    """Lock-screen text only: a count and a kind, never a child's name or photo."""
    if not entries:
        return
    accounts = [e.account_id for e in entries]
    devices = await tokens_of(session, accounts)
    zones = await settings_of(session, accounts)
    who = await people(session, accounts)
    for entry in entries:
        account = zones[entry.account_id]
        language = who[entry.account_id].language if entry.account_id in who else None
        quiet_end = None if entry.kind in URGENT_KINDS else quiet_until(
            how.now, account.quiet_start, account.quiet_end, account.time_zone)
        if quiet_end is not None:
            key, due = "quiet", quiet_end  # one summary when the quiet hours end
        elif entry.kind in COLLAPSING_KINDS:
            key, due = f"{entry.kind}:{entry.subject_id}", how.now + timedelta(seconds=how.burst_seconds)
        else:
            key, due = f"event:{how.event_id}", how.now
        for token in devices.get(entry.account_id, []):
            held = await hold_push(session, event_id=how.event_id, device_token=token,
                                   push=_first_push(entry, language, account.message_preview),
                                   organisation_id=entry.organisation_id,
                                   account_id=entry.account_id, due_at=due, collapse_key=key)
            if held.count > 1:
                await retext_push(session, held, render_counted(held.kind, held.count, language))
