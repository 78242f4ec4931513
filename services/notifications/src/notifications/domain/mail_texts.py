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
            "unexpected": "Verwachtte je deze uitnodiging niet? Dan hoef je niets te doen: zonder wachtwoord kan "
                          "niemand met dit account inloggen. Vragen? Neem contact op met {contact}.",
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
            "unexpected": "Did you not expect this invitation? Then you need not do anything: without a password "
                          "nobody can log in with this account. Questions? Contact {contact}.",
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
            "subject": "{subject}",
            "greeting": "Hallo {name},",
            "intro": "{request} is beoordeeld. Dit is de uitkomst per kind:",
            "overview": "Je vindt de aanvraag ook in het aanvragenoverzicht in Konnect.",
        },
        "en": {
            "subject": "{subject}",
            "greeting": "Hello {name},",
            "intro": "{request} has been decided. This is the outcome per child:",
            "overview": "You can also find the request in the request overview in Konnect.",
        },
    },
    REQUEST_EXPIRED: {
        "nl": {
            "subject": "{subject}",
            "greeting": "Hallo {name},",
            "intro": "{request} is niet op tijd beoordeeld en is daarom ingetrokken voor:",
            "next": "Heb je de opvang nog steeds nodig? Dien dan een nieuwe aanvraag in of neem contact op met "
                    "je locatie.",
        },
        "en": {
            "subject": "{subject}",
            "greeting": "Hello {name},",
            "intro": "{request} was not evaluated in time and has therefore been withdrawn for:",
            "next": "Do you still need the care? Submit a new request or contact your location.",
        },
    },
    ABSENCE_REPORTED: {
        "nl": {
            "subject": "{subject}",
            "greeting": "Hallo {name},",
            "intro": "De afwezigheid is geregistreerd:",
            "overview": "Je ziet de afwezigheid in het aanvragenoverzicht in Konnect; daar kun je hem ook "
                        "intrekken zolang dat nog kan.",
        },
        "en": {
            "subject": "{subject}",
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
        "closing": "Met vriendelijke groet,\n{organisation}",
        "automatic": "Dit is een automatisch bericht; je kunt er niet op antwoorden.",
        "replies": "Je kunt op deze e-mail antwoorden: je antwoord gaat naar {organisation}.",
        "why": "Je krijgt deze e-mail omdat e-mail over {topic} aan staat in je meldingsinstellingen.",
        "change": "Instellingen wijzigen",
        "view": "Bekijken in Konnect",
        "your_organisation": "je kinderopvang",
    },
    "en": {
        "fallback": "Button not working? Copy this link into your browser:",
        "closing": "Kind regards,\n{organisation}",
        "automatic": "This is an automated message; replies are not read.",
        "replies": "You can reply to this e-mail: your reply goes to {organisation}.",
        "why": "You get this e-mail because e-mail about {topic} is on in your notification settings.",
        "change": "Change settings",
        "view": "View in Konnect",
        "your_organisation": "your childcare organisation",
    },
}


_TEXTS[DIGEST] = {
    "nl": {
        "subject": "Je overzicht: {count} nieuw in Konnect",
        "greeting": "Hallo {name},",
        "intro": "Dit is er nieuw sinds je vorige overzicht:",
        "action": "Open Konnect",
        "why": "Je krijgt dit dagelijkse overzicht omdat je dat zo hebt gekozen in je meldingsinstellingen.",
    },
    "en": {
        "subject": "Your summary: {count} new in Konnect",
        "greeting": "Hello {name},",
        "intro": "This is new since your previous summary:",
        "action": "Open Konnect",
        "why": "You get this daily summary because you chose it in your notification settings.",
    },
}
_TEXTS[ITEM_MAIL] = {
    "nl": {
        "subject": "{title}",
        "greeting": "Hallo {name},",
        "intro": "{title}.",
        "preview": "“{preview}”",
        "action": "Bekijken in Konnect",
    },
    "en": {
        "subject": "{title}",
        "greeting": "Hello {name},",
        "intro": "{title}.",
        "preview": "“{preview}”",
        "action": "View in Konnect",
    },
}


# What a notification mail is about, in the footer's "why you get this" line.
_TOPICS: dict[MailLanguage, dict[str, str]] = {
    "nl": {
        "photo_posted": "nieuwe foto's", "diary_entry_posted": "dagboekberichten", "message_sent": "berichten",
        "news_published": "nieuws", "newsletter_published": "nieuwsbrieven", "observation_shared": "observaties",
        "request_decided": "beoordeelde aanvragen", "request_expired": "vervallen aanvragen",
        "absence_reported": "afwezigheden",
    },
    "en": {
        "photo_posted": "new photos", "diary_entry_posted": "diary entries", "message_sent": "messages",
        "news_published": "news", "newsletter_published": "newsletters", "observation_shared": "observations",
        "request_decided": "decided requests", "request_expired": "expired requests",
        "absence_reported": "absences",
    },
}

# Subject words of request and absence mails: "Extra dag voor Sem op woensdag 9 december geaccepteerd".
_SUBJECT_WORDS: dict[MailLanguage, dict[str, str]] = {
    "nl": {"extra_day": "Extra dag", "swap": "Ruildag", "request": "Aanvraag", "absence": "Afwezigheid",
           "for": "voor", "of": "van", "on": "op", "accepted": "geaccepteerd", "rejected": "afgewezen",
           "partly": "deels geaccepteerd", "expired": "vervallen", "registered": "geregistreerd",
           "your_child": "je kind", "and": "en"},
    "en": {"extra_day": "Extra day", "swap": "Swap day", "request": "Request", "absence": "Absence",
           "for": "for", "of": "of", "on": "on", "accepted": "accepted", "rejected": "rejected",
           "partly": "partly accepted", "expired": "expired", "registered": "registered",
           "your_child": "your child", "and": "and"},
}


@dataclass(frozen=True)
class Sender:
    """Who a mail comes from in the parent's eyes: their organisation, through Konnect."""

    organisation: str | None = None
    logo_url: str | None = None
    reply_to: str | None = None  # the organisation's own address, where it has one

    @property
    def display_name(self) -> str:
        return f"{self.organisation} via Konnect" if self.organisation else "Konnect"


@dataclass(frozen=True)
class RenderedMail:
    kind: str
    language: MailLanguage
    subject: str
    text: str
    html: str
    sender_name: str = "Konnect"
    reply_to: str | None = None
    # Notification mails only (RFC 8058 one-click); account mails (invitation, reset) never carry one.
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class _Action:
    label: str
    url: str


@dataclass(frozen=True)
class _Footer:
    why: str
    settings_url: str


def format_moment(moment: datetime, language: MailLanguage, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """'18 maart 2026 om 14:30' / '18 March 2026 at 14:30' in the organisation's local time (no locale needed)."""
    local = moment.astimezone(ZoneInfo(time_zone))
    month = _MONTHS[language][local.month - 1]
    joiner = "om" if language == "nl" else "at"
    return f"{local.day} {month} {local.year} {joiner} {local:%H:%M}"


def web_link(web_base_url: str, path: str, token: str) -> str:
    # Tokens are URL-safe today; quoting keeps the link intact should identity ever change their alphabet.
    return f"{web_base_url.rstrip('/')}/{path}?token={quote(token, safe='')}"


def first_name(display_name: str) -> str:
    """Mails greet by first name ("Hallo Anne,"), not by the full name the directory keeps."""
    return display_name.split()[0] if display_name.strip() else display_name


def _contact(sender: Sender, lang: MailLanguage) -> str:
    who = sender.organisation or _COMMON[lang]["your_organisation"]
    return f"{who} ({sender.reply_to})" if sender.reply_to else who


def _account_values(display_name: str, expires_at: datetime, lang: MailLanguage, time_zone: str,
                    sender: Sender) -> dict[str, str]:
    return {"name": first_name(display_name), "expires": format_moment(expires_at, lang, time_zone),
            "contact": _contact(sender, lang)}


def render_invitation(*, display_name: str, invitation_token: str, expires_at: datetime, language: str,
                      web_base_url: str, time_zone: str = DEFAULT_TIME_ZONE, sender: Sender = Sender()
                      ) -> RenderedMail:
    """Welcome mail with a one-time set-password link, and whom to ask if it was not expected. Never a password."""
    lang = mail_language(language)
    action = _Action(_TEXTS[INVITATION][lang]["action"], web_link(web_base_url, "invitation", invitation_token))
    return _render(INVITATION, lang, _account_values(display_name, expires_at, lang, time_zone, sender),
                   before=("intro",), action=action, after=("validity", "unexpected"), sender=sender, footer=None)


def render_password_reset(*, display_name: str, reset_token: str, expires_at: datetime, language: str,
                          web_base_url: str, time_zone: str = DEFAULT_TIME_ZONE, sender: Sender = Sender()
                          ) -> RenderedMail:
    """Reset mail with a one-time link, its expiry and 'ignore this if it was not you'."""
    lang = mail_language(language)
    action = _Action(_TEXTS[PASSWORD_RESET][lang]["action"], web_link(web_base_url, "reset-password", reset_token))
    return _render(PASSWORD_RESET, lang, _account_values(display_name, expires_at, lang, time_zone, sender),
                   before=("intro",), action=action, after=("validity", "not_you"), sender=sender, footer=None)


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


def _short_date(day: date, language: MailLanguage) -> str:
    """'woensdag 9 december' for subjects: the year only adds length there."""
    return f"{_WEEKDAYS[language][day.weekday()]} {day.day} {_MONTHS[language][day.month - 1]}"


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


def _joined(names: Sequence[str], lang: MailLanguage) -> str:
    and_ = _SUBJECT_WORDS[lang]["and"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {and_} " + names[-1]


def request_subject(what: str, lines: Sequence[ChildLine], verdict: str, lang: MailLanguage) -> str:
    """'Extra dag voor Sem op woensdag 9 december geaccepteerd'. Only the family's own children are in `lines`
    (the mail goes to that family's parents); the date is named when every line is the same single day."""
    words = _SUBJECT_WORDS[lang]
    names = list(dict.fromkeys(line.child_name for line in lines if line.child_name)) or [words["your_child"]]
    days = {(line.starts_on, line.ends_on or line.starts_on) for line in lines}
    on = ""
    if len(days) == 1:
        start, end = next(iter(days))
        if start is not None and start == end:
            on = f" {words['on']} {_short_date(start, lang)}"
    joiner = words["of"] if what == "absence" else words["for"]
    return f"{words[what]} {joiner} {_joined(names, lang)}{on} {words[verdict]}"


def _kind_footer(kind: str, lang: MailLanguage, settings_url: str) -> _Footer:
    return _Footer(_COMMON[lang]["why"].format(topic=_TOPICS[lang][kind]), settings_url)


def _view_action(lang: MailLanguage, link: str | None) -> _Action | None:
    return _Action(_COMMON[lang]["view"], link) if link else None


def render_request_decided(*, display_name: str, language: str, request_kind: str | None,
                           lines: Sequence[ChildLine], link: str | None = None, settings_url: str = "",
                           sender: Sender = Sender()) -> RenderedMail:
    """One mail per parent with every child's outcome: accepted, or rejected with the reason."""
    lang = mail_language(language)
    words = _WORDS[lang]
    items = []
    for line in lines:
        outcome = words["accepted"] if line.outcome == "accepted" else words["rejected"]
        if line.outcome != "accepted" and line.reason:
            outcome += f" ({words['reason']}: {line.reason})"
        items.append(f"{_child_and_dates(line, lang)}: {outcome}")
    accepted = {line.outcome == "accepted" for line in lines}
    verdict = "partly" if len(accepted) > 1 else ("accepted" if accepted == {True} else "rejected")
    subject = request_subject(request_kind if request_kind in ("extra_day", "swap") else "request", lines, verdict,
                              lang)
    values = {"name": first_name(display_name), "request": _request_phrase(request_kind, lang), "subject": subject}
    return _render(REQUEST_DECIDED, lang, values, before=("intro",), items=items, action=_view_action(lang, link),
                   after=("overview",), sender=sender, footer=_kind_footer(REQUEST_DECIDED, lang, settings_url))


def render_request_expired(*, display_name: str, language: str, request_kind: str | None,
                           lines: Sequence[ChildLine], link: str | None = None, settings_url: str = "",
                           sender: Sender = Sender()) -> RenderedMail:
    """Nobody evaluated the request before its last day: the pending lines were withdrawn."""
    lang = mail_language(language)
    items = [_child_and_dates(line, lang) for line in lines]
    subject = request_subject(request_kind if request_kind in ("extra_day", "swap") else "request", lines, "expired",
                              lang)
    values = {"name": first_name(display_name), "request": _request_phrase(request_kind, lang), "subject": subject}
    return _render(REQUEST_EXPIRED, lang, values, before=("intro",), items=items, action=_view_action(lang, link),
                   after=("next",), sender=sender, footer=_kind_footer(REQUEST_EXPIRED, lang, settings_url))


def render_absence_reported(*, display_name: str, language: str, line: ChildLine, reason: str,
                            note: str | None, link: str | None = None, settings_url: str = "",
                            sender: Sender = Sender()) -> RenderedMail:
    """Short confirmation of a registered absence (no evaluation involved)."""
    lang = mail_language(language)
    words = _WORDS[lang]
    item = f"{_child_and_dates(line, lang)}: {words.get(reason, words['other'])}"
    if note:
        item += f" ({words['note']}: {note})"
    values = {"name": first_name(display_name), "subject": request_subject("absence", [line], "registered", lang)}
    return _render(ABSENCE_REPORTED, lang, values, before=("intro",), items=[item], action=_view_action(lang, link),
                   after=("overview",), sender=sender, footer=_kind_footer(ABSENCE_REPORTED, lang, settings_url))


_FONT = "font-family:Arial,Helvetica,sans-serif;"
_P = f'<p style="margin:0 0 14px 0;{_FONT}font-size:15px;line-height:1.5;color:#222222">'


def _render(kind: str, lang: MailLanguage, values: dict[str, str], *, before: tuple[str, ...],
            action: _Action | None, after: tuple[str, ...], sender: Sender, footer: _Footer | None,
            items: Sequence[str] = ()) -> RenderedMail:
    """The one layout: greeting, paragraphs, optional bullet list, optional action link, paragraphs, closing,
    then the footer (why the parent gets this, where to change it) for notification mails.

    HTML is nested tables with inline styles and a viewport meta: what survives Outlook, Gmail and phones.
    """
    phrases, common = _TEXTS[kind][lang], _COMMON[lang]
    organisation = sender.organisation or "Konnect"
    subject = phrases["subject"].format(**values)
    greeting = phrases["greeting"].format(**values)
    first = [phrases[key].format(**values) for key in before]
    last = [phrases[key].format(**values) for key in after]
    closing = common["closing"].format(organisation=organisation)
    reply = (common["replies"].format(organisation=organisation) if sender.reply_to else common["automatic"])

    text_parts = [greeting, *first]
    html_parts = [_p(greeting), *map(_p, first)]
    if items:
        text_parts.append("\n".join(f"- {item}" for item in items))
        html_parts.append(f'<ul style="margin:0 0 14px 0;padding-left:20px;{_FONT}font-size:15px;color:#222222">'
                          + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>")
    if action is not None:
        text_parts.append(f"{action.label}: {action.url}")
        href = escape(action.url, quote=True)
        html_parts.append(
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 14px 0"><tr>'
            f'<td style="background:#2f6f4f;border-radius:4px"><a href="{href}" style="display:inline-block;'
            f'padding:10px 18px;{_FONT}font-size:15px;color:#ffffff;text-decoration:none">{escape(action.label)}</a>'
            "</td></tr></table>"
        )
        html_parts.append(f'<p style="margin:0 0 14px 0;{_FONT}font-size:13px;color:#555555">'
                          f'{escape(common["fallback"])}<br><a href="{href}" style="color:#2f6f4f">'
                          f"{escape(action.url)}</a></p>")
    text_parts += [*last, closing]
    html_parts += [*map(_p, last), _p(closing)]

    foot_text = [reply]
    foot_html = [escape(reply)]
    if footer is not None:
        foot_text = [footer.why, f"{common['change']}: {footer.settings_url}", reply]
        foot_html = [escape(footer.why), f'<a href="{escape(footer.settings_url, quote=True)}" '
                                         f'style="color:#555555">{escape(common["change"])}</a>', escape(reply)]
    text_parts.append("-- \n" + "\n".join(foot_text))

    logo = (f'<img src="{escape(sender.logo_url, quote=True)}" alt="" height="40" '
            f'style="display:block;height:40px;border:0;margin:0 0 8px 0">' if sender.logo_url else "")
    # The preheader: the line mail clients show after the subject in the list; hidden in the mail itself.
    preheader = first[0] if first else subject
    html = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(subject)}</title></head>\n"
        '<body style="margin:0;padding:0;background:#f3f4f2">\n'
        f'<div style="display:none;max-height:0;overflow:hidden;opacity:0;color:#f3f4f2">{escape(preheader)}</div>\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="background:#f3f4f2"><tr><td align="center" style="padding:16px 8px">\n'
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" '
        'style="width:100%;max-width:600px;background:#ffffff;border:1px solid #e2e4e0;border-radius:6px">\n'
        f'<tr><td style="padding:18px 24px;border-bottom:1px solid #e2e4e0;{_FONT}font-size:17px;font-weight:bold;'
        f'color:#2f6f4f">{logo}{escape(organisation)}</td></tr>\n'
        f'<tr><td style="padding:24px">\n' + "\n".join(html_parts) + "\n</td></tr>\n"
        f'<tr><td style="padding:16px 24px;border-top:1px solid #e2e4e0;{_FONT}font-size:12px;line-height:1.5;'
        f'color:#777777">' + "<br>".join(foot_html) + "</td></tr>\n"
        "</table>\n</td></tr></table>\n</body></html>\n"
    )
    return RenderedMail(kind=kind, language=lang, subject=subject, text="\n\n".join(text_parts) + "\n", html=html,
                        sender_name=sender.display_name, reply_to=sender.reply_to)


def _p(text: str) -> str:
    return _P + escape(text).replace("\n", "<br>") + "</p>"


def render_digest(*, display_name: str, language: str, lines: Sequence[str], web_base_url: str,
                  settings_url: str | None = None, sender: Sender = Sender()) -> RenderedMail:
    """One mail listing everything since the previous digest (the caller sends none when there is nothing)."""
    lang = mail_language(language)
    base = web_base_url.rstrip("/")
    values = {"name": first_name(display_name), "count": str(len(lines))}
    action = _Action(_TEXTS[DIGEST][lang]["action"], f"{base}/inbox")
    footer = _Footer(_TEXTS[DIGEST][lang]["why"], settings_url or f"{base}/settings/notifications")
    return _render(DIGEST, lang, values, before=("intro",), items=lines, action=action, after=(), sender=sender,
                   footer=footer)


def render_item_mail(*, display_name: str, language: str, kind: str, title: str, url: str, settings_url: str,
                     sender: Sender = Sender(), preview: str = "") -> RenderedMail:
    """An inbox item mailed at once (kinds without a mail of their own: photos, messages, news...); `preview`:
    the start of a message, quoted under the title (only for parents who chose previews)."""
    lang = mail_language(language)
    values = {"name": first_name(display_name), "title": title, "preview": preview}
    before = ("intro", "preview") if preview else ("intro",)
    return _render(ITEM_MAIL, lang, values, before=before, action=_Action(_TEXTS[ITEM_MAIL][lang]["action"], url),
                   after=(), sender=sender, footer=_kind_footer(kind, lang, settings_url))
