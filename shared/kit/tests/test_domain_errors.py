"""A service layer's DomainError reaches the client as the uniform error body with the status of its kind."""

import httpx
import pytest
from fastapi import FastAPI
from konnect_kit import domain_errors as de
from konnect_kit.errors import DOMAIN_STATUS, install_error_handlers

CASES = [(de.Invalid, 422), (de.BadRequest, 400), (de.Unauthenticated, 401), (de.Forbidden, 403),
         (de.NotFound, 404), (de.Conflict, 409), (de.Throttled, 429)]


def test_every_kind_has_a_status() -> None:
    assert {cls.kind for cls, _ in CASES} == set(DOMAIN_STATUS)


@pytest.mark.parametrize(("error", "status"), CASES)
async def test_a_domain_error_answers_with_its_kinds_status_and_the_uniform_body(error: type[de.DomainError],
                                                                                  status: int) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refuse")
    async def refuse() -> None:
        raise error("some_code", "Some message.", {"field": "x"})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.get("/refuse")
    assert answer.status_code == status
    assert answer.json() == {"error": {"code": "some_code", "message": "Some message.", "details": {"field": "x"}}}
