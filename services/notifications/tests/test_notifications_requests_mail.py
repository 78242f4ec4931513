"""Request and absence mail end to end inside the service: planning events → one mail per parent → mailpit."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from konnect_contracts.events.directory import ChildUpserted, ParentUpserted
from konnect_contracts.events.requests import (
    AbsenceReported,
    LineOutcome,
    RequestDecided,
    RequestExpired,
    RequestLine,
    RequestSubmitted,
)
from konnect_devstack.pytest_plugin import eventually

WED = date(2026, 3, 11)


@dataclass
class Family:
    organisation_id: UUID
    family_id: UUID
    dutch_parent: str  # e-mail addresses
    english_parent: str
    children: dict[str, UUID]  # first name → child id


async def known_family(env: Any, *, with_children: bool = True) -> Family:
    """Two parents (Dutch and English) and two children, published and waited for in the read models."""
    org, family_id = uuid.uuid4(), uuid.uuid4()
    family = Family(org, family_id, env.address(), env.address(), {"Noor": uuid.uuid4(), "Sem": uuid.uuid4()})
    events: list[Any] = [
        ParentUpserted(organisation_id=org, version=1, account_id=uuid.uuid4(), family_id=family_id, name="Anne",
                       email=family.dutch_parent, language="nl"),
        ParentUpserted(organisation_id=org, version=1, account_id=uuid.uuid4(), family_id=family_id, name="Emma",
                       email=family.english_parent, language="en"),
    ]
    if with_children:
        events += [ChildUpserted(organisation_id=org, version=1, child_id=child_id, family_id=family_id,
                                 first_name=name, last_name="de Vries", birth_date=date(2022, 6, 14))
                   for name, child_id in family.children.items()]
    await env.publish(*(env.wrap(e) for e in events))

    # Directory and planning are different topics with no order between them: wait until the read models
    # have the family, so the mail below is rendered with everything known.
    async def settled() -> bool:
        parents = await env.fetch("SELECT 1 FROM recipients WHERE family_id = $1", family_id)
        kids = await env.fetch("SELECT 1 FROM children WHERE family_id = $1", family_id)
        return len(parents) == 2 and len(kids) == (2 if with_children else 0)

    await eventually(settled)
    return family


def submitted(family: Family) -> RequestSubmitted:
    return RequestSubmitted(
        request_id=uuid.uuid4(), organisation_id=family.organisation_id, family_id=family.family_id,
        kind="extra_day", submitted_by_account_id=uuid.uuid4(),
        lines=tuple(RequestLine(line_id=uuid.uuid4(), child_id=child_id, group_id=uuid.uuid4(), starts_on=WED,
                                ends_on=WED, day_part_ids=(uuid.uuid4(),))
                    for child_id in family.children.values()),
    )


def decided(request: RequestSubmitted) -> RequestDecided:
    noor, sem = request.lines
    return RequestDecided(request_id=request.request_id, organisation_id=request.organisation_id,
                          family_id=request.family_id, outcomes=(
                              LineOutcome(line_id=noor.line_id, child_id=noor.child_id, outcome="accepted"),
                              LineOutcome(line_id=sem.line_id, child_id=sem.child_id, outcome="rejected",
                                          reason="Groep vol")))


def absence(family: Family) -> AbsenceReported:
    return AbsenceReported(absence_id=uuid.uuid4(), organisation_id=family.organisation_id,
                           family_id=family.family_id, child_id=family.children["Noor"], starts_on=WED, ends_on=WED,
                           reason="sick")


async def mails(mailpit: Any, address: str, count: int) -> list[dict[str, Any]]:
    found = await eventually(lambda: (lambda m: m if len(m) >= count else None)(mailpit.messages_to(address)))
    messages = [mailpit.message(m["ID"]) for m in found]
    for message in messages:
        message["Text"] = message["Text"].replace("\r\n", "\n")  # SMTP line ends, as sent
    return messages


async def test_decided_request_for_two_siblings_mails_each_parent_once_in_their_language(
        shared_env, mail_app, mailpit) -> None:
    family = await known_family(shared_env)
    request = submitted(family)
    decision = shared_env.wrap(decided(request))
    # The decision delivered twice, then an absence of the same family (same key → same partition, behind it):
    # once the absence is mailed, both copies of the decision were consumed.
    await shared_env.publish(shared_env.wrap(request), decision, decision, shared_env.wrap(absence(family)))

    for address in (family.dutch_parent, family.english_parent):
        by_subject = {m["Subject"]: m for m in await mails(mailpit, address, 2)}
        assert len(mailpit.messages_to(address)) == 2, "one decision mail and one absence mail, no duplicate"
        if address == family.dutch_parent:
            mail = by_subject["Je aanvraag is beoordeeld"]
            assert mail["Text"].startswith("Hallo Anne,")
            assert "- Noor, woensdag 11 maart 2026: geaccepteerd" in mail["Text"]
            assert "- Sem, woensdag 11 maart 2026: afgewezen (reden: Groep vol)" in mail["Text"]
            assert "Noor, woensdag 11 maart 2026: ziek" in by_subject["Afwezigheid geregistreerd"]["Text"]
        else:
            mail = by_subject["Your request has been decided"]
            assert mail["Text"].startswith("Hello Emma,")
            assert "- Noor, Wednesday 11 March 2026: accepted" in mail["Text"]
            assert "- Sem, Wednesday 11 March 2026: rejected (reason: Groep vol)" in mail["Text"]
            assert "Absence registered" in by_subject

    rows = await shared_env.fetch("SELECT recipient, status FROM deliveries WHERE event_id = $1", decision.event_id)
    assert sorted(r["recipient"] for r in rows) == sorted([family.dutch_parent, family.english_parent])
    # Without secrets in it, a sent mail keeps its body: support can see what a parent was told.
    kept = await shared_env.fetch("SELECT body_text FROM deliveries WHERE event_id = $1 AND status = 'sent'",
                                  decision.event_id)
    assert kept and all("Noor" in r["body_text"] for r in kept)


async def test_expired_request_tells_every_parent(shared_env, mail_app, mailpit) -> None:
    family = await known_family(shared_env)
    request = submitted(family)
    expired = RequestExpired(request_id=request.request_id, organisation_id=family.organisation_id,
                             family_id=family.family_id, expired_line_ids=tuple(li.line_id for li in request.lines),
                             child_ids=tuple(family.children.values()))
    await shared_env.publish(shared_env.wrap(request), shared_env.wrap(expired))

    [dutch] = await mails(mailpit, family.dutch_parent, 1)
    assert dutch["Subject"] == "Je aanvraag is vervallen"
    assert "niet op tijd beoordeeld" in dutch["Text"]
    assert "- Noor, woensdag 11 maart 2026\n- Sem, woensdag 11 maart 2026" in dutch["Text"]
    [english] = await mails(mailpit, family.english_parent, 1)
    assert english["Subject"] == "Your request has expired"


async def test_mail_goes_out_without_child_names_or_request_lines(shared_env, mail_app, mailpit) -> None:
    # Neither ChildUpserted nor RequestSubmitted was seen: the parents are still told, in neutral words.
    family = await known_family(shared_env, with_children=False)
    await shared_env.publish(shared_env.wrap(decided(submitted(family))))

    [mail] = await mails(mailpit, family.dutch_parent, 1)
    assert mail["Subject"] == "Je aanvraag is beoordeeld"
    assert "- Je kind: geaccepteerd\n- Je kind: afgewezen (reden: Groep vol)" in mail["Text"]
