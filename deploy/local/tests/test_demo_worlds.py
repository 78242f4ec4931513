"""The demo's worlds: the demo keeps the ids and addresses it always had, a twin shares none of them."""

import uuid

from konnect_devstack.demo import (
    CHILDREN,
    DEMO,
    FAMILIES,
    REGENBOOG,
    SPEELHUIS,
    STAFF,
    TWIN_REGENBOOG,
    Seeder,
    demo_id,
)


def test_the_demo_world_is_the_demo_as_it_always_was() -> None:
    # Stacks seeded before worlds existed are seeded again on every `make up`: the same ids update, not duplicate.
    assert DEMO.organisation(REGENBOOG) == REGENBOOG == str(uuid.uuid5(
        uuid.UUID("6f1e7a4c-2d1b-4c8e-9d51-0a9b8c7d6e5f"), "org:regenboog"))
    assert DEMO.organisations == {"regenboog": REGENBOOG, "speelhuis": SPEELHUIS}
    assert DEMO.id("child:sem") == demo_id("child:sem")
    assert DEMO.email("anne.dejong@demo.konnect.nl") == "anne.dejong@demo.konnect.nl"


def test_a_twin_shares_no_id_or_address_with_the_demo() -> None:
    keys = [f"child:{c[0]}" for c in CHILDREN] + [f"family:{f[0]}" for f in FAMILIES] + [f"staff:{s[0]}" for s in STAFF]
    keys += ["org:regenboog", "loc:centrum", "group:dolfijnen", "placement:sem", "credit:sem-2026", "message:sem-slaap"]
    assert not {DEMO.id(k) for k in keys} & {TWIN_REGENBOOG.id(k) for k in keys}
    assert len({TWIN_REGENBOOG.id(k) for k in keys}) == len(keys)
    addresses = [email for *_, email, _, _ in STAFF] + [p[2] for f in FAMILIES for p in f[3]]
    assert not set(addresses) & {TWIN_REGENBOOG.email(a) for a in addresses}
    assert TWIN_REGENBOOG.email("anne.dejong@demo.konnect.nl") == "anne.dejong@twin.konnect.nl"


def test_a_twin_of_one_organisation_seeds_only_its_people() -> None:
    twin = Seeder("http://127.0.0.1:9", "http://127.0.0.1:9", TWIN_REGENBOOG)
    assert TWIN_REGENBOOG.organisations == {"regenboog": TWIN_REGENBOOG.organisation(REGENBOOG)}
    assert not TWIN_REGENBOOG.has(SPEELHUIS)
    assert {key for key, *_ in twin._staff()} == {"sanne", "mohamed", "petra"}
    assert {key for key, *_ in twin._families()} == {"dejong", "jansen-bos", "yilmaz"}
    demo = Seeder("http://127.0.0.1:9", "http://127.0.0.1:9")
    assert {key for key, *_ in demo._families()} == {key for key, *_ in FAMILIES}
