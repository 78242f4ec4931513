"""Request and absence mail from planning: one mail per parent of the family, in that parent's language."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from konnect_contracts.events.requests import AbsenceReported, RequestDecided, RequestExpired, RequestSubmitted
from konnect_kit.consumer import EventContext, Handlers

from notifications.clock import Clock
from notifications.db.deliveries import queue_email
from notifications.db.family_mail import FamilyMailFacts, family_mail_facts
from notifications.db.read_models import Parent, remember_request
from notifications.domain.inbox import deep_link
from notifications.domain.mail_texts import (
    ChildLine,
    RenderedMail,
    Sender,
    render_absence_reported,
    render_request_decided,
    render_request_expired,
)
from notifications.service_layer.fanout import Fanout
from notifications.service_layer.inbox_delivery import about_family
from notifications.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailContext:
    """What every parent's mail about one event shares: the item's link, the settings page, the sender."""

    link: str
    settings_url: str
    sender: Sender

    def parts(self) -> dict[str, Any]:
        return {"link": self.link, "settings_url": self.settings_url, "sender": self.sender}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _child_line(child_id: UUID, names: dict[UUID, str], stored: dict[str, Any] | None, **outcome: Any) -> ChildLine:
    # `stored` is the line as RequestSubmitted had it; without it the mail names the child but no dates.
    stored = stored or {}
    return ChildLine(child_name=names.get(child_id), starts_on=_date(stored.get("starts_on")),
                     ends_on=_date(stored.get("ends_on")), give_up_date=_date(stored.get("give_up_date")), **outcome)


async def _mail_parents(ctx: EventContext, facts: FamilyMailFacts, *, organisation_id: UUID, family_id: UUID,
                        what: str, render: Callable[[Parent, "MailContext"], RenderedMail], settings: Settings,
                        clock: Clock, subject_id: UUID, child_ids: Sequence[UUID], params: dict[str, Any]) -> None:
    """The inbox item, the mail (now or in the digest) and the push, as each parent of the family chose."""
    parents = facts.parents
    if not parents:
        # Nobody to address (yet): the directory upsert of the parents has not arrived, or they have no login.
        log.warning("no parent to mail", extra={"what": what, "family_id": str(family_id),
                                                 "event_id": str(ctx.envelope.event_id)})
    links = settings.mail_links()
    how = Fanout(event_id=ctx.envelope.event_id, now=clock.now(), push_enabled=settings.push_enabled,
                 burst_seconds=settings.push_burst_seconds, links=links,
                 mail_immediately=False)  # this kind has its own mail, below
    await about_family(ctx.session, organisation_id=organisation_id, accounts=[p.account_id for p in parents],
                       kind=what, subject_id=subject_id, child_ids=child_ids, params=params, how=how,
                       chosen=facts.chosen)
    wanted = {account for account, channels in facts.chosen.items() if channels.email == "immediate"}  # no digest
    context = MailContext(link=links.web(deep_link(what, subject_id)), settings_url=links.settings,
                          sender=facts.sender)
    for parent in (p for p in parents if p.account_id in wanted):  # the others chose the digest or no mail
        mail = replace(render(parent, context), unsubscribe_url=links.unsubscribe(parent.account_id, what))
        # Keyed by event and address in the deliveries table: a redelivered event never mails twice.
        await queue_email(ctx.session, event_id=ctx.envelope.event_id, recipient=parent.email, mail=mail,
                          organisation_id=organisation_id, account_id=parent.account_id,
                          suppressed=facts.suppressed[parent.account_id])


async def request_submitted(ctx: EventContext, event: RequestSubmitted) -> None:
    lines = [{"line_id": str(line.line_id), "child_id": str(line.child_id), "starts_on": line.starts_on.isoformat(),
              "ends_on": line.ends_on.isoformat(),
              "give_up_date": line.give_up_date.isoformat() if line.give_up_date else None}
             for line in event.lines]
    await remember_request(ctx.session, request_id=event.request_id, organisation_id=event.organisation_id,
                           family_id=event.family_id, kind=event.kind, lines=lines)


async def request_decided(ctx: EventContext, event: RequestDecided, *, settings: Settings,
                          clock: Clock) -> None:
    child_ids = [o.child_id for o in event.outcomes]
    facts = await family_mail_facts(ctx.session, organisation_id=event.organisation_id, family_id=event.family_id,
                                    kind="request_decided", child_ids=child_ids, request_id=event.request_id)
    kind, stored = facts.request or (None, {})
    lines: Sequence[ChildLine] = [
        _child_line(o.child_id, facts.names, stored.get(o.line_id), outcome=o.outcome, reason=o.reason)
        for o in event.outcomes
    ]
    await _mail_parents(ctx, facts, organisation_id=event.organisation_id, family_id=event.family_id,
                        what="request_decided",
                        render=lambda p, c: render_request_decided(display_name=p.display_name, language=p.language,
                                                                   request_kind=kind, lines=lines, **c.parts()),
                        settings=settings, clock=clock, subject_id=event.request_id, child_ids=child_ids,
                        params={"accepted": sum(o.outcome == "accepted" for o in event.outcomes),
                                "refused": sum(o.outcome != "accepted" for o in event.outcomes)})


async def request_expired(ctx: EventContext, event: RequestExpired, *, settings: Settings,
                          clock: Clock) -> None:
    # The names of the event's children and of the stored request's (the statement reads both).
    facts = await family_mail_facts(ctx.session, organisation_id=event.organisation_id, family_id=event.family_id,
                                    kind="request_expired", child_ids=list(event.child_ids),
                                    request_id=event.request_id)
    kind, stored = facts.request or (None, {})
    expired = [stored[line_id] for line_id in event.expired_line_ids if line_id in stored]
    if expired:
        child_ids = [UUID(line["child_id"]) for line in expired]
    else:
        # RequestSubmitted not seen: the event's own child list still lets us name the children.
        child_ids, expired = list(event.child_ids), [None] * len(event.child_ids)
    lines = [_child_line(child_id, facts.names, line) for child_id, line in zip(child_ids, expired, strict=True)]
    await _mail_parents(ctx, facts, organisation_id=event.organisation_id, family_id=event.family_id,
                        what="request_expired",
                        render=lambda p, c: render_request_expired(display_name=p.display_name, language=p.language,
                                                                   request_kind=kind, lines=lines, **c.parts()),
                        settings=settings, clock=clock, subject_id=event.request_id, child_ids=child_ids,
                        params={})


async def absence_reported(ctx: EventContext, event: AbsenceReported, *, settings: Settings,
                           clock: Clock) -> None:
    facts = await family_mail_facts(ctx.session, organisation_id=event.organisation_id, family_id=event.family_id,
                                    kind="absence_reported", child_ids=[event.child_id])
    line = ChildLine(child_name=facts.names.get(event.child_id), starts_on=event.starts_on, ends_on=event.ends_on)
    await _mail_parents(ctx, facts, organisation_id=event.organisation_id, family_id=event.family_id,
                        what="absence_reported",
                        render=lambda p, c: render_absence_reported(display_name=p.display_name, language=p.language,
                                                                    line=line, reason=event.reason, note=event.note,
                                                                    **c.parts()),
                        settings=settings, clock=clock, subject_id=event.absence_id,
                        child_ids=[event.child_id], params={"reason": event.reason})


def handlers(settings: Settings, clock: Clock | None = None) -> Handlers:
    # Without FCM credentials nothing is queued for push (Fanout.push_enabled).
    push = {"settings": settings, "clock": clock or Clock()}
    return {RequestSubmitted: request_submitted, RequestDecided: partial(request_decided, **push),
            RequestExpired: partial(request_expired, **push), AbsenceReported: partial(absence_reported, **push)}
