"""Committed JSON Schemas and the AsyncAPI document match the code, and change only compatibly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from konnect_contracts import schema_export
from konnect_contracts.compat import breaking_changes
from konnect_contracts.registry import EVENT_TYPES
from konnect_contracts.schema_export import generate_files, json_schema_for

CONTRACTS_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = CONTRACTS_ROOT / "schemas"
SCHEMA_FILE = re.compile(r"^(?P<event_type>[A-Za-z0-9]+)\.v(?P<version>\d+)\.json$")
COMMITTED = sorted(p for p in SCHEMA_DIR.glob("*.json") if SCHEMA_FILE.match(p.name))


def test_export_locates_the_source_checkout() -> None:
    assert schema_export.DEFAULT_ROOT == CONTRACTS_ROOT


def test_committed_files_equal_generated() -> None:
    assert schema_export.check(CONTRACTS_ROOT) == []
    for rel, text in generate_files().items():
        assert (CONTRACTS_ROOT / rel).read_text(encoding="utf-8") == text, rel


def test_every_event_has_a_committed_schema_of_its_current_version() -> None:
    names = {p.name for p in COMMITTED}
    for cls in EVENT_TYPES.values():
        assert f"{cls.EVENT_TYPE}.v{cls.SCHEMA_VERSION}.json" in names


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_schema_changes_compatibly_or_version_is_bumped(path: Path) -> None:
    committed = json.loads(path.read_text(encoding="utf-8"))
    event_type = SCHEMA_FILE.match(path.name)["event_type"]  # type: ignore[index]
    assert event_type in EVENT_TYPES, f"{event_type} was removed: removing an event is breaking"
    cls = EVENT_TYPES[event_type]
    assert committed["x-schema-version"] <= cls.SCHEMA_VERSION
    if cls.SCHEMA_VERSION > committed["x-schema-version"]:
        return  # a new version may break; the old file stays as history
    generated = json_schema_for(cls)
    assert breaking_changes(committed, generated) == [], f"{event_type} changed incompatibly: bump SCHEMA_VERSION"


def test_generation_is_deterministic_and_newline_terminated() -> None:
    first, second = generate_files(), generate_files()
    assert first == second
    for rel, text in first.items():
        assert text.endswith("}\n"), rel
        assert json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text


def test_json_schema_metadata() -> None:
    schema = json_schema_for(EVENT_TYPES["ChildEvaluated"])
    assert schema["x-event-type"] == "ChildEvaluated"
    assert schema["x-schema-version"] == 1
    assert schema["x-topic"] == "planning.evaluations.v1"
    assert schema["x-key"] == "family_id"
    assert schema["properties"]["evaluated_by"]["enum"] == ["staff", "erp"]


def test_asyncapi_document_refs_resolve() -> None:
    doc = schema_export.asyncapi_document()
    assert doc["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in doc["channels"].values()}
    assert "planning.requests.v1" in addresses
    assert set(doc["components"]["messages"]) == set(EVENT_TYPES)

    def resolve(ref: str) -> object:
        node: object = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(node, dict) and part in node, ref
            node = node[part]
        return node

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    channel = next(c for c in doc["channels"].values() if c["address"] == "planning.evaluations.v1")
    assert list(channel["messages"]) == ["ChildEvaluated"]
    assert channel["bindings"]["kafka"]["partitions"] == 6


def test_check_detects_stale_modified_and_unknown_files(tmp_path: Path) -> None:
    assert schema_export.main(["--out", str(tmp_path)]) == 0
    assert schema_export.check(tmp_path) == []
    assert schema_export.main(["--check", "--out", str(tmp_path)]) == 0

    target = tmp_path / "schemas" / "RequestExpired.v1.json"
    target.write_text(target.read_text().replace('"request_id"', '"request_ref"'))
    (tmp_path / "schemas" / "GoneEvent.v1.json").write_text("{}\n")
    problems = schema_export.check(tmp_path)
    assert any("RequestExpired.v1.json" in p for p in problems)
    assert any("GoneEvent.v1.json" in p for p in problems)
    assert schema_export.main(["--check", "--out", str(tmp_path)]) == 1


def test_write_refuses_an_incompatible_overwrite(tmp_path: Path) -> None:
    schema_export.write(tmp_path)
    target = tmp_path / "schemas" / "ChildEvaluated.v1.json"
    # Pretend the published v1 had a property the code no longer has: regenerating would remove it.
    published = json.loads(target.read_text())
    published["properties"]["legacy_code"] = {"type": "string"}
    target.write_text(schema_export.dump_json(published))
    refused = schema_export.write(tmp_path)
    assert len(refused) == 1 and "legacy_code" in refused[0]
    assert "legacy_code" in target.read_text()  # left untouched
    assert schema_export.main(["--out", str(tmp_path)]) == 2
    assert schema_export.write(tmp_path, force=True) == []
    assert "legacy_code" not in target.read_text()
