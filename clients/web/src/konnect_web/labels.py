"""Words for the API's codes (statuses, reasons, units), marked for the catalogue and translated when shown."""

from konnect_web.i18n import N_

STATUS = {
    "pending": N_("Pending"), "accepted": N_("Accepted"), "rejected": N_("Rejected"), "expired": N_("Expired"),
    "cancelled": N_("Cancelled"), "partially_accepted": N_("Partly accepted"), "decided": N_("Decided"),
    "reported": N_("Reported"), "active": N_("Active"),
}
KIND = {"extra_days": N_("Extra day"), "extra_day": N_("Extra day"), "swap": N_("Swap"), "swaps": N_("Swap")}
ABSENCE_REASON = {"sick": N_("Sick"), "vacation": N_("Holiday"), "other": N_("Other")}
UNIT = {"hours": N_("hours"), "points": N_("points"), "days": N_("days"), "minutes": N_("minutes")}
PAYMENT = {"invoice": N_("On the invoice"), "credit": N_("With a credit")}
CREDIT_HISTORY = {"reserved": N_("Reserved"), "consumed": N_("Used"), "released": N_("Released")}
NOTIFICATION_KIND = {
    "request_decided": N_("Decisions on my requests"), "request_expired": N_("Expired requests"),
    "message": N_("New messages"), "timeline": N_("New photos and diary entries"), "news": N_("News"),
    "absence": N_("Absences"), "account": N_("Account and security"),
}


def label(table: dict[str, str], code: str | None) -> str:
    """The catalogue's message id for a code; an unknown code (a newer API) is shown as it is."""
    return table.get(code or "", code or "")
ROLE = {"extra_day": N_("Extra day requested"), "swap_target": N_("Swap: care asked for"),
        "swap_give_up": N_("Swap: care given up")}
