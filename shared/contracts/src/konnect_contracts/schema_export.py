"""JSON Schema and AsyncAPI export of the contracts.

    python -m konnect_contracts.schema_export            # regenerate shared/contracts/schemas + asyncapi.json
    python -m konnect_contracts.schema_export --check    # exit 1 if the committed files are stale
    python -m konnect_contracts.schema_export --out DIR  # write DIR/schemas/*.json and DIR/asyncapi.json

``schemas/<EventType>.v<N>.json`` files of older versions are kept (history for integrators). Writing
refuses to overwrite an existing ``<EventType>.v<N>.json`` with an incompatible schema: bump
``SCHEMA_VERSION`` instead (or pass ``--force`` while the version is still unreleased).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from konnect_contracts.compat import breaking_changes
from konnect_contracts.envelope import (
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    Envelope,
    EventPayload,
)
from konnect_contracts.registry import EVENT_TYPES
from konnect_contracts.topics import ERP_CLIENT_ID_PATTERN, ERP_OUTBOUND_EVENT_TYPES, TOPICS

CONTRACTS_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
DEFAULT_ROOT = Path(__file__).resolve().parents[2]
"""``shared/contracts`` in a source checkout (holds ``schemas/`` and ``asyncapi.json``)."""

_SCHEMA_FILE = re.compile(r"^(?P<event_type>[A-Za-z0-9]+)\.v(?P<version>\d+)\.json$")


def schema_filename(cls: type[EventPayload]) -> str:
    return f"{cls.EVENT_TYPE}.v{cls.SCHEMA_VERSION}.json"


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
"""How money and credit amounts travel as strings: plain decimals (no exponent), e.g. "12.50"."""


def _decimal_patterns(node: Any) -> Any:
    """Give every decimal field's string form its pattern (pydantic says only "number or string")."""
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list) and any(isinstance(b, dict) and b.get("type") == "number" for b in branches):
            for branch in branches:
                if branch == {"type": "string"}:
                    branch["pattern"] = DECIMAL_PATTERN
        for value in node.values():
            _decimal_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _decimal_patterns(value)
    return node


def json_schema_for(cls: type[EventPayload]) -> dict[str, Any]:
    """The payload's JSON Schema (validation mode) plus ``x-event-type``/``x-schema-version``/
    ``x-topic``/``x-key``."""
    schema = _decimal_patterns(cls.model_json_schema())
    schema["title"] = cls.EVENT_TYPE
    schema["x-event-type"] = cls.EVENT_TYPE
    schema["x-schema-version"] = cls.SCHEMA_VERSION
    schema["x-topic"] = cls.TOPIC
    schema["x-key"] = cls.KEY_FIELD
    return schema


def envelope_schema() -> dict[str, Any]:
    return Envelope.model_json_schema()


def _component_schema(model: type[Any], components: dict[str, Any]) -> dict[str, Any]:
    schema = _decimal_patterns(model.model_json_schema(ref_template="#/components/schemas/{model}"))
    for name, definition in schema.pop("$defs", {}).items():
        existing = components.get(name)
        if existing is not None and existing != definition:
            raise RuntimeError(f"two different nested models are both named {name!r}")
        components[name] = definition
    return schema


def _channel_id(topic: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", topic)


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 document: one channel per topic, one message per event type.

    Each message's payload is the envelope whose ``payload`` is the event's schema.
    """
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas["Envelope"] = _component_schema(Envelope, schemas)
    for event_type, cls in EVENT_TYPES.items():
        schema = _component_schema(cls, schemas)
        schema["title"] = event_type
        schema["x-schema-version"] = cls.SCHEMA_VERSION
        schemas[event_type] = schema
        messages[event_type] = {
            "name": event_type,
            "title": event_type,
            "summary": (cls.__doc__ or event_type).strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    HEADER_EVENT_TYPE: {"type": "string", "const": event_type},
                    HEADER_CORRELATION_ID: {"type": "string"},
                    HEADER_EVENT_ID: {"type": "string", "format": "uuid"},
                },
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": event_type},
                            "schema_version": {"const": cls.SCHEMA_VERSION},
                            "payload": {"$ref": f"#/components/schemas/{event_type}"},
                        },
                    },
                ]
            },
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "description": f"str(payload.{cls.KEY_FIELD})"},
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in TOPICS:
        channel_id = _channel_id(spec.name)
        channels[channel_id] = {
            "address": spec.name,
            "description": f"{spec.description} Key: {spec.key}.",
            "messages": {et: {"$ref": f"#/components/messages/{et}"} for et in spec.event_types},
            "bindings": {
                "kafka": {
                    "topic": spec.name,
                    "partitions": spec.partitions,
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
        operations[f"receive_{channel_id}"] = {
            "action": "receive",
            "summary": f"Consume {spec.name}.",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{et}"} for et in spec.event_types],
        }
    client = {"client": {"description": f"The ERP client id (matches {ERP_CLIENT_ID_PATTERN}).",
                         "examples": ["regenboog"]}}
    # Each ERP client has its own pair of topics (broker ACLs keep clients apart): it reads the integrator
    # events of its organisations and writes the evaluations of their lines.
    channels["erpRequests"] = {
        "address": "erp.{client}.requests.v1",
        "description": "Written by planning, read by one ERP client: the integrator events of the client's "
        "organisations (copies of planning.requests.v1 and planning.evaluations.v1). Key: family_id.",
        "parameters": client,
        "messages": {et: {"$ref": f"#/components/messages/{et}"} for et in ERP_OUTBOUND_EVENT_TYPES},
    }
    channels["erpEvaluations"] = {
        "address": "erp.{client}.evaluations.v1",
        "description": "Written by one ERP client, read by planning: ChildEvaluated for lines of the client's "
        "own organisations only (planning dead-letters any other). Key: family_id.",
        "parameters": client,
        "messages": {"ChildEvaluated": {"$ref": "#/components/messages/ChildEvaluated"}},
    }
    operations["receive_erpRequests"] = {
        "action": "receive",
        "summary": "An ERP client reads its integrator events.",
        "channel": {"$ref": "#/channels/erpRequests"},
        "messages": [{"$ref": f"#/channels/erpRequests/messages/{et}"} for et in ERP_OUTBOUND_EVENT_TYPES],
    }
    operations["send_erpEvaluations"] = {
        "action": "send",
        "summary": "An ERP client sends its evaluation of one child's line of a request.",
        "channel": {"$ref": "#/channels/erpEvaluations"},
        "messages": [{"$ref": "#/channels/erpEvaluations/messages/ChildEvaluated"}],
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Konnect events",
            "version": CONTRACTS_VERSION,
            "description": "Event contracts of the Konnect parent portal. Every message value is a JSON "
            "envelope; consumers must ignore unknown fields and unknown event types, and deduplicate "
            "on event_id (at-least-once delivery).",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The broker `make up` starts (KRaft, one node). Every client authenticates; "
                "its ACLs follow the topic catalogue (ERP clients: their own erp.<client>. topics only).",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "SASL/SCRAM-SHA-512 with one principal per service (`<service>`) and per ERP "
                    "client (`erp.<client>`); credentials are handed out by the operator.",
                },
            },
        },
    }


def dump_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate_files() -> dict[str, str]:
    """Relative path (``schemas/…`` or ``asyncapi.json``) → file text."""
    files = {f"schemas/{schema_filename(cls)}": dump_json(json_schema_for(cls)) for cls in EVENT_TYPES.values()}
    files["schemas/Envelope.json"] = dump_json(envelope_schema())
    files["asyncapi.json"] = dump_json(asyncapi_document())
    return dict(sorted(files.items()))


def check(root: Path) -> list[str]:
    """Differences between the files under ``root`` and what the code generates."""
    problems: list[str] = []
    for rel, text in generate_files().items():
        path = root / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{rel}: differs from the generated schema")
    schema_dir = root / "schemas"
    if schema_dir.is_dir():
        for path in sorted(schema_dir.glob("*.json")):
            match = _SCHEMA_FILE.match(path.name)
            if path.name == "Envelope.json" or match is None:
                continue
            cls = EVENT_TYPES.get(match["event_type"])
            if cls is None:
                problems.append(f"schemas/{path.name}: event type no longer defined (removal is breaking)")
            elif int(match["version"]) > cls.SCHEMA_VERSION:
                problems.append(f"schemas/{path.name}: newer than SCHEMA_VERSION {cls.SCHEMA_VERSION}")
    return problems


def write(root: Path, *, force: bool = False) -> list[str]:
    """Write the generated files under ``root``; returns refusals (incompatible overwrites)."""
    refused: list[str] = []
    for rel, text in generate_files().items():
        path = root / rel
        if path.is_file() and rel.startswith("schemas/") and rel != "schemas/Envelope.json" and not force:
            changes = breaking_changes(json.loads(path.read_text(encoding="utf-8")), json.loads(text))
            if changes:
                refused.append(f"{rel}: incompatible without a SCHEMA_VERSION bump: " + "; ".join(changes))
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m konnect_contracts.schema_export",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from the code")
    parser.add_argument("--out", type=Path, help="directory receiving schemas/ and asyncapi.json")
    parser.add_argument("--force", action="store_true", help="overwrite even incompatible schema files")
    args = parser.parse_args(argv)
    root: Path | None = args.out
    if root is None:
        if not (DEFAULT_ROOT / "schemas").is_dir():
            parser.error("no source checkout found (installed package?): pass --out DIR")
        root = DEFAULT_ROOT
    if args.check:
        problems = check(root)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("schemas are stale: run python -m konnect_contracts.schema_export", file=sys.stderr)
            return 1
        return 0
    refused = write(root, force=args.force)
    for problem in refused:
        print(problem, file=sys.stderr)
    return 2 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
