"""Answers written straight to JSON (konnect_kit.answers) read exactly as pydantic writes the same values."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as DriverUUID
from hypothesis import given, settings
from hypothesis import strategies as st
from konnect_kit.answers import answer_bytes, json_answer
from pydantic_core import to_json

ids = st.uuids() | st.uuids().map(lambda u: DriverUUID(str(u)))  # as uuid.UUID, and as asyncpg decodes them
values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)))
    | ids | st.dates() | st.times() | st.datetimes(timezones=st.just(UTC)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(values)
def test_values_are_written_as_pydantic_writes_them(content: Any) -> None:
    assert answer_bytes(content) == to_json(content)


@pytest.mark.parametrize("value", [Decimal("8.50"), object(), {1, 2}])
def test_a_value_without_a_json_form_fails_instead_of_being_written_some_other_way(value: Any) -> None:
    with pytest.raises(TypeError):
        answer_bytes({"price": value})


def test_the_answer_is_json_with_its_status() -> None:
    answer = json_answer({"day": date(2026, 12, 7), "at": datetime(2026, 12, 7, 7, 30, tzinfo=UTC)}, 201)
    assert (answer.status_code, answer.headers["content-type"]) == (201, "application/json")
    assert answer.body == b'{"day":"2026-12-07","at":"2026-12-07T07:30:00Z"}'
