"""The /me cache's rules, without infrastructure: what is kept, what a change drops, when nothing is served."""

import json
import uuid

from gateway.ended_sessions import EndedSessions
from gateway.profile_cache import ProfileCache, ids_of_event

ORG, FAMILY, CHILD, GROUP, OTHER_FAMILY = (str(uuid.uuid4()) for _ in range(5))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def me_body(account: str, family: str = FAMILY, child: str = CHILD) -> bytes:
    return json.dumps({"account": {"account_id": account, "organisation": {"organisation_id": ORG}},
                       "family": {"family_id": family},
                       "children": [{"child_id": child, "placements": [{"group": {"group_id": GROUP}}]}]}).encode()


def fresh_cache(clock: Clock, **kwargs: float) -> ProfileCache:
    cache = ProfileCache(ttl=kwargs.get("ttl", 60.0), max_entries=int(kwargs.get("max_entries", 100)), clock=clock)
    cache.fresh_until = clock.now + 2  # the feed has confirmed it is current
    return cache


def stored(cache: ProfileCache, session: str, account: str, body: bytes) -> bool:
    return cache.store(cache.begin_fill(), session, account, body, "application/json")


def envelope(event_type: str, payload: dict) -> bytes:
    return json.dumps({"event_type": event_type, "organisation_id": ORG, "payload": payload}).encode()


def test_an_answer_is_served_to_its_own_session_and_account_only() -> None:
    clock = Clock()
    cache, session, account = fresh_cache(clock), str(uuid.uuid4()), str(uuid.uuid4())
    assert stored(cache, session, account, me_body(account))
    assert cache.get(session, account).body == me_body(account)  # type: ignore[union-attr]
    assert cache.get(session, str(uuid.uuid4())) is None  # a token of another account with the same sid
    assert cache.get(str(uuid.uuid4()), account) is None


def test_any_id_in_the_answer_drops_it_and_unrelated_ids_do_not() -> None:
    clock = Clock()
    cache = fresh_cache(clock)
    sessions = {}
    for family, child in ((FAMILY, CHILD), (OTHER_FAMILY, str(uuid.uuid4()))):
        account, session = str(uuid.uuid4()), str(uuid.uuid4())
        assert stored(cache, session, account, me_body(account, family, child))
        sessions[family] = (session, account)
    assert cache.invalidate({str(uuid.uuid4())}) == 0
    assert cache.invalidate({CHILD}) == 1  # e.g. a placement of this child changed
    assert cache.get(*sessions[FAMILY]) is None
    assert cache.get(*sessions[OTHER_FAMILY]) is not None
    assert cache.invalidate({GROUP}) == 1  # the group both children are in was renamed
    assert len(cache) == 0


def test_a_fill_that_overlaps_a_change_to_its_answer_is_not_kept() -> None:
    clock = Clock()
    cache, session, account = fresh_cache(clock), str(uuid.uuid4()), str(uuid.uuid4())
    started = cache.begin_fill()  # asking identity...
    cache.invalidate({CHILD})  # ...while the child changes: identity's answer may be the old one
    assert not cache.store(started, session, account, me_body(account), "application/json")
    assert cache.get(session, account) is None
    started = cache.begin_fill()
    cache.invalidate({str(uuid.uuid4())})  # a change elsewhere does not stop this fill
    assert cache.store(started, session, account, me_body(account), "application/json")


def test_a_fill_after_the_change_is_kept() -> None:
    clock = Clock()
    cache, session, account = fresh_cache(clock), str(uuid.uuid4()), str(uuid.uuid4())
    cache.invalidate({CHILD})
    assert stored(cache, session, account, me_body(account))


def test_nothing_is_served_or_kept_once_the_feed_is_no_longer_confirmed() -> None:
    clock = Clock()
    cache, session, account = fresh_cache(clock), str(uuid.uuid4()), str(uuid.uuid4())
    assert stored(cache, session, account, me_body(account))
    clock.now += 3  # past fresh_until: the feed may be missing changes
    assert cache.get(session, account) is None
    assert not stored(cache, str(uuid.uuid4()), account, me_body(account))
    cache.fresh_until = clock.now + 2
    assert cache.get(session, account) is not None


def test_entries_expire_and_the_oldest_make_room() -> None:
    clock = Clock()
    cache = fresh_cache(clock, ttl=10, max_entries=2)
    kept = [(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(3)]
    for session, account in kept:
        assert stored(cache, session, account, me_body(account))
    assert len(cache) == 2 and cache.get(*kept[0]) is None and cache.get(*kept[2]) is not None
    clock.now += 11
    cache.fresh_until = clock.now + 2
    assert cache.get(*kept[2]) is None


def test_an_event_is_about_every_id_in_its_payload_except_its_organisation() -> None:
    placement = str(uuid.uuid4())
    event = envelope("PlacementUpserted", {"organisation_id": ORG, "placement_id": placement, "child_id": CHILD,
                                           "group_id": GROUP, "care_type": "daycare"})
    assert ids_of_event(event) == {placement, CHILD, GROUP}
    assert ids_of_event(envelope("OrganisationUpserted", {"organisation_id": ORG, "name": "x"})) == {ORG}
    session = str(uuid.uuid4())
    ended = envelope("SessionsEnded", {"account_id": FAMILY, "organisation_id": ORG, "session_ids": [session]})
    assert ids_of_event(ended) == {FAMILY, session}
    assert ids_of_event(b"not json " + CHILD.encode()) == {CHILD}  # unreadable: drop too much, not too little


def test_an_organisation_change_drops_all_its_answers_but_a_record_change_does_not() -> None:
    clock = Clock()
    cache = fresh_cache(clock)
    account, session = str(uuid.uuid4()), str(uuid.uuid4())
    assert stored(cache, session, account, me_body(account))
    cache.invalidate(ids_of_event(envelope("LocationUpserted", {"organisation_id": ORG,
                                                                "location_id": str(uuid.uuid4())})))
    assert cache.get(session, account) is not None
    cache.invalidate(ids_of_event(envelope("OrganisationUpserted", {"organisation_id": ORG, "name": "New"})))
    assert cache.get(session, account) is None


def test_ended_sessions_are_remembered_only_while_their_tokens_could_still_be_valid() -> None:
    now = [10_000.0]
    ended = EndedSessions(900, clock=lambda: now[0])
    ended.add(["old"], ended_at=now[0] - 901)  # every token of it has expired already
    ended.add(["recent"], ended_at=now[0] - 60)
    assert "old" not in ended and "recent" in ended and len(ended) == 1
    now[0] += 841
    ended.prune()
    assert "recent" not in ended


def test_a_token_of_an_ended_session_is_refused_even_when_it_was_verified_before() -> None:
    import time

    import jwt
    import pytest
    from gateway.auth import AUDIENCE, ISSUER, TokenVerifier
    from konnect_kit.errors import ApiError

    secret = "s" * 40
    ended = EndedSessions(900)
    verifier = TokenVerifier(secret, "operator-token", ended)
    token = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "a1", "role": "parent", "sid": "s1",
                        "iat": int(time.time()), "exp": int(time.time()) + 600}, secret, algorithm="HS256")
    assert verifier.caller(token).session_id == "s1"  # verified and remembered
    ended.add(["s1"], ended_at=time.time())
    with pytest.raises(ApiError) as refused:
        verifier.caller(token)
    assert (refused.value.status, refused.value.code) == (401, "session_ended")
    with pytest.raises(ApiError):
        verifier.caller(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])  # tampered: not remembered
