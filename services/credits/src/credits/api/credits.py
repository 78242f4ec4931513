"""Credit routes: grants by admins and ERP systems, and reads of one credit or of a child's credits."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from konnect_contracts.common import CareType
from konnect_kit.answers import json_answer
from konnect_kit.db import Session
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, ReaderDep, SessionDep
from konnect_kit.tenancy import require_managed
from konnect_kit.values import SupportedDate

from credits.api.models import (
    ChildCreditsOut,
    CreditOut,
    GrantAmount,
    GrantIn,
    HistoryEntry,
    UsableCredit,
    UsableCreditsOut,
)
from credits.domain.ledger import Booking, credit_state, plain, refusal
from credits.service_layer.grants import grant_credit
from credits.service_layer.ledger import balance_of, rules_of
from credits.service_layer.reads import (
    child_credits,
    child_scope,
    histories,
    organisation_today,
    readable_child_credits,
    readable_credit,
)
from credits.settings import Settings

router = APIRouter(tags=["credits"])


def _settings(request: Request) -> Settings:
    return request.app.state.kit.settings


_CREDIT_FIELDS = ("credit_id", "organisation_id", "child_id", "family_id", "unit", "valid_from", "valid_until",
                  "usage_rule", "care_types", "description", "external_id", "granted_at")
_HISTORY_FIELDS = tuple(HistoryEntry.model_fields)


def _amount(value: Decimal) -> str:
    return str(plain(value))  # as the Amount type writes it


def credit_content(row: Any, history: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """What CreditOut holds, in its fields' order and written as it writes them: the credit, its balance, its
    state on `today` in the credit's organisation, and its history."""
    balance = balance_of(row)
    content = {name: getattr(row, name) for name in _CREDIT_FIELDS}
    content["balance"] = {"granted": _amount(balance.granted), "reserved": _amount(balance.reserved),
                          "consumed": _amount(balance.consumed), "usable": _amount(balance.usable)}
    content["state"] = credit_state(balance, row.valid_from, row.valid_until, today)
    content["history"] = [{name: _amount(entry[name]) if name == "amount" else entry[name] for name in _HISTORY_FIELDS}
                          for entry in history]
    return content


def _credit_answer(row: Any, history: list[dict[str, Any]], today: date) -> CreditOut:
    return CreditOut.model_validate(credit_content(row, history, today))


async def _credit_out(session: Session, request: Request, row: Any, history: list[dict[str, Any]]) -> CreditOut:
    today = await organisation_today(session, row.organisation_id, _settings(request).default_time_zone)
    return _credit_answer(row, history, today)


@router.put("/credits/{credit_id}", response_model=CreditOut)
async def put_credit(credit_id: UUID, body: GrantIn, who: CallerDep, session: SessionDep, kit: KitDep,
                     request: Request) -> CreditOut:
    require_managed(who, body.organisation_id, refusal="Credits are granted by organisation admins and ERP systems.")
    await grant_credit(session, kit.outbox, credit_id, body.model_dump())
    row = await readable_credit(session, who, credit_id)
    return await _credit_out(session, request, row, (await histories(session, [credit_id]))[credit_id])


@router.get("/credits/{credit_id}", response_model=CreditOut)
async def get_credit(credit_id: UUID, who: CallerDep, session: SessionDep, request: Request) -> CreditOut:
    row = await readable_credit(session, who, credit_id)
    return await _credit_out(session, request, row, (await histories(session, [credit_id]))[credit_id])


@router.get("/children/{child_id}/credits", response_model=ChildCreditsOut)
async def list_child_credits(child_id: UUID, who: CallerDep, reader: ReaderDep, request: Request) -> Response:
    found = await readable_child_credits(reader, who, child_id, _settings(request).default_time_zone)
    # ChildCreditsOut, written straight from its content (a parent's frequent screen: no models per call).
    return json_answer({"child_id": child_id,
                        "items": [credit_content(item.credit, item.history, item.today) for item in found]})


@router.get("/children/{child_id}/credits/usable", response_model=UsableCreditsOut)
async def usable_child_credits(
    child_id: UUID,
    who: CallerDep,
    session: SessionDep,
    starts_on: SupportedDate,
    ends_on: SupportedDate | None = None,
    care_type: CareType | None = None,
    amount: Annotated[GrantAmount | None, Query(description="The whole booking; no split payment.")] = None,
    in_school_holiday: bool | None = None,
) -> UsableCreditsOut:
    """The credits that could pay this booking now: the same rules the reservation applies."""
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise ApiError(422, "validation_failed", "ends_on is before starts_on.", {"field": "ends_on"})
    rows = await child_credits(session, child_id, await child_scope(session, who, child_id))
    booking = Booking(child_id, starts_on, ends_on, care_type, in_school_holiday)
    items = [
        UsableCredit(**{name: getattr(row, name) for name in (
            "credit_id", "unit", "valid_from", "valid_until", "usage_rule", "care_types", "description")},
            usable=balance_of(row).usable)
        for row in rows
        if refusal(rules_of(row), booking) is None
        and balance_of(row).usable > 0 and (amount is None or balance_of(row).usable >= amount)
    ]
    return UsableCreditsOut(child_id=child_id, items=items)
