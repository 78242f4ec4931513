"""The kit's OpenAPI post-processor: any service route documents the uniform error body (never FastAPI's
`{"detail"}`), the refusals it can give, its security and a description, without the route doing anything."""

from typing import Annotated

from fastapi import Body, FastAPI
from konnect_kit.internal import CallerDep
from konnect_kit.openapi import ERROR_REF, install_openapi


def app() -> FastAPI:
    service = FastAPI()

    @service.put("/things/{thing_id}")
    async def put_thing(thing_id: str, who: CallerDep, name: Annotated[str, Body(embed=True)]) -> dict[str, str]:
        return {"id": thing_id, "by": who.actor_id, "name": name}

    @service.post("/hello", summary="Say hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    install_openapi(service)
    return service


def test_every_operation_documents_the_uniform_error_body_security_and_a_description() -> None:
    spec = app().openapi()
    assert "HTTPValidationError" not in str(spec) and "ValidationError" not in spec["components"]["schemas"]
    guarded = spec["paths"]["/things/{thing_id}"]["put"]
    assert set(guarded["responses"]) >= {"401", "403", "404", "409", "413", "422", "4XX", "5XX"}
    assert guarded["security"] == [{"bearer": []}]
    public = spec["paths"]["/hello"]["post"]
    assert public["security"] == [] and "401" not in public["responses"] and "404" not in public["responses"]
    assert public["summary"] == "Say hello" and public["description"]
    for item in spec["paths"].values():
        for operation in item.values():
            for status, answer in operation["responses"].items():
                if status[0] in "45":
                    assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
