"""Push texts (title + body) per item kind, Dutch and English; pure functions, no I/O.

A push shows on a lock screen anyone may see: it says what kind of thing happened, never a child's
name or a date; only a parent who chose message previews sees who wrote and the start of a message.
The app opens the overview for the details (`data.kind`).
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


SUMMARY = "summary"
# Kinds that come from timeline and messaging: counted ("3 new photos"), never naming a child or a sender.
_COUNTED: dict[str, dict[MailLanguage, tuple[str, str]]] = {
    "photo_posted": {"nl": ("Nieuwe foto", "{n} nieuwe foto's"), "en": ("New photo", "{n} new photos")},
    "diary_entry_posted": {"nl": ("Nieuw dagboekbericht", "{n} nieuwe dagboekberichten"),
                           "en": ("New diary entry", "{n} new diary entries")},
    "message_sent": {"nl": ("Nieuw bericht", "{n} nieuwe berichten"), "en": ("New message", "{n} new messages")},
    "news_published": {"nl": ("Nieuws van de opvang", "{n} nieuwsberichten"), "en": ("News", "{n} news items")},
    "newsletter_published": {"nl": ("Nieuwe nieuwsbrief", "{n} nieuwe nieuwsbrieven"),
                             "en": ("New newsletter", "{n} new newsletters")},
    "observation_shared": {"nl": ("Observatie gedeeld", "{n} observaties gedeeld"),
                           "en": ("Observation shared", "{n} observations shared")},
    "summary": {"nl": ("Nieuw in Konnect", "{n} meldingen terwijl het stil was"),
                           "en": ("New in Konnect", "{n} notifications while quiet")},
}
_OPEN = {"nl": "Open Konnect om het te bekijken.", "en": "Open Konnect to see it."}


_FROM = {"nl": "Bericht van {sender}", "en": "Message from {sender}"}


def render_message_preview(sender_name: str | None, preview: str, language: str | None) -> RenderedPush:
    """One new message for a parent who chose previews: who wrote and the start of the text."""
    lang = mail_language(language)
    title = _FROM[lang].format(sender=sender_name) if sender_name else _COUNTED["message_sent"][lang][0]
    return RenderedPush(kind="message_sent", language=lang, title=title, body=preview)


def render_counted(kind: str, count: int, language: str | None) -> RenderedPush:
    """A push that may stand for several events of one kind (a burst) or of any kind (`summary`)."""
    lang = mail_language(language)
    if kind in _TEXTS and count == 1:
        return render_push(kind, lang)
    one, many = _COUNTED.get(kind, _COUNTED[SUMMARY])[lang]
    title = one if count == 1 else many.format(n=count)
    return RenderedPush(kind=kind, language=lang, title=title, body=_OPEN[lang])
