"""Read-only routes on the lean path (konnect_kit.lean_reads) answer exactly as FastAPI does: same status, body
and headers for answers, refusals and failures; FastAPI keeps what is not a plain read."""

from datetime import date
from typing import Annotated
from uuid import UUID

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from konnect_kit.answers import json_answer
from konnect_kit.correlation import CorrelationMiddleware, correlation_id_var
from konnect_kit.errors import ApiError, install_error_handlers
from konnect_kit.lean_reads import LeanReads
from konnect_kit.security_headers import SecurityHeadersMiddleware
from konnect_kit.service import ServiceApp
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

served_by: list[str] = []
logged_under: list[str | None] = []  # the correlation id in the log context as the route runs


async def reader(request: Request) -> str:
    # FastAPI's router puts the route in the scope; the lean path does not route.
    served_by.append("fastapi" if "route" in request.scope else "lean")
    logged_under.append(correlation_id_var.get())
    return "reader"


async def caller(request: Request) -> str:
    who = request.headers.get("x-who")
    if who is None:
        raise ApiError(401, "unauthorized", "Who are you?")
    return who


class Teapot(Exception):
    """Handled by a plain `def` handler (Starlette runs those in a thread)."""


def teapot(request: Request, exc: Teapot) -> JSONResponse:
    return JSONResponse({"tea": str(exc)}, status_code=418)


class Week(BaseModel):
    item_id: UUID
    start: date | None
    days: int
    kind: str
    note: str


class Item(BaseModel):
    item_id: str
    who: str
    limit: int
    tags: list[str]


async def own_units(request: Request) -> str:
    """Stands for the kit's `DatabaseDep`: a route that commits its own writes may take the lean path too."""
    served_by.append("fastapi" if "route" in request.scope else "lean")
    return "database"


ReaderDep = Annotated[str, Depends(reader)]
CallerDep = Annotated[str, Depends(caller)]
OwnUnitsDep = Annotated[str, Depends(own_units)]


def app(*, lean: bool) -> FastAPI:
    """The routes below behind the kit's own layers (correlation id, security headers) as a service has them, on
    FastAPI (`lean=False`) or with the lean path in front of the layers (`ServiceApp`)."""
    router = APIRouter(prefix="/items")

    @router.get("/unread")  # registered first: it wins over /items/{item_id}, as in FastAPI
    async def unread(who: CallerDep) -> dict[str, int]:
        return {"unread": 3}

    @router.get("/{item_id}", response_model=Item)
    async def item(item_id: str, who: CallerDep, db: ReaderDep, again: ReaderDep, request: Request,
                   limit: Annotated[int, Query(ge=1, le=5)] = 2, tag: Annotated[list[str] | None, Query()] = None
                   ) -> Item:
        if item_id == "missing":
            raise ApiError(404, "not_found", "No such item.")
        if item_id == "teapot":
            raise Teapot("earl grey")
        if item_id == "boom":
            raise RuntimeError("a bug")
        return Item(item_id=item_id, who=request.headers.get("x-who", who), limit=limit, tags=tag or [])

    @router.get("/{item_id}/week", response_model=Week)
    async def week(item_id: Annotated[UUID, Path()], db: ReaderDep, kind: Annotated[str, Query(pattern="^[a-z]+$")],
                   start: Annotated[date | None, Query(alias="from")] = None,
                   days: Annotated[int, Query(ge=1, le=31)] = 7, note: str = "none") -> Week:
        # Plain parameters only (one value each): the lean path reads them by a plan made once.
        return Week(item_id=item_id, start=start, days=days, kind=kind, note=note)

    @router.get("/{item_id}/written", response_model=Item, status_code=200)
    async def written(item_id: str, who: CallerDep, db: OwnUnitsDep) -> Response:
        # A route that writes its own JSON (and its own status) is sent as it is, on both paths.
        if item_id == "missing":
            raise ApiError(404, "not_found", "No such item.")
        body = Item(item_id=item_id, who=who, limit=1, tags=[]).model_dump_json()
        return Response(body, media_type="application/json", status_code=203 if item_id == "odd" else 200,
                        headers={"x-written": "yes"})

    @router.get("/{item_id}/answer", response_model=Item)
    async def answer(item_id: str, who: CallerDep, db: ReaderDep) -> Response:
        # Written by the kit's json_answer (sent by the lean path itself), with a header added after, or a status.
        written = json_answer({"item_id": item_id, "who": who, "limit": 1, "tags": []},
                              status_code=201 if item_id == "new" else 200)
        if item_id == "tagged":
            written.headers["x-tag"] = "yes"
        return written

    application = ServiceApp() if lean else FastAPI()
    application.add_middleware(CorrelationMiddleware)
    application.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(application)
    application.add_exception_handler(Teapot, teapot)
    application.include_router(router)
    application.state.routes = router.routes
    if lean:
        application.lean_reads = LeanReads(fastapi=application, routes=router.routes,
                                           lean_dependencies=(reader, own_units))
    return application


WEEK = "0b5b6c3e-8d4f-4a52-9f3e-2f1f0c6f9a11"
REQUESTS = [
    ("/items/a1?limit=3&tag=x&tag=y", {"x-who": "anne"}),
    ("/items/a1", {"x-who": "anne"}),
    ("/items/a1?limit=9", {"x-who": "anne"}),  # 422 from FastAPI's own validation
    ("/items/a1?limit=zero", {"x-who": "anne"}),
    ("/items/missing", {"x-who": "anne"}),  # the app's handler for ApiError
    ("/items/a1", {}),  # a dependency refuses
    ("/items/unread", {"x-who": "anne"}),
    ("/items/teapot", {"x-who": "anne"}),  # the app's own plain-def handler
    ("/items/boom", {"x-who": "anne"}),  # an unexpected error: 500
    ("/elsewhere", {"x-who": "anne"}),
    ("/items/a1/written", {"x-who": "anne"}),  # the route's own Response
    ("/items/odd/written", {"x-who": "anne"}),
    ("/items/missing/written", {"x-who": "anne"}),
    ("/items/a1/written", {}),
    ("/items/a1/answer", {"x-who": "anne"}),
    ("/items/new/answer", {"x-who": "anne"}),
    ("/items/tagged/answer", {"x-who": "anne"}),
    (f"/items/{WEEK}/week?kind=care&from=2026-12-07&days=28&note=x", {}),
    (f"/items/{WEEK}/week?kind=care", {}),  # defaults
    (f"/items/{WEEK}/week?kind=care&from=&days=", {}),  # empty values: FastAPI's 422 for both
    (f"/items/{WEEK}/week?kind=care&days=3&days=4&other=1", {}),  # a repeated name: its last value
    (f"/items/{WEEK}/week?kind=care&start=2026-12-07", {}),  # the field's name is not its alias
    (f"/items/{WEEK}/week", {}),  # a required parameter missing: 422
    (f"/items/{WEEK}/week?kind=Care", {}),  # pattern
    (f"/items/{WEEK}/week?kind=care&days=0", {}),  # bounds
    (f"/items/{WEEK}/week?kind=care&from=2026-13-01", {}),  # not a date
    ("/items/not-a-uuid/week?kind=care", {}),  # a path parameter that does not validate
    (f"/items/{WEEK.upper()}/week?kind=care&note=%C3%A9t%C3%A9", {}),
]


async def get(application: FastAPI, path: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(path, headers=headers)


@pytest.mark.parametrize(("path", "headers"), REQUESTS)
async def test_the_lean_path_answers_exactly_as_fastapi_through_the_kits_layers(
        path: str, headers: dict[str, str]) -> None:
    # Each layer's part: the correlation id echoed, the security headers (unless the answer has its own), the app's
    # handlers, and the server-error layer's 500 for the unexpected one ("boom").
    headers = {**headers, "x-correlation-id": "flow-42"}
    plain, lean = await get(app(lean=False), path, headers), await get(app(lean=True), path, headers)
    assert (lean.status_code, lean.content) == (plain.status_code, plain.content)
    assert list(lean.headers.items()) == list(plain.headers.items())


async def test_a_lean_read_runs_in_its_own_log_context() -> None:
    application = app(lean=True)
    served_by.clear()
    logged_under.clear()
    answers = [await get(application, "/items/a1", {"x-who": "anne"}) for _ in range(2)]
    answers.append(await get(application, "/items/a1", {"x-who": "anne", "x-correlation-id": "flow-7"}))
    answers.append(await get(application, "/items/a1", {"x-who": "anne", "x-correlation-id": "bad id"}))
    assert served_by == ["lean"] * 4
    echoed = [answer.headers["x-correlation-id"] for answer in answers]
    assert logged_under == echoed  # what the route logged under is what the caller got back
    assert echoed[2] == "flow-7"
    fresh = [echoed[0], echoed[1], echoed[3]]  # none given, or an unusable one: a fresh id each time
    assert len(set(fresh)) == 3 and all(len(c) == 32 and int(c, 16) >= 0 for c in fresh)
    assert answers[0].headers["cache-control"] == "no-store"
    assert correlation_id_var.get() is None  # nothing left behind in the server's context
    served_by.clear()
    assert (await get(application, "/items/a1?limit=9", {"x-who": "anne"})).status_code == 422
    assert served_by == ["fastapi"]  # a parameter that does not validate: FastAPI answers through its layers


async def test_a_read_runs_on_the_lean_path_and_everything_else_on_fastapi() -> None:
    application = app(lean=True)
    served_by.clear()
    assert (await get(application, "/items/a1?limit=3", {"x-who": "anne"})).json()["limit"] == 3
    assert served_by == ["lean"]  # the reader once for both parameters (FastAPI's dependency cache)
    served_by.clear()
    assert (await get(application, "/items/a1?limit=9", {"x-who": "anne"})).status_code == 422
    assert served_by == ["fastapi"]  # a parameter that does not validate: FastAPI answers (its 422)
    application.dependency_overrides[caller] = lambda: "overridden"  # tests that override: FastAPI honours them
    served_by.clear()
    assert (await get(application, "/items/a1", {})).json()["who"] == "overridden"
    assert served_by == ["fastapi"]


async def test_plain_parameters_are_read_on_the_lean_path_and_a_bad_one_gets_fastapis_422() -> None:
    application = app(lean=True)
    served_by.clear()
    answer = await get(application, f"/items/{WEEK}/week?kind=care&from=2026-12-07", {})
    assert answer.json() == {"item_id": WEEK, "start": "2026-12-07", "days": 7, "kind": "care", "note": "none"}
    assert served_by == ["lean"]
    served_by.clear()
    refused = await get(application, f"/items/{WEEK}/week?kind=care&days=99", {})
    assert refused.status_code == 422 and "days" in refused.text
    assert served_by == ["fastapi"]
    # The plan is made once for a route of plain parameters; a list parameter leaves the reading to FastAPI.
    lean = LeanReads(fastapi=application, routes=application.state.routes,
                     lean_dependencies=(reader, own_units))
    planned = {route.name: lean_route.plans is not None for route, lean_route in lean.routes if lean_route}
    assert planned == {"week": True, "item": False, "written": True, "answer": True}


async def test_a_route_with_its_own_units_of_work_runs_on_the_lean_path() -> None:
    served_by.clear()
    answer = await get(app(lean=True), "/items/a1/written", {"x-who": "anne"})
    assert (answer.status_code, answer.json()["item_id"], answer.headers["x-written"]) == (200, "a1", "yes")
    assert served_by == ["lean"]


def test_the_routes_tried_for_a_path_find_the_same_first_match_as_trying_them_all() -> None:
    """Routes are looked up by the path's first segment; the first that matches is still FastAPI's first."""
    application = FastAPI()
    for path in ("/items/special", "/{kind}/special", "/items/{item_id}", "/", "/files/{rest:path}",
                 "/item{suffix}", "/{kind}", "/people/{person_id}/items/{item_id}", "/items"):
        application.add_api_route(path, lambda: None, methods=["GET"], name=path)
    lean = LeanReads(fastapi=application, routes=application.routes[4:],  # after FastAPI's docs routes
                     lean_dependencies=())
    assert len(lean.routes) == 9
    for path in ("/items/special", "/people/special", "/items/42", "/", "/files/a/b/c", "/files", "/itemX",
                 "/items", "/people/1/items/2", "/people/1/items", "/unknown/1/2", "/x", "/items/1/2",
                 "/%20/special", "/items/", "/item"):
        first = next((route.name for route, _ in lean.routes if route.path_regex.match(path)), None)
        found = next((route.name for route, _ in lean.candidates(path) if route.path_regex.match(path)), None)
        assert found == first, path
    # Fewer routes are tried for a path of a literal first segment.
    assert [route.name for route, _ in lean.candidates("/people/1/items/2")] == [
        "/{kind}/special", "/item{suffix}", "/{kind}", "/people/{person_id}/items/{item_id}"]
