"""The kit's input types accept exactly what their JSON Schema says (checked with a JSON Schema validator)."""

import json
from datetime import date

import jsonschema_rs
import pytest
from konnect_kit.values import Email, HumanName, SupportedDate, decimal_amount
from pydantic import TypeAdapter, ValidationError


def agree(kind: object, values: list[object]) -> None:
    """For each value: the server takes it exactly when the published schema calls it valid."""
    adapter = TypeAdapter(kind)
    validator = jsonschema_rs.validator_for(adapter.json_schema(), validate_formats=True)
    for value in values:
        try:
            adapter.validate_json(json.dumps(value))
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == validator.is_valid(value), (value, accepted)


def test_supported_dates_are_2000_to_2100_and_say_why():
    agree(SupportedDate, ["2000-01-01", "2100-12-31", "2026-02-28", "1999-12-31", "2101-01-01", "9999-12-31",
                          "0001-01-01", "2026-02-30", "2026-13-01", "26-01-01", "", 20260101])
    with pytest.raises(ValidationError, match="between 2000-01-01 and 2100-12-31"):
        TypeAdapter(SupportedDate).validate_python(date(9999, 12, 31))


def test_names_need_a_visible_character_and_lose_surrounding_space():
    adapter = TypeAdapter(HumanName)
    assert adapter.validate_python("  Åsa de Vries ") == "Åsa de Vries"
    assert adapter.validate_python("🙂") == "🙂" and adapter.validate_python("7") == "7"
    for blank in (" ", "\t\n", "\u200b", "\u00a0", "\u3000", "\u200d\u200e", "...", "-"):
        with pytest.raises(ValidationError, match="letter, digit or symbol"):
            adapter.validate_python(blank)
    agree(HumanName, ["Sanne", " x ", " ", "\u200b", "...", "", "a" * 200, "a" * 201, "é", "+"])


def test_amounts_are_plain_decimals_within_their_digits():
    positive = decimal_amount(integer_digits=8, decimal_places=4, positive=True)
    agree(positive, ["1", "0.0001", "12345678.1234", "0", "", "01", "1.", "+1", " 1", "1e3", "0.00001",
                     "123456789", 1, 1.5, 0, -1, 0.00005, 123456789, 99999999.9999, "0.0100"])
    agree(decimal_amount(integer_digits=8, decimal_places=2, positive=False),
          ["0", "0.00", "9.85", "9.855", "", "-1", 0, 9.85, 100000000])


def test_email_schema_states_the_special_use_domains():
    agree(Email, ["anne@example.nl", "x@y.test", "x@host.localhost", "x@a.invalid", "x@b.local", "x@c.onion",
                  "x@testing.nl", "x@test.nl"])
