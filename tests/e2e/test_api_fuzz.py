"""Schemathesis over the gateway's OpenAPI with every check (`--checks all`), as a parent and as an org admin.

No input, however odd, gets a 5xx; every 4xx has the uniform error body; the document states every status
and body the API answers; and data the schema calls valid is never refused for its shape. Positive and
negative data are generated for every operation, deterministically (derandomized), so a failure reproduces.

One refinement of "positive data rejected": a schema-valid request may still be refused for a reason no
JSON Schema can state: the state of the system (an id that names nothing, a link that expired, a role that
has no family) or a rule between fields (`to` before `from`). Those refusals are listed below by their
error code, each for that reason; any other 400/422 on schema-valid data (a field's shape, a password
policy, a time zone, a date range) is a mismatch between the document and the server and fails the test.
"""

import os
import re
import uuid
from typing import Any

import pytest
import schemathesis
from e2e_world import OPERATOR, bearer, build_world, logged_in, new_id, put
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from konnect_devstack.stack import GATEWAY
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES_PER_OPERATION = 10  # per mode and role: 2 roles x 2 modes x ~65 operations, about two minutes
# Refusals of schema-valid data that depend on state or on several fields together (see the docstring).
STATE_OR_RULE_CODES = {
    "unknown_reference", "unknown_consent_kind", "care_type_mismatch",  # ids that name nothing (of this kind)
    "invalid_token",  # a link or token that is not (or no longer) valid
    "family_required", "family_id_required", "organisation_required",  # needed for this caller's role only
    "invalid_range", "range_too_long", "invalid_period",  # a rule between two dates
    "duplicate_kind",  # items unique by one property: JSON Schema has uniqueItems for whole items only
    # My location: rich text that is empty once sanitised; question ids unique by property; answers checked against
    # the template's questions; the bad cursor is listed with the timeline's below
    "empty_body", "duplicate_question", "unknown_question", "empty_observation", "child_not_placed",
    # timeline: a cursor the feed never gave out; children not placed in the group; a photo tagging nobody when
    # the series names nobody either; the same upload twice; an upload that was never sent (or was refused)
    "bad_cursor", "child_not_in_group", "no_children", "duplicate_upload", "not_uploaded", "videos_off",
    "unknown_attachment", "group_not_of_child", "group_required",  # messaging: ids and
    "group_has_no_families",  # placements that name nothing (now) for this conversation
}
# Ending the caller's own sessions would turn the rest of the run into 401s; they are fuzzed as operator.
STREAMS = ("/api/v1/inbox/stream",)
SESSION_ENDING = ("/api/v1/auth/logout", "/api/v1/auth/logout-all", "/api/v1/auth/password/change")


def _state_or_rule(body: dict[str, Any]) -> bool:
    """Whether a refusal is one no schema can state (listed code, or a rule between fields of one object)."""
    error = body.get("error", {})
    if error.get("code") in STATE_OR_RULE_CODES:
        return True
    details = error.get("details")
    if error.get("code") != "validation_failed":
        return False
    if isinstance(details, dict):  # raised by a route after parsing: a rule between parameters
        return True
    # A model-level rule (e.g. "ends_at must lie after starts_at") is reported at the object, not at a field.
    return bool(details) and all(isinstance(d, dict) and d.get("type") == "value_error"
                                 and (not d.get("loc") or not isinstance(d["loc"][-1], str) or d["loc"] == ["body"])
                                 for d in details)


def positive_shape_accepted(ctx, response, case) -> bool | None:  # type: ignore[no-untyped-def]
    if case.meta is not None and case.meta.generation.mode.is_positive and response.status_code in (400, 422):
        if _state_or_rule(response.json()):
            return None
    return positive_data_acceptance(ctx, response, case)


def uniform_error_body(ctx, response, case) -> bool | None:  # type: ignore[no-untyped-def]
    if 400 <= response.status_code < 600:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message", "details"} <= set(body["error"]), body
        assert isinstance(body["error"]["code"], str) and body["error"]["message"], body
    return None


def all_checks() -> list[Any]:
    load_all_checks()
    checks = [check for check in CHECKS.get_all() if check is not positive_data_acceptance]
    return [*checks, positive_shape_accepted, uniform_error_body]


@pytest.fixture
async def roles(gateway, mailpit) -> dict[str, dict[str, str]]:
    w = await build_world(gateway)
    admin_email = f"admin.{uuid.uuid4().hex[:10]}@example.com"
    await put(gateway, f"/admin/directory/staff/{new_id()}",
              {"organisation_id": w.org, "name": "Petra Admin", "email": admin_email, "is_admin": True})
    return {"parent": bearer(await logged_in(gateway, mailpit, w.parents["eva"][1])),
            "org_admin": bearer(await logged_in(gateway, mailpit, admin_email))}


def _fuzz(operation: Any, mode: GenerationMode, auth: dict[str, str], checks: list[Any]) -> None:
    # A fresh client address per case keeps the per-address rate limits out of the way.
    @given(case=operation.as_strategy(generation_mode=mode))
    # No shrinking: replaying a failure against a live stack (whose state moved on) made Hypothesis report
    # "inconsistent data generation" instead of the failure; the first failing case is reported as it was.
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def no_failure(case):  # type: ignore[no-untyped-def]
        headers = {**auth, "X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250 + 1}"}
        case.call_and_validate(headers=headers, checks=checks)

    no_failure()


def test_no_input_makes_the_api_fail(stack, roles):
    # Loaded here rather than through schemathesis' pytest plugin: the schema only exists once the stack runs.
    schema = schemathesis.openapi.from_url(f"{stack.url(GATEWAY)}/openapi.json")
    schema.config.generation.update(allow_x00=False)  # NUL is refused for all text (stated in the document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    only = os.environ.get("KONNECT_FUZZ_ONLY")  # a regular expression on the path, to iterate on one route
    operations = [op for op in operations if not only or re.search(only, op.path)]
    # Event streams never end by themselves: test_notifications_live_e2e covers them (and their refusals).
    operations = [op for op in operations if op.path not in STREAMS]
    checks = all_checks()
    failures: list[str] = []
    for operation in operations:
        for role, auth in (*roles.items(), ("operator", OPERATOR)):
            if role == "operator" and operation.path not in SESSION_ENDING:
                continue
            if role != "operator" and operation.path in SESSION_ENDING:
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, auth, checks)
                except Unsatisfiable:
                    assert mode == GenerationMode.NEGATIVE  # no input to get wrong (GET /health)
                except BaseExceptionGroup as found:  # schemathesis' FailureGroup: every distinct failure
                    failures.append(f"{operation.label} as {role} ({mode}): {found}: "
                                    + "; ".join(str(e)[:600] for e in found.exceptions))
                except Exception as failure:  # collected: one report for every operation
                    failures.append(f"{operation.label} as {role} ({mode}): {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
