"""Annotated value types every HTTP surface uses for input, so the rules live once and new routes get them.

`SupportedDate` bounds every date a client can send (path, query, body, nested models) to the range the
system works in; `HumanName` makes sure a name shows something. Both say in their JSON Schema exactly what
they accept, so a client (or a fuzzer) generating valid data from the OpenAPI is never refused.
"""

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import email_validator
from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, WithJsonSchema

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# Years 2000..2100 with a real month and day shape; `format: date` rules out 2026-02-30 and the like.
_DATE_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _in_supported_range(value: date) -> date:
    # Far dates are never meaningful here and made date arithmetic (a day or four weeks on) overflow.
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"dates must lie between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


SupportedDate = Annotated[
    date,
    AfterValidator(_in_supported_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_PATTERN,
                    "description": f"A date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}."}),
]


# Letters, marks, numbers and symbols show; separators (spaces), controls, format characters (zero-width
# space, joiners, direction marks), private-use and unassigned code points do not, nor does punctuation alone.
_VISIBLE_CATEGORIES = ("L", "M", "N", "S")


def has_visible_character(text: str) -> bool:
    return any(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES for char in text)


def _visible_stripped(value: str) -> str:
    if not has_visible_character(value):
        raise ValueError("a name needs at least one letter, digit or symbol")
    return value.strip()


def human_name(max_length: int = 200, example: str | None = None) -> Any:
    """A name people read (display name, directory name): it must contain at least one letter, digit or
    symbol, and surrounding white space is dropped before it is stored. The length limits count the value as
    sent, as the schema says.

    The schema's pattern asks for one character that is not white space, punctuation or invisible: the
    generator-friendly approximation of the rule above (it admits every value the server takes).
    """
    return Annotated[
        str,
        Field(min_length=1, max_length=max_length),
        AfterValidator(_visible_stripped),
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": max_length, "pattern": _NAME_PATTERN,
                        **({"examples": [example]} if example else {}),
                        "description": "Must contain a letter, digit or symbol; surrounding spaces are dropped."}),
    ]


_NAME_PATTERN = r"[\p{L}\p{M}\p{N}\p{S}]"

HumanName = human_name(200)  # display names, directory and calendar names
ShortHumanName = human_name(100)  # a child's first or last name


def decimal_amount(*, integer_digits: int, decimal_places: int, positive: bool) -> Any:
    """A decimal sent as a JSON number or as a plain decimal string ("12.5"), with at most the given digits.

    Strings must match the schema's pattern exactly (no sign, exponent, spaces or leading zeros), so what
    the schema promises and what the server takes are the same set; numbers are checked by the bounds.
    """
    fraction = f"[0-9]{{1,{decimal_places}}}"
    if positive:  # some digit is not 0: one alternative per position of the first non-zero digit
        small = "|".join(f"0\\.0{{{zeros}}}[1-9][0-9]{{0,{decimal_places - zeros - 1}}}"
                         for zeros in range(decimal_places))
        pattern = f"^([1-9][0-9]{{0,{integer_digits - 1}}}(\\.{fraction})?|{small})$"
    else:
        pattern = f"^(0|[1-9][0-9]{{0,{integer_digits - 1}}})(\\.{fraction})?$"
    compiled = re.compile(pattern)
    step = Decimal(1).scaleb(-decimal_places)
    largest = Decimal(10) ** integer_digits - step

    def _plain_string(value: Any) -> Any:
        if isinstance(value, str) and not compiled.fullmatch(value):
            raise ValueError(f"use a plain decimal with at most {decimal_places} decimals, e.g. 12.5")
        return value

    bound = {"exclusiveMinimum": 0} if positive else {"minimum": 0}
    return Annotated[
        Decimal,
        BeforeValidator(_plain_string),
        Field(**({"gt": 0} if positive else {"ge": 0}), le=largest,
              max_digits=integer_digits + decimal_places, decimal_places=decimal_places),
        WithJsonSchema({"anyOf": [
            {"type": "number", **bound, "maximum": float(largest), "multipleOf": float(step)},
            {"type": "string", "pattern": pattern},
        ]}),
    ]


# email-validator refuses the special-use top-level domains (RFC 6761: mail there never arrives); the
# schema says so too, so `format: email` alone does not promise addresses the server refuses.
_SPECIAL_USE = "|".join(sorted(email_validator.SPECIAL_USE_DOMAIN_NAMES))
Email = Annotated[
    EmailStr,
    WithJsonSchema({"type": "string", "format": "email",
                    "pattern": rf"^[^@]+@(?![^@]*\.({_SPECIAL_USE})$)(?!({_SPECIAL_USE})$)[^@]+$",
                    "description": f"An e-mail address; special-use domains ({_SPECIAL_USE.replace('|', ', ')}) "
                                   "are refused."}),
]
