"""In-app inbox items: which kinds collapse into one unread item, where each links to, and its text (nl/en)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from notifications.domain.languages import mail_language

# Kinds where a new event for the same subject joins the unread item ("10 new photos", "5 new messages")
# instead of adding one more line; for the others a second event about the same subject is a duplicate
# (an organisation-wide news item is announced once per location).
COLLAPSING_KINDS = frozenset({"photo_posted", "message_sent"})

_LINKS: dict[str, str] = {
    "photo_posted": "/photos/{subject_id}",
    "diary_entry_posted": "/diary/{subject_id}",
    "message_sent": "/conversations/{subject_id}",
    "news_published": "/news/{subject_id}",
    "newsletter_published": "/newsletters/{subject_id}",
    "observation_shared": "/observations/{subject_id}",
    "request_decided": "/requests/{subject_id}",
    "request_expired": "/requests/{subject_id}",
    "absence_reported": "/absences/{subject_id}",
}


@dataclass(frozen=True)
class InboxEntry:
    """What one event adds to one account's inbox."""

    account_id: UUID
    organisation_id: UUID
    kind: str
    subject_id: UUID
    child_ids: tuple[UUID, ...]
    params: dict[str, Any]
    # The start of a message, for the push and e-mail of parents who chose previews; never stored in the inbox.
    preview: str = field(default="", compare=False)

    @property
    def link(self) -> str:
        return deep_link(self.kind, self.subject_id)

    @property
    def collapses(self) -> bool:
        return self.kind in COLLAPSING_KINDS


def deep_link(kind: str, subject_id: UUID) -> str:
    """The app path of the item (relative to the web/app base URL)."""
    return _LINKS[kind].format(subject_id=subject_id)


def _names(names: Sequence[str], language: str) -> str:
    if not names:
        return ""
    joiner = " en " if language == "nl" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]


def inbox_text(kind: str, params: dict[str, Any], count: int, child_names: Sequence[str],
               language: str | None) -> str:
    """The one-line title shown in the inbox (in the app, so a child's first name may appear)."""
    lang = mail_language(language)
    nl = lang == "nl"
    who = _names(sorted(child_names), lang)
    of = (f" van {who}" if nl else f" of {who}") if who else ""
    about = (f" over {who}" if nl else f" about {who}") if who else ""
    title = params.get("title") or ""
    match kind:
        case "photo_posted":
            noun = ("foto" if count == 1 else "foto's") if nl else ("photo" if count == 1 else "photos")
            if params.get("media_kind") == "video" and count == 1:
                noun = "video"
            return f"{count} nieuwe {noun}{of}" if nl else f"{count} new {noun}{of}"
        case "diary_entry_posted":
            return f"Nieuw dagboekbericht{about}" if nl else f"New diary entry{about}"
        case "message_sent":
            sender = params.get("sender_name")
            subject = params.get("subject") or ""
            if count > 1:
                head = f"{count} nieuwe berichten" if nl else f"{count} new messages"
            else:
                head = "Nieuw bericht" if nl else "New message"
            by = (f" van {sender}" if nl else f" from {sender}") if sender else ""
            return f"{head}{by}: {subject}" if subject else f"{head}{by}"
        case "news_published":
            return f"Nieuws: {title}" if nl else f"News: {title}"
        case "newsletter_published":
            return f"Nieuwsbrief: {title}" if nl else f"Newsletter: {title}"
        case "observation_shared":
            form = params.get("form_title") or ("observatie" if nl else "observation")
            return f"Observatie gedeeld{about}: {form}" if nl else f"Observation shared{about}: {form}"
        case "request_decided":
            accepted, refused = int(params.get("accepted", 0)), int(params.get("refused", 0))
            if refused and not accepted:
                verdict = "afgewezen" if nl else "declined"
            elif accepted and not refused:
                verdict = "geaccepteerd" if nl else "accepted"
            else:
                verdict = "deels geaccepteerd" if nl else "partly accepted"
            return f"Aanvraag{of} {verdict}" if nl else f"Request{of} {verdict}"
        case "request_expired":
            return f"Aanvraag{of} verlopen" if nl else f"Request{of} expired"
        case "absence_reported":
            return f"Afwezigheid{of} geregistreerd" if nl else f"Absence{of} registered"
    return kind
