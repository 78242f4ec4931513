"""Date arithmetic for requests: periods, expiry deadlines and the cancel window, in the organisation's zone."""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from planning.domain.refusals import Refusal

# A period longer than this is not a request but a contract change (the planning office handles those).
MAX_PERIOD_DAYS = 366


def start_of_day(day: date, time_zone: str) -> datetime:
    """Midnight of `day` in the organisation's zone, as UTC (DST-safe: zoneinfo resolves the offset)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def end_of_day(day: date, time_zone: str) -> datetime:
    """The first instant after `day` in the organisation's zone: an expiry timer fires then."""
    return start_of_day(day + timedelta(days=1), time_zone)


def dates_between(starts_on: date, ends_on: date) -> Iterator[date]:
    """Every date of an inclusive period."""
    for offset in range((ends_on - starts_on).days + 1):
        yield starts_on + timedelta(days=offset)


def check_period(starts_on: date, ends_on: date, today: date, *, field: str = "starts_on") -> None:
    """A period must not lie (partly) in the past, must not end before it starts and must stay bounded."""
    if ends_on < starts_on:
        raise Refusal("period_invalid", "The end date is before the start date.",
                      {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    if starts_on < today:
        raise Refusal("date_in_past", "A date in the past cannot be requested.",
                      {"field": field, "date": starts_on.isoformat(), "today": today.isoformat()})
    if (ends_on - starts_on).days >= MAX_PERIOD_DAYS:
        raise Refusal("period_too_long", f"A period can span at most {MAX_PERIOD_DAYS} days; "
                      "structural changes go to the planning office.")


def resolve_expires_on(expires_on: date | None, first_care_date: date, today: date) -> date:
    """The last day to wait for an evaluation: not before today, not after the first care date (the default)."""
    if expires_on is None:
        # Without a choice the request waits as long as it can be useful: until the care date itself.
        return first_care_date
    if expires_on < today:
        raise Refusal("expires_on_in_past", "The expiry date cannot be in the past.",
                      {"expires_on": expires_on.isoformat(), "today": today.isoformat()})
    if expires_on > first_care_date:
        raise Refusal("expires_on_after_care", "The expiry date cannot be after the (first) care date.",
                      {"expires_on": expires_on.isoformat(), "first_care_date": first_care_date.isoformat()})
    return expires_on


def is_single_date(periods: Iterable[tuple[date, date]]) -> bool:
    """True when every period is the same one day: only such requests may be judged as a whole."""
    days = {d for start, end in periods for d in (start, end)}
    return len(days) == 1


def cancel_blocked_reason(first_care_date: date, now: datetime, time_zone: str, window_hours: int) -> str | None:
    """None when cancelling is still allowed; else why not (the overview shows it instead of a bin icon)."""
    deadline = start_of_day(first_care_date, time_zone) - timedelta(hours=window_hours)
    if now >= deadline:
        if window_hours <= 0:
            return "The care day has begun; it can no longer be cancelled."
        return (f"Cancelling is possible until {window_hours} hours before the care day "
                f"({first_care_date.isoformat()}); please contact the location.")
    return None
