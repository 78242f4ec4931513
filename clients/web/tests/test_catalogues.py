"""Every text of the portal is in the Dutch catalogue, translated (no hard-coded text, none forgotten)."""

from konnect_web.catalogue import extract, problems
from konnect_web.i18n import Texts


def test_the_dutch_catalogue_translates_every_text_of_the_portal() -> None:
    assert problems() == []


def test_the_catalogue_finds_texts_in_templates_and_code() -> None:
    ids = {m.id for m in extract()}
    assert "Request a day" in ids  # templates
    assert "E-mail address or password is incorrect." in ids  # N_ in Python


def test_dutch_is_the_default_and_english_the_switch() -> None:
    assert Texts("nl")("Request a day") == "Dag aanvragen"
    assert Texts("en")("Request a day") == "Request a day"
    assert Texts("xx")("Log in") == "Inloggen"  # unknown language: the default
    assert Texts("nl").money("52.5") == "€\xa052,50"
    assert Texts("nl").day("2026-12-09") == "woensdag 9 december"
