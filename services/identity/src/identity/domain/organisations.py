"""Organisation rules: what a valid organisation is and when an upsert is a change."""

from dataclasses import dataclass
from zoneinfo import available_timezones

TIME_ZONES = frozenset(available_timezones())


def valid_time_zone(name: str) -> bool:
    return name in TIME_ZONES


@dataclass(frozen=True)
class OrganisationState:
    name: str
    time_zone: str
    external_id: str | None
    email: str | None = None  # where parents' replies to notification mails go
    logo_url: str | None = None


def next_version(current: OrganisationState | None, current_version: int, proposed: OrganisationState) -> int:
    """Same data again keeps the version (an ERP syncing twice changes nothing); a change bumps it."""
    if current is None:
        return 1
    return current_version if current == proposed else current_version + 1
