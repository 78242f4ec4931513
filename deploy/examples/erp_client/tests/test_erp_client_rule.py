"""The example ERP's pure parts: the decision rule, the evaluations it yields, stable event ids, the CLI."""

import uuid
from datetime import date

from erp_client.__main__ import parse_args
from erp_client.rule import Rule, decide, evaluation_event_id, evaluations
from konnect_contracts.events.requests import RequestLine, RequestSubmitted

MON, WED, FRI = date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 13)


def line(child_id: uuid.UUID | None = None, starts_on: date = MON, ends_on: date | None = None) -> RequestLine:
    return RequestLine(line_id=uuid.uuid4(), child_id=child_id or uuid.uuid4(), group_id=uuid.uuid4(),
                       starts_on=starts_on, ends_on=ends_on or starts_on, day_part_ids=(uuid.uuid4(),))


def test_default_rule_accepts_everything() -> None:
    assert decide(line(), Rule()) == ("accepted", None)
    assert decide(line(starts_on=MON, ends_on=FRI), Rule()) == ("accepted", None)


def test_listed_children_are_rejected_with_group_full() -> None:
    child = uuid.uuid4()
    rule = Rule(reject_children=frozenset({child}))
    assert decide(line(child), rule) == ("rejected", "Groep vol")
    assert decide(line(), rule) == ("accepted", None)


def test_weekday_rule_uses_monday_zero_and_checks_every_day_of_a_period() -> None:
    rule = Rule(reject_weekdays=frozenset({2}))  # Wednesday
    assert decide(line(starts_on=WED), rule) == ("rejected", "Groep vol")
    assert decide(line(starts_on=MON), rule) == ("accepted", None)
    assert decide(line(starts_on=MON, ends_on=FRI), rule)[0] == "rejected"  # the period contains a Wednesday
    assert decide(line(starts_on=date(2026, 3, 12), ends_on=FRI), rule)[0] == "accepted"
    assert decide(line(starts_on=WED), Rule(reject_weekdays=frozenset({2}), reason="Dicht"))[1] == "Dicht"


def test_one_evaluation_per_line_by_the_erp() -> None:
    rejected_child = uuid.uuid4()
    request = RequestSubmitted(request_id=uuid.uuid4(), organisation_id=uuid.uuid4(), family_id=uuid.uuid4(),
                               kind="extra_day", submitted_by_account_id=uuid.uuid4(),
                               lines=(line(), line(rejected_child)))
    out = evaluations(request, Rule(reject_children=frozenset({rejected_child})), evaluator_id="example-erp")
    assert [(e.line_id, e.outcome, e.reason) for e in out] == [
        (request.lines[0].line_id, "accepted", None), (request.lines[1].line_id, "rejected", "Groep vol")]
    assert {(e.evaluated_by, e.evaluator_id, e.family_id, e.request_id) for e in out} == {
        ("erp", "example-erp", request.family_id, request.request_id)}
    assert out[0].partition_key() == str(request.family_id)


def test_evaluation_event_ids_are_stable_per_event_and_line() -> None:
    event, line_id = uuid.uuid4(), uuid.uuid4()
    assert evaluation_event_id(event, line_id) == evaluation_event_id(event, line_id)
    assert evaluation_event_id(event, line_id) != evaluation_event_id(event, uuid.uuid4())
    assert evaluation_event_id(event, line_id) != evaluation_event_id(uuid.uuid4(), line_id)


def test_command_line() -> None:
    child = uuid.uuid4()
    config = parse_args(["--reject-child", str(child), "--reject-weekday", "4", "--reject-weekday", "0"])
    assert config.rule == Rule(frozenset({child}), frozenset({0, 4}), "Groep vol")
    assert (config.group, config.evaluator_id, config.bootstrap_servers) == (
        "erp.example.evaluator", "example-erp", "127.0.0.1:9092")
    assert (config.username, config.requests_topic, config.evaluations_topic) == (
        "erp.example", "erp.example.requests.v1", "erp.example.evaluations.v1")
    assert config.auto_offset_reset == "earliest" and config.organisations == frozenset()
