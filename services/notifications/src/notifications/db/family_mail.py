"""One read for a family's request or absence mail: request lines, names, parents, their channels, the sender."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Query, first
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import JSON, Text, Uuid

from notifications.db.read_models import Parent
from notifications.db.suppressions import Suppression, suppression_of
from notifications.domain.channels import KindChannels, effective
from notifications.domain.mail_texts import Sender

# Why one statement: these were seven round trips in the mail handler's transaction (request, names, parents,
# their channels, the sender, and each parent's suppression), each ~1 ms on a loaded machine, all on the path of
# the request saga (bench/request_saga.py, "mail sender: claimed"). Names cover the ids given and the children
# of the request's own lines (an expiry names only its line ids).
_FACTS = Query(text("""SELECT
  (SELECT json_build_object('kind', r.kind, 'lines', r.lines) FROM requests r WHERE r.request_id = :request_id
  ) AS request,
  (SELECT coalesce(json_agg(json_build_object('child_id', c.child_id, 'first_name', c.first_name)), '[]')
   FROM children c
   WHERE (c.child_id = ANY(:child_ids)
          OR c.child_id IN (SELECT CAST(line ->> 'child_id' AS uuid) FROM requests r, jsonb_array_elements(r.lines) line
                            WHERE r.request_id = :request_id))
     AND c.first_name IS NOT NULL AND NOT c.deleted) AS names,
  (SELECT coalesce(json_agg(json_build_object(
      'account_id', p.account_id, 'email', p.email, 'display_name', p.display_name, 'language', p.language,
      'chosen', CASE WHEN f.account_id IS NOT NULL THEN json_build_object(
                  'email', f.email, 'email_mode', f.email_mode, 'push', f.push, 'in_app', f.in_app) END,
      'suppressed', CASE WHEN s.address IS NOT NULL THEN json_build_object(
                  'address', s.address, 'reason', s.reason, 'detail', s.detail, 'since', s.since) END)
      ORDER BY p.account_id), '[]')
   FROM recipients p
   LEFT JOIN preferences f ON f.account_id = p.account_id AND f.kind = :kind
   LEFT JOIN email_suppressions s ON s.address = lower(p.email)
   WHERE p.role = 'parent' AND p.family_id = :family_id AND p.organisation_id = :organisation_id AND p.active
     AND p.email IS NOT NULL) AS parents,
  (SELECT json_build_object('name', o.name, 'email', o.email, 'logo_url', o.logo_url) FROM organisations o
   WHERE o.organisation_id = :organisation_id) AS sender""").bindparams(
    bindparam("request_id", type_=Uuid), bindparam("child_ids", type_=ARRAY(Uuid)),
    bindparam("kind", type_=Text), bindparam("family_id", type_=Uuid), bindparam("organisation_id", type_=Uuid),
).columns(request=JSON, names=JSON, parents=JSON, sender=JSON))


@dataclass(frozen=True)
class FamilyMailFacts:
    request: tuple[str, dict[UUID, dict[str, Any]]] | None  # (kind, lines by line id); None: never submitted here
    names: dict[UUID, str]  # first names of the children we know (deleted ones and unknown ids left out)
    parents: list[Parent]  # every active parent of the family with an address, by account id
    chosen: dict[UUID, KindChannels]  # each parent's channels for the kind (defaults filled in)
    suppressed: dict[UUID, Suppression | None]  # each parent's address: suppressed (why) or not
    sender: Sender  # plain "Konnect" until the organisation's OrganisationUpserted has been seen


async def family_mail_facts(session: AsyncSession, *, organisation_id: UUID, family_id: UUID, kind: str,
                            child_ids: list[UUID], request_id: UUID | None = None) -> FamilyMailFacts:
    # Driver-level on the unit of work's connection (konnect_kit.db.first): the decision mail's handler runs it on
    # the request saga's path (bench/PROFILE-read-paths.md, round 18).
    row = await first(session, _FACTS, request_id=request_id, child_ids=child_ids, kind=kind, family_id=family_id,
                      organisation_id=organisation_id)
    request = None
    if row.request is not None:
        request = row.request["kind"], {UUID(line["line_id"]): line for line in row.request["lines"]}
    parents, chosen, suppressed = [], {}, {}
    for found in row.parents:
        parent = Parent(UUID(found["account_id"]), found["email"], found["display_name"], found["language"])
        parents.append(parent)
        stored = found["chosen"] or {}
        chosen[parent.account_id] = effective(kind, stored.get("email"), stored.get("email_mode"),
                                              stored.get("push"), stored.get("in_app"))
        suppressed[parent.account_id] = await _suppression(session, parent.email, found["suppressed"])
    sender = Sender(row.sender["name"], row.sender["logo_url"], row.sender["email"]) if row.sender else Sender()
    return FamilyMailFacts(request, {UUID(c["child_id"]): c["first_name"] for c in row.names}, parents, chosen,
                           suppressed, sender)


async def _suppression(session: AsyncSession, address: str, joined: dict[str, Any] | None) -> Suppression | None:
    if not address.isascii() or address != address.strip():
        # The suppression key is Python's strip().lower(); PostgreSQL's lower() agrees on ASCII only.
        return await suppression_of(session, address)
    if joined is None:
        return None
    return Suppression(joined["address"], joined["reason"], joined["detail"], datetime.fromisoformat(joined["since"]))
