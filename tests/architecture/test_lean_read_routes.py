"""The parents' hot reads run on the kit's lean read path (konnect_kit.lean_reads): a change that quietly sends
one back through FastAPI's per-request machinery (a new dependency with dependencies of its own, a Header
parameter, ...) costs it ~100 us per call and fails here instead (bench/PROFILE-read-paths.md round 6)."""

import importlib

import pytest
from konnect_kit.lean_reads import LeanReads

PARENT_READS = {
    "identity": {"/me"},
    "planning": {"/agenda", "/agenda/{child_id}/{day}", "/availability/{child_id}/{day}", "/requests"},
    "credits": {"/children/{child_id}/credits"},
    "timeline": {"/timeline/feed", "/timeline/children/{child_id}/timeline"},
    "messaging": {"/conversations", "/conversations/{conversation_id}"},
    "notifications": {"/inbox", "/inbox/unread-count"},
}
# Reads in a unit of work on purpose stay on FastAPI's path. (Opening a conversation marks it read, in a unit of
# work it commits itself: `DatabaseDep`, so it is lean too.)
NOT_LEAN = {"timeline": {"/timeline/photos/{photo_id}"}}


def lean_routes(service: str) -> LeanReads:
    lean = importlib.import_module(f"{service}.main").create_app().lean_reads
    assert isinstance(lean, LeanReads), "the service's reads are not answered in front of its middleware"
    return lean


def lean_paths(service: str) -> tuple[set[str], set[str]]:
    routes = lean_routes(service).routes
    return {r.path for r, lean in routes if lean}, {r.path for r, lean in routes if not lean}


@pytest.mark.parametrize("service", sorted(PARENT_READS))
def test_the_parents_hot_reads_take_the_lean_path(service: str) -> None:
    lean, other = lean_paths(service)
    assert PARENT_READS[service] <= lean, f"not lean any more: {PARENT_READS[service] - lean}"
    assert NOT_LEAN.get(service, set()) <= other


@pytest.mark.parametrize("service", sorted(PARENT_READS))
def test_the_parents_hot_reads_read_their_parameters_by_a_plan_made_once(service: str) -> None:
    # A list parameter, a parameter model or alias choices send the reading back to FastAPI's per-request
    # introspection (~60 us for five parameters, round 10).
    unplanned = {r.path for r, lean in lean_routes(service).routes
                 if lean and r.path in PARENT_READS[service] and lean.plans is None}
    assert not unplanned, f"parameters read by FastAPI per request: {unplanned}"
