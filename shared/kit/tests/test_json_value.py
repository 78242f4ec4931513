"""JSON and JSONB read on the lean read path (`konnect_kit.read_pool.json_value`, orjson with json.loads where
orjson would differ) come back exactly as `json.loads` gives them: the same types and values, on PostgreSQL's own
texts of every kind of JSON value."""

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from konnect_kit.db import asyncpg_dsn
from konnect_kit.read_pool import ReadPool, json_value


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 is not 1.0, -0.0 is not 0.0, key order counts)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


EDGES = [
    "0", "-0", "-0.0", "1.0", "1E2", "0e0", "1e-400", "5e-324", "1.7976931348623157e308", "1.8e308", "-1e999",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "123456789012345678901234567890", "-1234567890123456789",
    "123456789012345678", "1234567890123456789.5", "0.1234567890123456789", "9007199254740993.0",
    '"\\u0000"', '"\\ud83d\\ude00"', '"\\ud800"', '"1234567890123456789012"', '"é ü \\n \\"q\\""',
    '{"a": 1, "a": 2}', '{"b": [1, 2.5, -3e+2, true, false, null], "a": {"c": "12345678901234567890"}}',
    "[" * 200 + "]" * 200, '[{"id": "8f0164157d2248798395d524d9392054", "n": 123456789012345678}]',
]


async def decoded(pool: ReadPool, text: str, kind: str) -> tuple[Any, str] | None:
    """(the value as the read path decodes it, PostgreSQL's text of it); None when PostgreSQL refuses the text."""
    try:
        row = await pool.run("fetchrow", f"SELECT CAST($1 AS {kind}) AS v, CAST(CAST($1 AS {kind}) AS text) AS t",
                             [text])
    except Exception as exc:  # e.g. jsonb refuses a lone surrogate or \u0000
        if "invalid input" in str(exc) or "unsupported Unicode" in str(exc) or "cannot be converted" in str(exc):
            return None
        raise
    return row["v"], row["t"]


@pytest.mark.parametrize("kind", ["json", "jsonb"])
async def test_every_kind_of_json_value_reads_as_json_loads_gives_it(fresh_database: str, kind: str) -> None:
    pool = ReadPool(asyncpg_dsn(fresh_database), 1)
    try:
        compared = 0
        for text in EDGES:
            found = await decoded(pool, text, kind)
            if found is None:
                continue
            value, stored = found
            assert same(value, json.loads(stored)), (text, value)
            compared += 1
        assert compared >= len(EDGES) - 3  # jsonb refuses at most the lone surrogate, \u0000 and 1.8e308 / -1e999
    finally:
        await pool.close()


documents = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.integers(min_value=-(2**63), max_value=2**64) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents, ascii_only=st.booleans())
async def test_random_documents_read_as_json_loads_gives_them(fresh_database: str, document: Any,
                                                              ascii_only: bool) -> None:
    text = json.dumps(document, ensure_ascii=ascii_only)
    pool = ReadPool(asyncpg_dsn(fresh_database), 1)
    try:
        for kind in ("json", "jsonb"):
            found = await decoded(pool, text, kind)
            if found is not None:
                assert same(found[0], json.loads(found[1])), (kind, text)
    finally:
        await pool.close()


def test_without_postgresql_a_long_integer_stays_an_integer() -> None:
    # What orjson alone would get wrong (a float), kept exact: the pure part, for a quick look when this fails.
    assert same(json_value(b"[123456789012345678901234567890, -9223372036854775809]"),
                [123456789012345678901234567890, -9223372036854775809])
    assert same(json_value(b'{"x": 1.5, "y": 18}'), {"x": 1.5, "y": 18})
