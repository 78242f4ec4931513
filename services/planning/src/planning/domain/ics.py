"""The family's planned care as an iCalendar (RFC 5545) document; pure text building, no I/O."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

PRODID = "-//Konnect//Planning calendar feed//NL"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (a CRLF and a space), never inside a UTF-8 character."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _local(day: date, at: time | str) -> str:
    moment = at if isinstance(at, time) else time.fromisoformat(at)
    return datetime.combine(day, moment).strftime("%Y%m%dT%H%M%S")


def render_feed(days: Iterable[Mapping[str, Any]], *, time_zone: str, calendar_name: str, stamp: datetime,
                uid_domain: str = "konnect") -> str:
    """One event per child, date and planned day part (times in the organisation's zone); parts the child is
    absent for are cancelled events, so calendars that had them remove them."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(calendar_name)}", f"X-WR-TIMEZONE:{time_zone}"]
    dtstamp = stamp.strftime("%Y%m%dT%H%M%SZ")
    for day in days:
        if not day.get("open", True):
            continue
        for part in day.get("parts", []):
            where = ", ".join(x for x in (day.get("group_name"), day.get("location_name")) if x)
            summary = f"{day['first_name']}: {part['name']}" + (f" ({day['group_name']})" if day.get("group_name")
                                                                  else "")
            lines += [
                "BEGIN:VEVENT",
                f"UID:{day['child_id']}-{day['date']:%Y%m%d}-{part['day_part_id']}@{uid_domain}",
                f"DTSTAMP:{dtstamp}",
                f"DTSTART;TZID={time_zone}:{_local(day['date'], part['starts_at'])}",
                f"DTEND;TZID={time_zone}:{_local(day['date'], part['ends_at'])}",
                f"SUMMARY:{_escape(summary)}",
                *([f"LOCATION:{_escape(where)}"] if where else []),
                f"STATUS:{'CANCELLED' if part.get('absent') else 'CONFIRMED'}",
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
