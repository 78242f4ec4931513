"""Unit tests of breaking_changes on small hand-written schema pairs."""

from __future__ import annotations

import copy
from typing import Any

from konnect_contracts.compat import breaking_changes

BASE: dict[str, Any] = {
    "title": "Thing",
    "type": "object",
    "x-event-type": "Thing",
    "x-schema-version": 1,
    "x-topic": "things.v1",
    "x-key": "thing_id",
    "properties": {
        "thing_id": {"type": "string", "format": "uuid"},
        "count": {"type": "integer"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "colour": {"enum": ["red", "green"], "type": "string"},
        "when": {"type": "string", "format": "date"},
        "line": {"$ref": "#/$defs/Line"},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
        "maybe_line": {"anyOf": [{"$ref": "#/$defs/Line"}, {"type": "null"}], "default": None},
    },
    "required": ["thing_id", "count", "colour", "when", "line", "lines"],
    "$defs": {
        "Line": {
            "type": "object",
            "properties": {
                "line_id": {"type": "string", "format": "uuid"},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "amount": {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]},
            },
            "required": ["line_id", "kind"],
        }
    },
}


def changed(mutate) -> list[str]:  # type: ignore[no-untyped-def]
    new = copy.deepcopy(BASE)
    mutate(new)
    return breaking_changes(BASE, new)


def test_identical_schema_is_compatible() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_removed_property_is_breaking() -> None:
    def mutate(s: dict[str, Any]) -> None:
        del s["properties"]["note"]

    problems = changed(mutate)
    assert len(problems) == 1 and "note" in problems[0] and "removed" in problems[0]


def test_type_change_is_breaking() -> None:
    problems = changed(lambda s: s["properties"]["count"].update(type="string"))
    assert len(problems) == 1 and "count" in problems[0] and "type changed" in problems[0]


def test_format_change_is_breaking() -> None:
    problems = changed(lambda s: s["properties"]["when"].update(format="date-time"))
    assert problems and "when" in problems[0]


def test_type_change_inside_optional_any_of_is_breaking() -> None:
    problems = changed(lambda s: s["properties"]["note"]["anyOf"][0].update(type="integer"))
    assert problems and "note" in problems[0]


def test_optional_made_non_nullable_is_breaking_but_nullable_widening_is_not() -> None:
    assert changed(lambda s: s["properties"].update(note={"type": "string"}))
    widened = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert changed(lambda s: s["properties"].update(count=widened)) == []


def test_new_required_property_is_breaking() -> None:
    def mutate(s: dict[str, Any]) -> None:
        s["properties"]["extra"] = {"type": "string"}
        s["required"].append("extra")

    problems = changed(mutate)
    assert len(problems) == 1 and "extra" in problems[0] and "required" in problems[0]


def test_optional_property_made_required_is_breaking() -> None:
    problems = changed(lambda s: s["required"].append("note"))
    assert problems == ["$.note: optional property became required"]


def test_added_optional_property_is_compatible() -> None:
    def mutate(s: dict[str, Any]) -> None:
        s["properties"]["extra"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
        s["$defs"]["Line"]["properties"]["hint"] = {"type": "string", "default": ""}

    assert changed(mutate) == []


def test_enum_value_removed_is_breaking_and_added_is_compatible() -> None:
    problems = changed(lambda s: s["properties"]["colour"].update(enum=["red"]))
    assert problems == ["$.colour: enum value 'green' removed"]
    assert changed(lambda s: s["properties"]["colour"].update(enum=["red", "green", "blue"])) == []


def test_changes_inside_defs_are_found_through_refs() -> None:
    problems = changed(lambda s: s["$defs"]["Line"]["properties"]["kind"].update(enum=["a"]))
    assert problems and all("kind" in p and "'b'" in p for p in problems)
    problems = changed(lambda s: s["$defs"]["Line"]["properties"].pop("line_id"))
    assert any("line_id" in p and "removed" in p for p in problems)
    problems = changed(lambda s: s["$defs"]["Line"]["required"].append("amount"))
    assert any("amount" in p for p in problems)


def test_union_alternative_removed_is_breaking() -> None:
    problems = changed(lambda s: s["$defs"]["Line"]["properties"]["amount"]["anyOf"].pop(1))
    assert any("amount" in p and "string" in p for p in problems)


def test_ref_target_change_is_breaking() -> None:
    def mutate(s: dict[str, Any]) -> None:
        s["$defs"]["Other"] = copy.deepcopy(s["$defs"]["Line"])
        s["properties"]["line"] = {"$ref": "#/$defs/Other"}

    problems = changed(mutate)
    assert len(problems) == 1 and "line" in problems[0] and "Other" in problems[0]


def test_array_item_type_change_is_breaking() -> None:
    problems = changed(lambda s: s["properties"]["lines"].update(items={"type": "string"}))
    assert problems and "lines[]" in problems[0]


def test_topic_or_key_change_is_breaking() -> None:
    assert changed(lambda s: s.update({"x-topic": "things.v2"}))
    assert changed(lambda s: s.update({"x-key": "other_id"}))
    assert changed(lambda s: s.update({"x-schema-version": 2})) == []
