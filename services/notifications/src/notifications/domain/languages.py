"""The languages a parent reads mail in: Dutch by default, English when chosen."""

from typing import Literal

MailLanguage = Literal["nl", "en"]


def mail_language(language: str | None) -> MailLanguage:
    # Anything we have no texts for falls back to Dutch, the product's default.
    return "en" if language == "en" else "nl"
