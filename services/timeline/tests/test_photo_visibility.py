"""The photo-consent rule on its own: siblings, a child without consent, two families without it."""

import uuid

from timeline.domain.photo_visibility import (
    Tag,
    children_without_consent,
    families_shown_to,
    family_sees,
    withheld_children,
)

DEJONG, JANSEN, BAKKER, OTHER = (uuid.uuid4() for _ in range(4))
SEM, LOTTE, NOAH, MILA = (uuid.uuid4() for _ in range(4))


def tag(child: uuid.UUID, family: uuid.UUID, consent: bool) -> Tag:
    return Tag(child, family, consent)


def test_siblings_without_consent_are_shown_to_their_own_family():
    tags = [tag(SEM, DEJONG, False), tag(LOTTE, DEJONG, False)]
    assert families_shown_to(tags) == {DEJONG}
    assert children_without_consent(tags) == [] and withheld_children(tags) == []


def test_a_child_without_consent_keeps_the_photo_in_its_own_family():
    tags = [tag(SEM, DEJONG, False), tag(NOAH, JANSEN, True)]
    assert family_sees(DEJONG, tags) and not family_sees(JANSEN, tags)
    assert children_without_consent(tags) == [SEM] and withheld_children(tags) == [NOAH]


def test_two_families_without_consent_see_nothing_and_untagged_families_never():
    tags = [tag(SEM, DEJONG, False), tag(MILA, BAKKER, False)]
    assert families_shown_to(tags) == set()
    assert not family_sees(OTHER, [tag(NOAH, JANSEN, True)])
    assert families_shown_to([tag(NOAH, JANSEN, True), tag(MILA, BAKKER, True)]) == {JANSEN, BAKKER}
