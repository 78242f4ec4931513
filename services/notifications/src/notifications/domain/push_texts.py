"""Push texts (title + body) per item kind, Dutch and English; pure functions, no I/O.

A push shows on a lock screen anyone may see: it says what kind of thing happened, never a child's
name or a date. The app opens the overview for the details (`data.kind`).
"""

from dataclasses import dataclass

from notifications.domain.languages import MailLanguage, mail_language
from notifications.domain.mail_texts import ABSENCE_REPORTED, REQUEST_DECIDED, REQUEST_EXPIRED

_TEXTS: dict[str, dict[MailLanguage, tuple[str, str]]] = {
    REQUEST_DECIDED: {
        "nl": ("Je aanvraag is beoordeeld", "Bekijk de uitkomst in Konnect."),
        "en": ("Your request has been decided", "See the outcome in Konnect."),
    },
    REQUEST_EXPIRED: {
        "nl": ("Je aanvraag is verlopen", "Er is niet op tijd over beslist. Bekijk het in Konnect."),
        "en": ("Your request has expired", "It was not decided in time. See it in Konnect."),
    },
    ABSENCE_REPORTED: {
        "nl": ("Afwezigheid geregistreerd", "De afwezigheid van je kind staat in Konnect."),
        "en": ("Absence registered", "Your child's absence is in Konnect."),
    },
}

PUSH_KINDS: tuple[str, ...] = tuple(_TEXTS)


@dataclass(frozen=True)
class RenderedPush:
    kind: str
    language: MailLanguage
    title: str
    body: str


def render_push(kind: str, language: str | None) -> RenderedPush:
    lang = mail_language(language)
    title, body = _TEXTS[kind][lang]
    return RenderedPush(kind=kind, language=lang, title=title, body=body)
