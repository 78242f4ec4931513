"""The pure messaging rules: texts, previews, which group's staff take part, the group a parent writes to, claims."""

import uuid
from datetime import date

import pytest
from konnect_kit.domain_errors import Invalid
from messaging.domain.attachments import claimed_kind, require_claim_holds
from messaging.domain.conversations import (
    MAX_TEXT,
    Placement,
    choose_group,
    clean_text,
    placement_current,
    preview,
    sender_role,
    staff_groups_of_child_conversation,
)

DOLFIJNEN, VLINDERS = uuid.uuid4(), uuid.uuid4()


def test_texts_are_trimmed_and_empty_or_oversized_ones_refused() -> None:
    assert clean_text("  Hallo\n") == "Hallo"
    assert clean_text("\u3000Hoi\u00a0") == "Hoi"
    assert clean_text("x" * MAX_TEXT) == "x" * MAX_TEXT
    for text, code in ((" \t\n", "empty_text"), ("x" * (MAX_TEXT + 1), "text_too_long")):
        with pytest.raises(Invalid) as refused:
            clean_text(text)
        assert refused.value.code == code


def test_a_preview_is_one_short_line() -> None:
    assert preview("Sem heeft\n\nslecht  geslapen.") == "Sem heeft slecht geslapen."
    long = preview("woord " * 100)
    assert len(long) <= 120 and long.endswith("…")


def test_the_role_shown_with_a_message() -> None:
    assert [sender_role(r) for r in ("parent", "staff", "org_admin")] == ["parent", "staff", "admin"]


def test_the_chosen_group_s_staff_take_part_until_the_child_leaves_it() -> None:
    assert staff_groups_of_child_conversation(DOLFIJNEN, {DOLFIJNEN, VLINDERS}) == {DOLFIJNEN}
    # Moved: the new group's staff from then on, the old group's no longer.
    assert staff_groups_of_child_conversation(DOLFIJNEN, {VLINDERS}) == {VLINDERS}
    assert staff_groups_of_child_conversation(DOLFIJNEN, set()) == set()


def test_a_placement_counts_until_its_last_day() -> None:
    placement = Placement(uuid.uuid4(), DOLFIJNEN, date(2026, 1, 5), date(2026, 6, 30))
    assert placement_current(placement, date(2026, 6, 30)) and not placement_current(placement, date(2026, 7, 1))
    assert placement_current(Placement(uuid.uuid4(), DOLFIJNEN, date(2027, 1, 1), None), date(2026, 6, 1))


def test_a_parent_chooses_the_group_only_when_the_child_has_several() -> None:
    assert choose_group(None, {DOLFIJNEN}) == DOLFIJNEN
    assert choose_group(VLINDERS, {DOLFIJNEN, VLINDERS}) == VLINDERS
    for requested, groups, code in ((None, {DOLFIJNEN, VLINDERS}, "group_required"),
                                    (VLINDERS, {DOLFIJNEN}, "group_not_of_child"),
                                    (None, set(), "child_not_placed")):
        with pytest.raises(Invalid) as refused:
            choose_group(requested, groups)
        assert refused.value.code == code


def test_a_file_name_s_claim_must_match_its_bytes() -> None:
    assert claimed_kind("Sem.JPG") == "photo" and claimed_kind("brief.pdf") == "document"
    assert claimed_kind("zonder-extensie") is None and claimed_kind(".pdf") is None
    require_claim_holds("brief.pdf", "document")
    require_claim_holds("scan", "photo")
    with pytest.raises(Invalid) as refused:
        require_claim_holds("foto.jpg", "document")
    assert refused.value.code == "type_mismatch"
