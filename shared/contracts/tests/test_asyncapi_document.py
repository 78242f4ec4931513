"""What the AsyncAPI document and the JSON Schemas must say (issue 9): servers with their security, the
ERP's side of ChildEvaluated as a send, and money that travels as plain decimal strings."""

import re

from konnect_contracts.events.credits import CreditGranted, CreditReserved
from konnect_contracts.events.requests import RequestSubmitted
from konnect_contracts.schema_export import DECIMAL_PATTERN, asyncapi_document, json_schema_for


def test_servers_declare_sasl_scram_security() -> None:
    doc = asyncapi_document()
    [server] = doc["servers"].values()
    assert server["protocol"] == "kafka"
    [ref] = server["security"]
    scheme = doc["components"]["securitySchemes"][ref["$ref"].rsplit("/", 1)[-1]]
    assert scheme["type"] == "scramSha512"


def test_an_erp_sends_child_evaluated_on_its_own_evaluations_topic() -> None:
    doc = asyncapi_document()
    sends = [op for op in doc["operations"].values() if op["action"] == "send"]
    assert [op["channel"]["$ref"] for op in sends] == ["#/channels/erpEvaluations"]
    channel = doc["channels"]["erpEvaluations"]
    assert channel["address"] == "erp.{client}.evaluations.v1" and set(channel["messages"]) == {"ChildEvaluated"}


def test_money_fields_have_a_decimal_pattern() -> None:
    for cls, field in ((CreditGranted, "amount"), (CreditReserved, "remaining")):
        strings = [b for b in json_schema_for(cls)["properties"][field]["anyOf"] if b.get("type") == "string"]
        assert strings == [{"type": "string", "pattern": DECIMAL_PATTERN}]
    line = json_schema_for(RequestSubmitted)["$defs"]["RequestLine"]["properties"]["price"]
    assert {"type": "string", "pattern": DECIMAL_PATTERN} in line["anyOf"]
    assert re.match(DECIMAL_PATTERN, "12.50") and not re.match(DECIMAL_PATTERN, "1E+2")
