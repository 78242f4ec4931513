"""Delivery hygiene for e-mail: bounce and complaint reports stop mail to an address; the parent sees why and can
ask to be mailed again (after fixing their mailbox)."""

from typing import Literal
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden

from notifications.db.audiences import people
from notifications.db.suppressions import Suppression, lift, suppress, suppression_of

ReportKind = Literal["bounce", "complaint"]
_REASONS = {"bounce": "bounced", "complaint": "complained"}


async def report(session: Session, role: str, address: str, kind: ReportKind, detail: str | None) -> Suppression:
    """A bounce or complaint from the mail provider (relayed by the operator's tooling): no more mail goes there."""
    if role != "platform_operator":
        raise Forbidden("forbidden", "Only the platform operator reports bounces and complaints.")
    await suppress(session, address, reason=_REASONS[kind], detail=detail)
    found = await suppression_of(session, address)
    assert found is not None  # written just above, in this transaction
    return found


async def email_problem(session: Session, account_id: UUID) -> tuple[str, Suppression] | None:
    """(address, why) when this account's address is no longer mailed."""
    person = (await people(session, [account_id])).get(account_id)
    if person is None or not person.email:
        return None
    found = await suppression_of(session, person.email)
    return (person.email, found) if found else None


async def mail_me_again(session: Session, account_id: UUID) -> None:
    """The parent fixed their mailbox: try it again (a new bounce marks it again). Without a problem: nothing."""
    problem = await email_problem(session, account_id)
    if problem is not None:
        await lift(session, problem[0])
