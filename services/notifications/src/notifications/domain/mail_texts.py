"""E-mail texts per kind and language (Dutch default, English when chosen), rendered to plain text and HTML.

Pure functions: every kind is a table of phrases per language plus a small render function that fills
them in; one layout turns the phrases into both bodies, so a new kind (request decided, request
expired, ...) is one `_TEXTS` entry and one render function.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from notifications.domain.languages import MailLanguage, mail_language

INVITATION = "account_invited"
PASSWORD_RESET = "password_reset"
REQUEST_DECIDED = "request_decided"
REQUEST_EXPIRED = "request_expired"
ABSENCE_REPORTED = "absence_reported"
DIGEST = "digest"
ITEM_MAIL = "inbox_item"

DEFAULT_TIME_ZONE = "Europe/Amsterdam"

_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
_WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# Placeholders: {name}, {expires}. Values are filled in first and HTML-escaped afterwards, so a name like
# "<b>Anne & Bob</b>" shows literally and never becomes markup.
_TEXTS: dict[str, dict[MailLanguage, dict[str, str]]] = {
    INVITATION: {
        "nl": {
            "subject": "Welkom bij Konnect: stel je wachtwoord in",
            "greeting": "Hallo {name},",
            "intro": "Er is een account voor je aangemaakt in Konnect, het ouderportaal van je kinderopvang. "
                     "Stel via de link hieronder een wachtwoord in; daarna kun je inloggen met je e-mailadres.",
            "action": "Wachtwoord instellen",
            "validity": "Deze link werkt één keer en is geldig tot {expires}. Is hij verlopen? Vraag je "
                        "kinderopvang dan om een nieuwe uitnodiging.",
        },
        "en": {
            "subject": "Welcome to Konnect: set your password",
            "greeting": "Hello {name},",
            "intro": "An account has been created for you in Konnect, the parent portal of your childcare "
                     "organisation. Set a password with the link below; after that you can log in with your "
                     "e-mail address.",
            "action": "Set your password",
            "validity": "This link works once and is valid until {expires}. Has it expired? Ask your childcare "
                        "organisation for a new invitation.",
        },
    },
    PASSWORD_RESET: {
        "nl": {
            "subject": "Nieuw wachtwoord instellen voor Konnect",
            "greeting": "Hallo {name},",
            "intro": "We kregen een verzoek om een nieuw wachtwoord in te stellen voor je Konnect-account.",
            "action": "Nieuw wachtwoord instellen",
            "validity": "Deze link werkt één keer en is geldig tot {expires}.",
            "not_you": "Heb je dit niet zelf gevraagd? Dan kun je deze e-mail negeren; je wachtwoord blijft "
                       "ongewijzigd.",
        },
        "en": {
            "subject": "Reset your Konnect password",
            "greeting": "Hello {name},",
            "intro": "We received a request to set a new password for your Konnect account.",
            "action": "Set a new password",
            "validity": "This link works once and is valid until {expires}.",
            "not_you": "If you did not ask for this, ignore this e-mail; your password stays as it is.",
        },
    },
    REQUEST_DECIDED: {
        "nl": {
            "subject": "Je aanvraag is beoordeeld",
            "greeting": "Hallo {name},",
            "intro": "{request} is beoordeeld. Dit is de uitkomst per kind:",
            "overview": "Je vindt de aanvraag ook in het aanvragenoverzicht in Konnect.",
        },
        "en": {
            "subject": "Your request has been decided",
            "greeting": "Hello {name},",
            "intro": "{request} has been decided. This is the outcome per child:",
            "overview": "You can also find the request in the request overview in Konnect.",
        },
    },
    REQUEST_EXPIRED: {
        "nl": {
            "subject": "Je aanvraag is vervallen",
            "greeting": "Hallo {name},",
            "intro": "{request} is niet op tijd beoordeeld en is daarom ingetrokken voor:",
            "next": "Heb je de opvang nog steeds nodig? Dien dan een nieuwe aanvraag in of neem contact op met "
                    "je locatie.",
        },
        "en": {
            "subject": "Your request has expired",
            "greeting": "Hello {name},",
            "intro": "{request} was not evaluated in time and has therefore been withdrawn for:",
            "next": "Do you still need the care? Submit a new request or contact your location.",
        },
    },
    ABSENCE_REPORTED: {
        "nl": {
            "subject": "Afwezigheid geregistreerd",
            "greeting": "Hallo {name},",
            "intro": "De afwezigheid is geregistreerd:",
            "overview": "Je ziet de afwezigheid in het aanvragenoverzicht in Konnect; daar kun je hem ook "
                        "intrekken zolang dat nog kan.",
        },
        "en": {
            "subject": "Absence registered",
            "greeting": "Hello {name},",
            "intro": "The absence has been registered:",
            "overview": "You can see the absence in the request overview in Konnect, and cancel it there while "
                        "that is still possible.",
        },
    },
}

# Words the request and absence mails put together per line (the reason itself is shown as given by staff or
# the ERP: it is free text, usually Dutch).
_WORDS: dict[MailLanguage, dict[str, str]] = {
    "nl": {
        "your_child": "Je kind",
        "through": "t/m",
        "accepted": "geaccepteerd",
        "rejected": "afgewezen",
        "reason": "reden",
        "request": "Je aanvraag",
        "request_extra_day": "Je aanvraag voor een extra dag",
        "request_swap": "Je aanvraag voor een ruildag",
        "swap_instead_of": "in plaats van",
        "sick": "ziek",
        "vacation": "vakantie",
        "other": "andere reden",
        "note": "opmerking",
    },
    "en": {
        "your_child": "Your child",
        "through": "to",
        "accepted": "accepted",
        "rejected": "rejected",
        "reason": "reason",
        "request": "Your request",
        "request_extra_day": "Your extra-day request",
        "request_swap": "Your swap-day request",
        "swap_instead_of": "instead of",
        "sick": "sick",
        "vacation": "vacation",
        "other": "other reason",
        "note": "note",
    },
}

_COMMON: dict[MailLanguage, dict[str, str]] = {
    "nl": {
        "fallback": "Werkt de knop niet? Kopieer dan deze link in je browser:",
        "closing": "Met vriendelijke groet,\nKonnect",
        "automatic": "Dit is een automatisch bericht; je kunt er niet op antwoorden.",
    },
    "en": {
        "fallback": "Button not working? Copy this link into your browser:",
        "closing": "Kind regards,\nKonnect",
        "automatic": "This is an automated message; replies are not read.",
    },
}


_TEXTS[DIGEST] = {
    "nl": {
        "subject": "Je overzicht: {count} nieuw in Konnect",
        "greeting": "Hallo {name},",
        "intro": "Dit is er nieuw sinds je vorige overzicht:",
        "action": "Open Konnect",
        "why": "Je krijgt dit dagelijkse overzicht omdat je dat zo hebt gekozen in je meldingsinstellingen "
               "({settings}).",
    },
    "en": {
        "subject": "Your summary: {count} new in Konnect",
        "greeting": "Hello {name},",
        "intro": "This is new since your previous summary:",
        "action": "Open Konnect",
        "why": "You get this daily summary because you chose it in your notification settings ({settings}).",
    },
}
_TEXTS[ITEM_MAIL] = {
    "nl": {
        "subject": "{title}",
        "greeting": "Hallo {name},",
        "intro": "{title}.",
        "action": "Bekijken in Konnect",
        "why": "Je krijgt deze e-mail door je meldingsinstellingen ({settings}).",
    },
    "en": {
        "subject": "{title}",
        "greeting": "Hello {name},",
        "intro": "{title}.",
        "action": "View in Konnect",
        "why": "You get this e-mail because of your notification settings ({settings}).",
    },
}


@dataclass(frozen=True)
class RenderedMail:
    kind: str
    language: MailLanguage
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Action:
    label: str
    url: str


def format_moment(moment: datetime, language: MailLanguage, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """'18 maart 2026 om 14:30' / '18 March 2026 at 14:30' in the organisation's local time (no locale needed)."""
    local = moment.astimezone(ZoneInfo(time_zone))
    month = _MONTHS[language][local.month - 1]
    joiner = "om" if language == "nl" else "at"
    return f"{local.day} {month} {local.year} {joiner} {local:%H:%M}"


def web_link(web_base_url: str, path: str, token: str) -> str:
    # Tokens are URL-safe today; quoting keeps the link intact should identity ever change their alphabet.
    return f"{web_base_url.rstrip('/')}/{path}?token={quote(token, safe='')}"


def render_invitation(*, display_name: str, invitation_token: str, expires_at: datetime, language: str,
                      web_base_url: str, time_zone: str = DEFAULT_TIME_ZONE) -> RenderedMail:
    """Welcome mail with a one-time set-password link. It never contains a password."""
    lang = mail_language(language)
    values = {"name": display_name, "expires": format_moment(expires_at, lang, time_zone)}
    action = _Action(_TEXTS[INVITATION][lang]["action"], web_link(web_base_url, "invitation", invitation_token))
    return _render(INVITATION, lang, values, before=("intro",), action=action, after=("validity",))


def render_password_reset(*, display_name: str, reset_token: str, expires_at: datetime, language: str,
                          web_base_url: str, time_zone: str = DEFAULT_TIME_ZONE) -> RenderedMail:
    """Reset mail with a one-time link, its expiry and 'ignore this if it was not you'."""
    lang = mail_language(language)
    values = {"name": display_name, "expires": format_moment(expires_at, lang, time_zone)}
    action = _Action(_TEXTS[PASSWORD_RESET][lang]["action"], web_link(web_base_url, "reset-password", reset_token))
    return _render(PASSWORD_RESET, lang, values, before=("intro",), action=action, after=("validity", "not_you"))


@dataclass(frozen=True)
class ChildLine:
    """One child's line in a request or absence mail; None where the read models do not know it (yet)."""

    child_name: str | None
    starts_on: date | None = None
    ends_on: date | None = None
    give_up_date: date | None = None  # swap: the planned day given up
    outcome: str | None = None  # "accepted" / "rejected" (decided mails only)
    reason: str | None = None


def format_date(day: date, language: MailLanguage) -> str:
    """'woensdag 11 maart 2026' / 'Wednesday 11 March 2026' (no locale needed)."""
    return f"{_WEEKDAYS[language][day.weekday()]} {day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def format_period(starts_on: date, ends_on: date | None, language: MailLanguage) -> str:
    if ends_on is None or ends_on == starts_on:
        return format_date(starts_on, language)
    return f"{format_date(starts_on, language)} {_WORDS[language]['through']} {format_date(ends_on, language)}"


def _child_and_dates(line: ChildLine, lang: MailLanguage) -> str:
    # A name or a date the read models do not have yet is left out rather than holding up the mail.
    words = _WORDS[lang]
    name = line.child_name or words["your_child"]
    if line.starts_on is None:
        return name
    dates = format_period(line.starts_on, line.ends_on, lang)
    if line.give_up_date is not None:
        dates += f" ({words['swap_instead_of']} {format_date(line.give_up_date, lang)})"
    return f"{name}, {dates}"


def _request_phrase(request_kind: str | None, lang: MailLanguage) -> str:
    return _WORDS[lang].get(f"request_{request_kind}", _WORDS[lang]["request"])


def render_request_decided(*, display_name: str, language: str, request_kind: str | None,
                           lines: Sequence[ChildLine]) -> RenderedMail:
    """One mail per parent with every child's outcome: accepted, or rejected with the reason."""
    lang = mail_language(language)
    words = _WORDS[lang]
    items = []
    for line in lines:
        outcome = words["accepted"] if line.outcome == "accepted" else words["rejected"]
        if line.outcome != "accepted" and line.reason:
            outcome += f" ({words['reason']}: {line.reason})"
        items.append(f"{_child_and_dates(line, lang)}: {outcome}")
    values = {"name": display_name, "request": _request_phrase(request_kind, lang)}
    return _render(REQUEST_DECIDED, lang, values, before=("intro",), items=items, action=None, after=("overview",))


def render_request_expired(*, display_name: str, language: str, request_kind: str | None,
                           lines: Sequence[ChildLine]) -> RenderedMail:
    """Nobody evaluated the request before its last day: the pending lines were withdrawn."""
    lang = mail_language(language)
    items = [_child_and_dates(line, lang) for line in lines]
    values = {"name": display_name, "request": _request_phrase(request_kind, lang)}
    return _render(REQUEST_EXPIRED, lang, values, before=("intro",), items=items, action=None, after=("next",))


def render_absence_reported(*, display_name: str, language: str, line: ChildLine, reason: str,
                            note: str | None) -> RenderedMail:
    """Short confirmation of a registered absence (no evaluation involved)."""
    lang = mail_language(language)
    words = _WORDS[lang]
    item = f"{_child_and_dates(line, lang)}: {words.get(reason, words['other'])}"
    if note:
        item += f" ({words['note']}: {note})"
    return _render(ABSENCE_REPORTED, lang, {"name": display_name}, before=("intro",), items=[item], action=None,
                   after=("overview",))


def _render(kind: str, lang: MailLanguage, values: dict[str, str], *, before: tuple[str, ...],
            action: _Action | None, after: tuple[str, ...], items: Sequence[str] = ()) -> RenderedMail:
    """The one layout: greeting, paragraphs, optional bullet list, optional action link, paragraphs, closing."""
    phrases, common = _TEXTS[kind][lang], _COMMON[lang]
    greeting = phrases["greeting"].format(**values)
    first = [phrases[key].format(**values) for key in before]
    last = [phrases[key].format(**values) for key in after]

    text_parts = [greeting, *first]
    html_parts = [_p(greeting), *map(_p, first)]
    if items:
        text_parts.append("\n".join(f"- {item}" for item in items))
        html_parts.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>")
    if action is not None:
        text_parts.append(f"{action.label}: {action.url}")
        href = escape(action.url, quote=True)
        html_parts.append(
            f'<p><a href="{href}" style="display:inline-block;padding:10px 18px;background:#2f6f4f;'
            f'color:#ffffff;text-decoration:none;border-radius:4px">{escape(action.label)}</a></p>'
        )
        html_parts.append(f'<p style="font-size:13px;color:#555555">{escape(common["fallback"])}<br>'
                          f'<a href="{href}">{escape(action.url)}</a></p>')
    text_parts += [*last, common["closing"], f"-- \n{common['automatic']}"]
    html_parts += [*map(_p, last), _p(common["closing"]),
                   f'<p style="font-size:12px;color:#888888">{escape(common["automatic"])}</p>']

    html = (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(phrases['subject'])}</title></head>\n"
            f'<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222">\n'
            + "\n".join(html_parts) + "\n</body></html>\n")
    return RenderedMail(kind=kind, language=lang, subject=phrases["subject"].format(**values),
                        text="\n\n".join(text_parts) + "\n", html=html)


def _p(text: str) -> str:
    return "<p>" + escape(text).replace("\n", "<br>") + "</p>"


def render_digest(*, display_name: str, language: str, lines: Sequence[str], web_base_url: str) -> RenderedMail:
    """One mail listing everything since the previous digest (the caller sends none when there is nothing)."""
    lang = mail_language(language)
    values = {"name": display_name, "count": str(len(lines)), "settings": f"{web_base_url}/settings/notifications"}
    action = _Action(_TEXTS[DIGEST][lang]["action"], f"{web_base_url}/inbox")
    return _render(DIGEST, lang, values, before=("intro",), items=lines, action=action, after=("why",))


def render_item_mail(*, display_name: str, language: str, title: str, url: str, web_base_url: str
                     ) -> RenderedMail:
    """An inbox item mailed at once (kinds without a mail of their own: photos, messages, news...)."""
    lang = mail_language(language)
    values = {"name": display_name, "title": title, "settings": f"{web_base_url}/settings/notifications"}
    return _render(ITEM_MAIL, lang, values, before=("intro",), action=_Action(_TEXTS[ITEM_MAIL][lang]["action"], url),
                   after=("why",))
