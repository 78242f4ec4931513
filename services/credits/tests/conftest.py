"""Fixtures for credits tests: a migrated database and a topic prefix of its own (konnect_devstack's ServiceEnv).

Each environment reads and writes the request, directory and ledger topics under its own prefix, so a running
stack never answers this test's requests and this test never sees another's ledger events.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

import pytest
from credits.main import MIGRATIONS, create_app
from credits.settings import Settings
from konnect_contracts.envelope import Envelope, EventPayload
from konnect_contracts.events.credits import TOPIC as LEDGER_TOPIC
from konnect_contracts.events.requests import RequestLine, RequestSubmitted
from konnect_devstack.pytest_plugin import ServiceEnv, internal_headers, running_app

OPERATOR = internal_headers("platform_operator", "operator-1")


class CreditsEnv(ServiceEnv):
    """Credits in its own database and topic namespace; also carries the builders tests use."""

    service = "credits"
    migrations = MIGRATIONS
    settings_type = Settings
    operator: ClassVar[dict[str, str]] = OPERATOR

    async def ledger(self) -> list[Envelope]:
        """Every event on this environment's ledger topic so far, read from the start."""
        return await self.read(LEDGER_TOPIC)

    @staticmethod
    def wrap(payload: EventPayload, event_id: UUID | None = None) -> Envelope:
        return Envelope.wrap(payload, producer="planning", correlation_id=f"test-{uuid.uuid4().hex[:8]}",
                             event_id=event_id)

    @staticmethod
    def credit_line(child_id: UUID, credit_id: UUID, amount: str = "1", *, on: date = date(2031, 3, 5),
                    care_type: str | None = "day_care", in_school_holiday: bool | None = False,
                    ends_on: date | None = None) -> RequestLine:
        return RequestLine(line_id=uuid.uuid4(), child_id=child_id, group_id=uuid.uuid4(), starts_on=on,
                           ends_on=ends_on or on, day_part_ids=(uuid.uuid4(),), payment="credit", credit_id=credit_id,
                           credit_amount=Decimal(amount), care_type=care_type,  # type: ignore[arg-type]
                           in_school_holiday=in_school_holiday)

    @staticmethod
    def submitted(org: UUID, *lines: RequestLine, family_id: UUID | None = None) -> RequestSubmitted:
        return RequestSubmitted(request_id=uuid.uuid4(), organisation_id=org, family_id=family_id or uuid.uuid4(),
                                kind="extra_day", submitted_by_account_id=uuid.uuid4(), lines=lines)

    @staticmethod
    def grant_body(org: UUID, child: UUID, amount: str = "3", **extra: Any) -> dict[str, Any]:
        return {"organisation_id": str(org), "child_id": str(child), "unit": "points", "amount": amount,
                "valid_from": "2031-01-01", "valid_until": "2031-12-31", **extra}


credits_env, shared_env = CreditsEnv.fixtures("credits_env")


@pytest.fixture(scope="module")
async def credits_app(shared_env: CreditsEnv) -> AsyncIterator[Any]:
    async with running_app(create_app(shared_env.settings())) as client:
        yield client
