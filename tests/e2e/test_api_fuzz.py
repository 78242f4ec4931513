"""Schemathesis over the gateway's OpenAPI: no input, however odd, gets a 5xx; every 4xx has the uniform error body."""

import uuid

import schemathesis
from hypothesis import HealthCheck, given, settings
from konnect_devstack.stack import GATEWAY
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 30


def uniform_error_body(ctx, response, case) -> bool | None:  # type: ignore[no-untyped-def]
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message", "details"} <= set(body["error"]), body
        assert isinstance(body["error"]["code"], str) and body["error"]["message"], body
    return None


def test_no_input_makes_the_api_fail(stack):
    # Loaded here rather than through schemathesis' pytest plugin: the schema only exists once the stack runs.
    schema = schemathesis.openapi.from_url(f"{stack.url(GATEWAY)}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        # As the platform operator, so generated input reaches the services' validation, not only the token
        # check; a fresh client address per case keeps the per-address rate limits out of the way.
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case):  # type: ignore[no-untyped-def]
            headers = {"Authorization": "Bearer dev-platform-operator-token",
                       "X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250 + 1}"}
            case.call_and_validate(headers=headers, checks=[not_a_server_error, uniform_error_body])

        no_server_error()
