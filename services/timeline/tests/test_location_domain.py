"""Pure My location rules: audiences of a family, who staff may address, retention months, observation forms."""

import uuid
from datetime import UTC, datetime

import pytest
from konnect_kit.domain_errors import Invalid
from timeline.domain.location_audience import Placed, family_sees, staff_may_address
from timeline.domain.observations import filled_in
from timeline.domain.retention import months_before, retention_cutoff
from timeline.service_layer.location_rich_text import sanitise, summary

ORG, CENTRUM, NOORD, DOLFIJNEN, EGELTJES = (uuid.uuid4() for _ in range(5))


def test_a_family_sees_its_childrens_organisation_locations_and_groups_only() -> None:
    siblings = [Placed(ORG, CENTRUM, DOLFIJNEN), Placed(ORG, NOORD, EGELTJES)]
    assert family_sees("organisation", ORG, siblings)
    assert family_sees("location", NOORD, siblings) and family_sees("group", DOLFIJNEN, siblings)
    assert not family_sees("group", DOLFIJNEN, [Placed(ORG, CENTRUM, uuid.uuid4())])
    assert not family_sees("organisation", uuid.uuid4(), siblings)
    assert not family_sees("location", ORG, siblings)  # an id only counts for its own kind
    assert not family_sees("organisation", ORG, [])


def test_staff_address_their_own_groups_admins_anything() -> None:
    assert staff_may_address("staff", "group", DOLFIJNEN, [DOLFIJNEN])
    assert not staff_may_address("staff", "group", EGELTJES, [DOLFIJNEN])
    assert not staff_may_address("staff", "location", CENTRUM, [DOLFIJNEN])
    assert staff_may_address("org_admin", "organisation", ORG, [])
    assert not staff_may_address("parent", "group", DOLFIJNEN, [DOLFIJNEN])


@pytest.mark.parametrize(("now", "months", "expected"), [
    (datetime(2030, 3, 31, 9, tzinfo=UTC), 1, datetime(2030, 2, 28, 9, tzinfo=UTC)),
    (datetime(2032, 3, 31, 9, tzinfo=UTC), 1, datetime(2032, 2, 29, 9, tzinfo=UTC)),
    (datetime(2030, 1, 15, 9, tzinfo=UTC), 13, datetime(2028, 12, 15, 9, tzinfo=UTC)),
    (datetime(2030, 5, 1, tzinfo=UTC), 0, datetime(2030, 5, 1, tzinfo=UTC)),
])
def test_months_before_follows_the_calendar(now: datetime, months: int, expected: datetime) -> None:
    assert months_before(now, months) == expected


def test_no_retention_keeps_everything() -> None:
    assert retention_cutoff(datetime(2030, 1, 1, tzinfo=UTC), None) is None


def test_an_observation_form_keeps_the_templates_order_and_refuses_what_it_does_not_ask() -> None:
    questions = [{"question_id": "play", "text": "Spel"}, {"question_id": "talk", "text": "Taal"}]
    assert filled_in(questions, {"talk": " Zinnetjes "}) == [
        {"question_id": "play", "question": "Spel", "answer": ""},
        {"question_id": "talk", "question": "Taal", "answer": "Zinnetjes"}]
    refusals = (({"other": "x"}, "unknown_question"), ({"play": "  "}, "empty_observation"), ({}, "empty_observation"))
    for answers, code in refusals:
        with pytest.raises(Invalid) as refused:
            filled_in(questions, answers)
        assert refused.value.code == code


def test_rich_text_keeps_formatting_and_drops_scripts_handlers_and_bad_links() -> None:
    html = sanitise('<p style="x" onclick="y()">Hoi <em>allemaal</em><iframe src="https://evil"></iframe>'
                    '<a href="javascript:alert(1)">a</a><a href="mailto:info@example.com">mail</a></p><img src=x>')
    assert html == ('<p>Hoi <em>allemaal</em><a rel="noopener noreferrer nofollow">a</a>'
                    '<a href="mailto:info@example.com" rel="noopener noreferrer nofollow">mail</a></p>')
    assert summary("<p>" + "woord " * 100 + "</p>", 20).endswith("…")
