"""Child pages: who may see a child (never a 403: a stranger must not learn it exists), consents and their changes."""

from datetime import date
from typing import Any
from uuid import UUID

from konnect_contracts.events.directory import ConsentChanged
from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox

from identity.db import directory_records as records
from identity.db.queries import ChildRecord, child_record, child_summaries, organisation_today
from identity.domain.directory import child_visible, is_active, label, not_ended, pick_language
from identity.service_layer.directory import upsert_record


def _not_found() -> NotFound:
    return NotFound("not_found", "No such child.")


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def _works_with_child(session: Session, staff_id: UUID, child: ChildRecord, today: date) -> bool:
    """The child's mentor, or active staff on a group the child is (or will be) placed on."""
    if child.mentor_staff_id == staff_id:
        return True
    ends = await records.placement_ends_with_staff(session, staff_id, child.child_id)
    return any(not_ended(ends_on, today) for ends_on in ends)


async def visible_child(session: Session, who: Caller, child_id: UUID) -> tuple[ChildRecord, date]:
    """The child and its organisation's today, if the caller may see it; NotFound otherwise."""
    child = await child_record(session, child_id)
    if child is None:
        raise _not_found()
    today = await organisation_today(session, child.organisation_id)
    actor = _uuid_or_none(who.actor_id)
    parent_of_family = who.role == "parent" and actor is not None and await records.is_parent_in_family(
        session, actor, child.family_id)
    works_with_child = who.role == "staff" and actor is not None and await _works_with_child(
        session, actor, child, today
    )
    if not child_visible(who.role, caller_organisation_id=who.organisation_id,
                         child_organisation_id=str(child.organisation_id), parent_of_family=parent_of_family,
                         works_with_child=works_with_child):
        raise _not_found()  # never 403: a stranger must not learn that this child exists
    return child, today


async def language(session: Session, who: Caller, accept_language: str | None) -> str:
    actor = _uuid_or_none(who.actor_id) if who.role == "parent" else None
    own = await records.language_of_parent(session, actor) if actor else None
    return pick_language(own, accept_language)


async def consents_of(session: Session, child: ChildRecord, language: str) -> list[dict[str, Any]]:
    """Every kind the organisation asks about, answered or not."""
    return [
        {"key": r["key"], "kind": r["kind"], "label": label(r["label_nl"], r["label_en"], language),
         "labels": {"nl": r["label_nl"], "en": r["label_en"]}, "granted": r["granted"],
         "changed_at": r["changed_at"]}
        for r in await records.consent_answers(session, child.organisation_id, child.child_id)
    ]


async def child_page(session: Session, who: Caller, child_id: UUID,
                     accept_language: str | None) -> dict[str, Any]:
    child, today = await visible_child(session, who, child_id)
    summary = (await child_summaries(session, [child], today))[0]
    family_name = await records.family_name(session, child.family_id)
    current: dict[str, dict] = {}
    for placement in summary["placements"]:
        ends_on = date.fromisoformat(placement["ends_on"]) if placement["ends_on"] else None
        if is_active(date.fromisoformat(placement["starts_on"]), ends_on, today):
            current[placement["group"]["group_id"]] = {**placement["group"], "location": placement["location"]}
    chosen = await language(session, who, accept_language)
    return {
        **summary,
        "family": {"family_id": str(child.family_id), "name": family_name},
        "groups": list(current.values()),
        "consents": await consents_of(session, child, chosen),
    }


async def child_consents(session: Session, who: Caller, child_id: UUID,
                         accept_language: str | None) -> list[dict[str, Any]]:
    child, _ = await visible_child(session, who, child_id)
    return await consents_of(session, child, await language(session, who, accept_language))


async def set_consent(session: Session, outbox: Outbox, who: Caller, child_id: UUID, kind: str, granted: bool,
                      accept_language: str | None) -> dict[str, Any]:
    """Record a parent's (or the organisation's) answer; a real change publishes `ConsentChanged`."""
    child, _ = await visible_child(session, who, child_id)
    if who.role == "staff":
        # Staff may read a child's consents; granting them is for the parents and the organisation.
        raise Forbidden("forbidden", "Consents are set by the child's parents or the organisation.")
    if not await records.consent_kind_exists(session, child.organisation_id, kind):
        raise Invalid("unknown_consent_kind", f"This organisation does not ask for consent {kind!r}.",
                      {"kind": kind})
    org = child.organisation_id
    done = await upsert_record(session, "consent", {"child_id": child_id, "kind_key": kind}, org,
                               {"granted": granted}, stamp={"changed_by": who.actor_id or who.role},
                               stamp_now=("changed_at",))
    if done.changed:
        account = _uuid_or_none(who.actor_id) if who.role in ("parent", "staff", "org_admin") else None
        event = ConsentChanged(organisation_id=org, child_id=child_id, family_id=child.family_id, consent_kind=kind,
                               granted=granted, changed_by_account_id=account)
        await outbox.publish(session, event, organisation_id=org)
    chosen = await language(session, who, accept_language)
    return next(c for c in await consents_of(session, child, chosen) if c["key"] == kind)
