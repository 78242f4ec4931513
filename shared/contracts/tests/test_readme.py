"""The JSON examples in the README are valid against the models they illustrate."""

from __future__ import annotations

import json
import re
from pathlib import Path

from konnect_contracts import Envelope, parse_payload
from konnect_contracts.registry import EVENT_TYPES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def payload_examples() -> list[tuple[str, str]]:
    """(event type, JSON text) for each ``#### <EventType>`` section that holds a json block."""
    found = []
    for section in re.split(r"^#{2,4} ", README, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        if "```json\n" in body and title.split()[0] in EVENT_TYPES:
            found.append((title.split()[0], body.split("```json\n", 1)[1].split("```", 1)[0]))
    return found


def test_envelope_example_parses() -> None:
    first = README.split("```json\n", 1)[1].split("```", 1)[0]
    env = Envelope.model_validate(json.loads(first))
    assert env.event_type == "RequestSubmitted"
    assert parse_payload(env) is not None


def test_payload_examples_validate() -> None:
    checked = []
    for event_type, text in payload_examples():
        EVENT_TYPES[event_type].model_validate(json.loads(text))
        checked.append(event_type)
    assert {"RequestCancelled", "RequestExpired", "AbsenceReported", "ChildEvaluated"} <= set(checked)
