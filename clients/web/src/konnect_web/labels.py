"""Words for the API's codes (statuses, reasons, units), marked for the catalogue and translated when shown."""

import re
from collections.abc import Callable

from konnect_web.i18n import N_

STATUS = {
    "pending": N_("Pending"), "accepted": N_("Accepted"), "rejected": N_("Rejected"), "expired": N_("Expired"),
    "cancelled": N_("Cancelled"), "partially_accepted": N_("Partly accepted"), "decided": N_("Decided"),
    "reported": N_("Reported"), "registered": N_("Reported"), "active": N_("Active"),
}
KIND = {"extra_days": N_("Extra day"), "extra_day": N_("Extra day"), "swap": N_("Swap"), "swaps": N_("Swap")}
ABSENCE_REASON = {"sick": N_("Sick"), "vacation": N_("Holiday"), "other": N_("Other")}
UNIT = {"hours": N_("hours"), "points": N_("points"), "days": N_("days"), "minutes": N_("minutes")}
PAYMENT = {"invoice": N_("On the invoice"), "credit": N_("With a credit")}
CREDIT_HISTORY = {"reserved": N_("Reserved"), "consumed": N_("Used"), "released": N_("Released")}
NOTIFICATION_KIND = {
    "photo_posted": N_("New photos"), "diary_entry_posted": N_("New diary entries"),
    "message_sent": N_("New messages"), "news_published": N_("News"), "newsletter_published": N_("Newsletters"),
    "request_decided": N_("Decisions on my requests"), "request_expired": N_("Expired requests"),
    "absence_reported": N_("Absences reported"), "observation_shared": N_("Observations shared"),
}


def label(table: dict[str, str], code: str | None) -> str:
    """The catalogue's message id for a code; an unknown code (a newer API) is shown as it is."""
    return table.get(code or "", code or "")
ROLE = {"extra_day": N_("Extra day requested"), "swap_target": N_("Swap: care asked for"),
        "swap_give_up": N_("Swap: care given up")}

# The API explains refusals in English sentences or codes; the ones it gives today are shown in the user's language,
# anything newer as the API wrote it.
OPTION_REASON = {"in_the_past": N_("this date has passed"), "no_placement": N_("no placement on this date"),
                 "group_full": N_("the group is full")}
_CANCEL_REASONS = [
    (re.compile(r"Cancelling is possible until (?P<hours>\d+) hours before the care day \((?P<day>[\d-]+)\)"),
     N_("Cancelling is possible until %(hours)s hours before the care day (%(day)s); please contact the location.")),
    (re.compile(r"The care day has begun"), N_("The care day has begun; it can no longer be cancelled.")),
]


def option_reason(_: Callable[..., str], code: str | None) -> str:
    if code and code.startswith("closing_day:"):
        return _("closed: %(reason)s", reason=code.split(":", 1)[1].strip())
    return _(label(OPTION_REASON, code))


def cancel_reason(_: Callable[..., str], reason: str | None) -> str:
    for pattern, message in _CANCEL_REASONS:
        found = pattern.search(reason or "")
        if found:
            values = found.groupdict()
            if "day" in values and hasattr(_, "day"):
                values["day"] = _.day(values["day"])  # the date as the user's language writes it
            return _(message, **values)
    return reason or ""
