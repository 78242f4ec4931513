"""Read-only routes answered without FastAPI's per-request machinery: the same route, its dependencies and its
response model, run by a plain ASGI dispatcher.

Why: for a read of one statement, FastAPI's routing, dependency solving (an exit stack, a `Request` and a
`Response` per call) cost ~100 us of a service's CPU, as much as the read itself (py-spy and cProfile,
bench/PROFILE-read-paths.md round 6). The dispatcher takes the GET routes that use a `Reader` (`ReaderDep`:
read-only by construction) or open their own units of work (`DatabaseDep`: nothing left for FastAPI to commit),
whose parameters are path and query parameters and whose dependencies are plain `async def f(request)`
functions (the caller, the reader, the kit, the clock, ...), and runs exactly those pieces: FastAPI's own
parameter validation and response serialisation (or the `Response` the route returns), the app's own exception
handlers.
Anything else, and any request whose parameters do not validate, goes through FastAPI as before, so answers,
errors and the OpenAPI document stay the same (tests/architecture and the kit's tests compare both paths).
"""

import inspect
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, get_args

from fastapi import FastAPI
from fastapi._compat import ModelField, field_annotation_is_sequence, lenient_issubclass
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel, Json
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Message, Receive, Scope, Send

from konnect_kit.answers import JSONAnswer
from konnect_kit.correlation import CORRELATION_HEADER_BYTES, correlation_id_var, request_correlation_id
from konnect_kit.security_headers import add_missing

_JSON = (b"content-type", b"application/json")


@dataclass(frozen=True, slots=True)
class _Param:
    """A path or query parameter of one plain value, read by its one name and validated by FastAPI's own field."""

    name: str
    alias: str
    loc: tuple[str, str]
    field: ModelField
    required: bool
    default: Any
    validate_default: bool


def _param_plan(fields: Sequence[ModelField]) -> list[_Param] | None:
    """The route's parameters as `_Param`s when each is one plain value under one name (no list, no parameter
    model, no JSON, no alias choices); None otherwise, and FastAPI's `request_params_to_args` reads them.

    Why: `request_params_to_args` works out per request, per parameter, what kind of parameter it is
    (annotation checks for models and sequences, alias lists): 15% of planning's samples for a 4-week agenda
    (py-spy, bench/PROFILE-read-paths.md round 10). Those answers do not change, so they are worked out here once.
    What is left per parameter is what FastAPI does for such a one: the value under its name, missing -> its
    default (a copy, validated only if the field says so) or a refusal, and the field's own validation."""
    plan = []
    for field in fields:
        info = field.field_info
        annotation = info.annotation
        config = field.config or {}
        alias = getattr(field, "validation_alias", None) or info.validation_alias or field.alias  # FastAPI's choice
        if (not isinstance(alias, str)  # alias choices or paths
                or any(key in config for key in ("validate_by_alias", "validate_by_name", "populate_by_name"))
                or field_annotation_is_sequence(annotation)
                or any(lenient_issubclass(kind, BaseModel) for kind in (annotation, *get_args(annotation)))
                or any(type(item) is Json for item in info.metadata)):
            return None
        in_ = getattr(info, "in_", None)
        if in_ is None:
            return None
        plan.append(_Param(field.name, alias, (in_.value, alias), field, info.is_required(),
                           field.default, bool(info.validate_default)))
    return plan


def _read_params(plan: list[_Param], source: Mapping[str, Any], values: dict[str, Any]) -> bool:
    """`values` filled from `source` by the plan; False at the first parameter that is missing or does not
    validate (FastAPI then answers with its 422, built by its own code)."""
    for param in plan:
        raw = source.get(param.alias)
        if raw is None:
            if param.required:
                return False
            value = param.default if param.default is None else deepcopy(param.default)
            if not param.validate_default:
                values[param.name] = value
                continue
            raw = value
        value, errors = param.field.validate(raw, values, loc=param.loc)
        if errors:
            return False
        values[param.name] = value
    return True


class _LeanRoute:
    """One read-only route, ready to run: its dependencies in order, its endpoint, its serialiser."""

    def __init__(self, route: APIRoute, dependencies: list[tuple[str, Callable[..., Any], str]]) -> None:
        self.route = route
        self.endpoint = route.dependant.call
        self.dependencies = dependencies  # (parameter name, function, name of its Request parameter)
        self.path_params = route.dependant.path_params
        self.query_params = route.dependant.query_params
        self.status = route.status_code or 200
        self.request_name = route.dependant.request_param_name  # the endpoint's own `request: Request`, if any
        path_plan, query_plan = _param_plan(self.path_params), _param_plan(self.query_params)
        self.plans = (path_plan, query_plan) if path_plan is not None and query_plan is not None else None

    def _params(self, scope: Scope, path_values: dict[str, Any]) -> dict[str, Any] | None:
        if self.plans is not None:
            values: dict[str, Any] = {}
            path_plan, query_plan = self.plans
            if not _read_params(path_plan, path_values, values):
                return None
            if query_plan and not _read_params(query_plan, QueryParams(scope["query_string"]), values):
                return None
            return values
        values, errors = request_params_to_args(self.path_params, path_values)
        if self.query_params:
            query, query_errors = request_params_to_args(self.query_params, QueryParams(scope["query_string"]))
            values.update(query)
            errors += query_errors
        return None if errors else values

    async def answer(self, scope: Scope, path_values: dict[str, Any]) -> bytes | Response | None:
        """The JSON body (or the route's own `Response`, sent as it is, as FastAPI does), or None when a parameter
        does not validate (FastAPI then answers with its 422)."""
        values = self._params(scope, path_values)
        if values is None:
            return None
        request = Request(scope)
        if self.request_name:
            values[self.request_name] = request
        solved: dict[Callable[..., Any], Any] = {}  # FastAPI's use_cache: one call per function and request
        for name, dependency, request_name in self.dependencies:
            if dependency not in solved:
                solved[dependency] = await dependency(**{request_name: request})
            values[name] = solved[dependency]
        content = await self.endpoint(**values)
        if isinstance(content, Response):
            return content
        route = self.route
        return await serialize_response(
            field=route.response_field, response_content=content, include=route.response_model_include,
            exclude=route.response_model_exclude, by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none, is_coroutine=True, dump_json=True)


def _plain_dependencies(dependant: Dependant) -> list[tuple[str, Callable[..., Any], str]] | None:
    """The route's dependencies if each is an `async def f(request)` without dependencies of its own."""
    found = []
    for sub in dependant.dependencies:
        call = sub.call
        if (call is None or not inspect.iscoroutinefunction(call) or sub.dependencies or sub.path_params
                or sub.query_params or sub.header_params or sub.cookie_params or sub.body_params
                or sub.request_param_name is None or sub.name is None
                or len(inspect.signature(call).parameters) != 1):
            return None
        found.append((sub.name, call, sub.request_param_name))
    return found


def lean_route(route: APIRoute, lean_dependencies: Collection[Callable[..., Any]]) -> _LeanRoute | None:
    """The route on the lean path, or None when it does not qualify (then FastAPI serves it)."""
    dependant = route.dependant
    if (route.methods != {"GET"} or route.response_field is None
            or not isinstance(route.response_class, DefaultPlaceholder)
            or not inspect.iscoroutinefunction(dependant.call)
            or dependant.header_params or dependant.cookie_params or dependant.body_params
            or dependant.websocket_param_name or dependant.http_connection_param_name
            or dependant.response_param_name or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name):
        return None
    dependencies = _plain_dependencies(dependant)
    if dependencies is None or not any(call in lean_dependencies for _, call, _ in dependencies):
        # Only a route that reads (a Reader) or commits its own writes: any other may write in FastAPI's unit of
        # work (committed by FastAPI's dependency exit), which the lean path does not run.
        return None
    return _LeanRoute(route, dependencies)


def _first_segment(route: APIRoute) -> str | None:
    """The route path's first segment when it is literal text ("timeline" of "/timeline/feed"); None when it holds
    a parameter ("/{id}", "/files{rest:path}"). A route whose first segment is literal matches only paths with that
    first segment: Starlette's pattern for it is that text followed by "/" or the end."""
    head = route.path_format[1:].partition("/")[0]
    return None if "{" in head else head


async def _run_handler(handler: Callable[..., Any], request: Request, exc: Exception) -> Response:
    """An app's exception handler, as Starlette runs it (a plain `def` in a thread)."""
    if inspect.iscoroutinefunction(handler):
        return await handler(request, exc)  # type: ignore[no-any-return]
    return await run_in_threadpool(handler, request, exc)  # type: ignore[no-any-return]


class LeanReads:
    """The app's lean routes, answered in front of its whole middleware stack (`front`, called by the kit's
    `konnect_kit.service.ServiceApp`): a GET that FastAPI would route to a lean route is answered here; every other
    request goes to the stack. Routes are tried in FastAPI's order, so a route registered earlier
    (`/conversations/unread` before `/conversations/{id}`) still wins."""

    def __init__(self, *, fastapi: FastAPI, routes: Iterable[BaseRoute],
                 lean_dependencies: Collection[Callable[..., Any]]) -> None:
        self.fastapi = fastapi
        self.routes: list[tuple[APIRoute, _LeanRoute | None]] = []
        for route in routes:
            if not isinstance(route, APIRoute):
                break  # an included router or a mount: its order is FastAPI's to know, so no lean route after it
            self.routes.append((route, lean_route(route, lean_dependencies)))
        # The routes a path can match, by its first segment: those whose first segment is that literal or holds a
        # parameter, in FastAPI's order. Why: the timeline's feed route is the 36th of 38, and trying every route's
        # regex before it took 6.1 us per read in-process (3.3 us for the 14 routes of its segment).
        firsts = [_first_segment(route) for route, _ in self.routes]
        self._open = [entry for entry, first in zip(self.routes, firsts, strict=True) if first is None]
        self._by_segment: dict[str, list[tuple[APIRoute, _LeanRoute | None]]] = {
            segment: [entry for entry, first in zip(self.routes, firsts, strict=True) if first in (segment, None)]
            for segment in set(firsts) - {None}}

    def candidates(self, path: str) -> list[tuple[APIRoute, _LeanRoute | None]]:
        """The routes that may match `path`, in order: the first of them that matches is the first of all."""
        return self._by_segment.get(path[1:].partition("/")[0], self._open)

    def _match(self, scope: Scope) -> tuple[_LeanRoute, dict[str, Any]] | None:
        """The lean route FastAPI would route this request to, with its path values; None: FastAPI's to serve."""
        if scope["type"] != "http" or scope["method"] != "GET" or self.fastapi.dependency_overrides:
            return None
        path: str = scope["path"]
        for route, lean in self.candidates(path):
            found = route.path_regex.match(path)
            if found is None:
                continue
            if lean is None:
                return None
            return lean, {name: route.param_convertors[name].convert(value)
                          for name, value in found.groupdict().items()}
        return None

    async def _outcome(self, lean: _LeanRoute, values: dict[str, Any], scope: Scope, receive: Receive
                       ) -> bytes | Response | None:
        """The route's JSON body, or the `Response` to send (the route's own, or the app's exception handler's);
        None when a parameter does not validate (FastAPI answers with its 422). Sends nothing; an exception no
        handler of the app's takes is raised on."""
        try:
            return await lean.answer(scope, values)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise  # unexpected: the server-error layer answers 500, as for any route
            return await _run_handler(handler, Request(scope, receive), exc)

    @staticmethod
    async def _send(outcome: bytes | Response, *, lean: _LeanRoute, scope: Scope, receive: Receive, send: Send,
                    headers: list[tuple[bytes, bytes]]) -> None:
        """The outcome sent, its own headers followed by `headers` (those of them it does not set itself)."""
        if isinstance(outcome, bytes) or (type(outcome) is JSONAnswer and len(outcome.raw_headers) == 2):
            # JSON bytes (a JSONAnswer's own two headers are its length and type): one head, one body
            status, body = (lean.status, outcome) if isinstance(outcome, bytes) else (outcome.status_code, outcome.body)
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-length", str(len(body)).encode()), _JSON, *headers]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = answer_headers = list(message.get("headers", []))
                add_missing(answer_headers, headers)
            await send(message)
        await outcome(scope, receive, send_with_headers)

    async def front(self, scope: Scope, receive: Receive, send: Send, *,
                    security_headers: list[tuple[bytes, bytes]]) -> bool:
        """Answer a lean read in front of the app's whole middleware stack, doing what its layers do for it: the
        correlation id (in the log context, echoed on the answer), `security_headers` unless the answer has its
        own, the app's exception handlers, and the server-error layer's 500 for anything unexpected. False: not a
        lean read, nothing was sent, and the app's stack serves the request as it would have.

        Why: the four layers a request crosses before this one (server error, FastAPI's exception telemetry,
        security headers, correlation id) each wrap the call and the answer's `send` again: ~25 us of a service's
        CPU per read, an eighth of a small read's (py-spy on the inbox badge, bench/PROFILE-read-paths.md round 19).
        FastAPI's exception telemetry is left out: the services run with it off (`konnect_kit.runtime`)."""
        if (matched := self._match(scope)) is None:
            return False
        correlation_id = request_correlation_id(scope)
        token = correlation_id_var.set(correlation_id)
        try:
            try:
                outcome = await self._outcome(*matched, scope, receive)
            except Exception as exc:
                # Nothing was sent yet: what Starlette's ServerErrorMiddleware does (outermost, so its answer carries
                # none of the headers below): the app's handler for 500 / Exception answers, and the error is raised
                # on for the server to log. The handler runs in the request's log context.
                handler = self.fastapi.exception_handlers.get(500) or self.fastapi.exception_handlers.get(Exception)
                if handler is not None:
                    await (await _run_handler(handler, Request(scope), exc))(scope, receive, send)
                raise
            if outcome is None:
                return False
            await self._send(outcome, lean=matched[0], scope=scope, receive=receive, send=send,
                             headers=[(CORRELATION_HEADER_BYTES, correlation_id.encode()), *security_headers])
            return True
        finally:
            correlation_id_var.reset(token)

    def _handler_for(self, exc: Exception) -> Callable[..., Any] | None:
        # What Starlette's exception layer (just inside this one) does: an HTTPException's status handler, else the
        # handler of the closest class in the exception's MRO. A handler for Exception itself belongs to the
        # server-error layer outside: that one still sees the exception (it logs it and answers 500).
        handlers = self.fastapi.exception_handlers
        if isinstance(exc, StarletteHTTPException) and exc.status_code in handlers:
            return handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls is Exception:
                return None
            if cls in handlers:
                return handlers[cls]
        return None
