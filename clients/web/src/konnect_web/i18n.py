"""Texts through gettext catalogues (Babel): English message ids, Dutch catalogue, compiled when the app starts;
dates and amounts formatted for the chosen language."""

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "nl"
LOCALE_OF = {"nl": "nl_NL", "en": "en_GB"}
# The API answers moments in UTC; a parent reads them on the day-care's clock.
TIMEZONE = get_timezone("Europe/Amsterdam")


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of a language (English is the message ids themselves)."""
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Texts:
    """The `_` of one request: translates, then fills in named values."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LOCALE_OF else DEFAULT_LANGUAGE
        self.locale = LOCALE_OF[self.language]
        self._t = translations(self.language)

    def __call__(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self._t.ngettext(singular, plural, n) % {"n": n, **values}

    def day(self, value: date | str, form: str = "EEEE d MMMM") -> str:
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value, form, locale=self.locale)

    def moment(self, value: str, form: str = "d MMMM y") -> str:
        """An API timestamp (ISO 8601, UTC) as the day-care's local date or time."""
        return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")), form, tzinfo=TIMEZONE,
                               locale=self.locale)

    def number(self, value: float | Decimal) -> str:
        return format_decimal(value, "#,##0.#", locale=self.locale)

    def money(self, value: str | Decimal | None) -> str:
        return "" if value is None else format_currency(Decimal(value), "EUR", locale=self.locale)
