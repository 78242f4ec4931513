"""Who the caller is in messaging and what a conversation is about: the facts participation is decided from."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Person:
    """Who asks, before the directory is consulted (the read statements look up the rest themselves)."""

    role: str  # parent | staff | admin
    account_id: UUID
    organisation_id: UUID


@dataclass(frozen=True)
class Actor:
    """The caller as messaging knows them: a parent of one family, staff of some groups, or an admin."""

    role: str  # parent | staff | admin (the role shown on messages)
    account_id: UUID
    organisation_id: UUID
    name: str
    family_id: UUID | None = None
    staff_id: UUID | None = None
    group_ids: frozenset[UUID] = field(default_factory=frozenset)


@dataclass(frozen=True)
class About:
    """What a conversation is about: the facts participation is decided from."""

    conversation_id: UUID
    organisation_id: UUID
    family_id: UUID
    child_id: UUID | None
    group_id: UUID | None

    @classmethod
    def of(cls, row: Any) -> "About":
        values = row if isinstance(row, dict) else row._mapping
        return cls(values["conversation_id"], values["organisation_id"], values["family_id"], values["child_id"],
                   values["group_id"])
