"""Shared field types and base model for nested contract structures (no domain logic)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict


def _to_utc(value: datetime) -> datetime:
    # Cheaper than astimezone() on pydantic's parsed tz, and every consumer decodes occurred_at.
    offset = value.utcoffset()
    return value.replace(tzinfo=UTC) if not offset else (value - offset).replace(tzinfo=UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, normalised to UTC. Naive datetimes are rejected."""

Language = Literal["nl", "en"]
CareType = Literal["day_care", "after_school", "toddler"]


class ContractModel(BaseModel):
    """Base of nested structures inside payloads: immutable, unknown fields ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)
