"""When a digest is due and whether push is quiet, in the parent's own time zone (DST-safe); pure functions."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _at(day: datetime, wall: time, zone: ZoneInfo) -> datetime:
    """That wall-clock time on that local day, as UTC. A time skipped by the spring-forward change is taken
    one hour later; an ambiguous one (autumn) is its first occurrence: each day has exactly one."""
    local = datetime.combine(day.date(), wall, tzinfo=zone)
    roundtrip = local.astimezone(UTC).astimezone(zone)
    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):  # did not exist (spring forward)
        local = datetime.combine(day.date(), wall, tzinfo=zone) + timedelta(hours=1)
    return local.astimezone(UTC)


def next_digest_at(after: datetime, digest_at: time, time_zone: str) -> datetime:
    """The first digest time strictly after `after` (UTC)."""
    zone = ZoneInfo(time_zone)
    local = after.astimezone(zone)
    for offset in range(3):
        candidate = _at(local + timedelta(days=offset), digest_at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a digest time comes every day")


def quiet_until(now: datetime, start: time | None, end: time | None, time_zone: str) -> datetime | None:
    """When quiet hours that contain `now` end (UTC); None when push may go now."""
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    overnight = start > end  # e.g. 21:00-07:00
    inside = (wall >= start or wall < end) if overnight else (start <= wall < end)
    if not inside:
        return None
    end_day = local + timedelta(days=1) if overnight and wall >= start else local
    return _at(end_day, end, zone)
