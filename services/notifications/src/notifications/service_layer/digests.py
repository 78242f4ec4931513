"""The daily digest: at each parent's chosen local time, one mail listing everything since the previous one;
nothing when nothing waits. Sent once: the items are marked with the digest that listed them in the same
transaction that queues the mail, whose delivery id comes from the account and the digest time."""

import uuid
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session

from notifications.db import digest
from notifications.db.account_settings import digest_sent, settings_of
from notifications.db.audiences import people
from notifications.db.deliveries import queue_email
from notifications.db.digest import WaitingItem
from notifications.db.read_models import child_names, sender_of
from notifications.domain.inbox import inbox_text
from notifications.domain.mail_links import DIGEST_KIND, MailLinks
from notifications.domain.mail_texts import render_digest
from notifications.domain.schedule import next_digest_at

_DIGEST_NAMESPACE = uuid.UUID("6f1d7b0e-9a53-4c1e-8a0f-2f6c2d1e5b11")


async def due_accounts(session: Session, now: datetime) -> list[tuple[UUID, datetime]]:
    """(account, digest time) for every account whose digest time passed since its oldest waiting item."""
    waiting = await digest.accounts_waiting(session)
    chosen = await settings_of(session, list(waiting))
    due = []
    for account, oldest in waiting.items():
        setting = chosen[account]
        after = max(oldest, setting.last_digest_at) if setting.last_digest_at else oldest
        at = next_digest_at(after, setting.digest_at, setting.time_zone)
        if at <= now:
            due.append((account, at))
    return due


async def send_digest(session: Session, account_id: UUID, at: datetime, *, links: MailLinks) -> bool:
    """Queue the digest due `at` for one account; False when another instance took the items, or none wait."""
    items = await digest.waiting(session, account_id, at)
    if not items:
        return False
    person = (await people(session, [account_id])).get(account_id)
    digest_id = uuid.uuid5(_DIGEST_NAMESPACE, f"{account_id}/{at.isoformat()}")
    await digest.mark_listed(session, [i.digest_item_id for i in items], digest_id)
    await digest_sent(session, account_id, at)
    if person is None or not person.email:
        return False  # no address (left, or no login any more): the items are done with all the same
    names = await child_names(session, (c for i in items for c in i.child_ids))
    # One line per item as the inbox shows it: ten photos of a series are "10 new photos of Sem".
    grouped: dict[str, list[WaitingItem]] = {}
    for item in items:
        grouped.setdefault(item.link, []).append(item)
    lines = [inbox_text(same[-1].kind, same[-1].params, len(same),
                        [names[c] for c in dict.fromkeys(c for i in same for c in i.child_ids) if c in names],
                        person.language) for same in grouped.values()]
    mail = render_digest(display_name=person.display_name, language=person.language, lines=lines,
                         web_base_url=links.web_base_url, settings_url=links.settings,
                         sender=await sender_of(session, items[0].organisation_id))
    mail = replace(mail, unsubscribe_url=links.unsubscribe(account_id, DIGEST_KIND))
    await queue_email(session, event_id=digest_id, recipient=person.email, mail=mail,
                      organisation_id=items[0].organisation_id, account_id=account_id)
    return True
