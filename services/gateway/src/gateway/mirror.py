"""Publishes a domain service's routes on the gateway: same paths (under /api/v1), parameters and schemas.

The service's own router is the single source of the API shape (validation, examples, response models);
the gateway adds authentication, role checks and rate limits, validates the request once more at the
edge, and forwards it with the caller's identity and correlation id.
"""

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from konnect_kit.internal import Caller, caller

from gateway.me_from_memory import CacheKeeper
from gateway.ratelimit import client_address
from gateway.upstream import Answer, Upstream

Access = Callable[..., Caller] | None  # None: public (no token needed)


def needs_caller(route: APIRoute) -> bool:
    """Whether the service route asks for a logged-in caller (directly or through its dependencies)."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call is caller:
            return True
        pending.extend(dependant.dependencies)
    return False


def mirror(target: APIRouter, source: APIRouter, *, upstream: Callable[[Request], Upstream], prefix: str,
           authenticated: Callable[..., Caller], restrict_to: Access = None,
           extra: dict[str, Sequence[Any]] | None = None, tags: list[str] | None = None) -> None:
    """Add to `target` one forwarding route per route of `source`.

    A route whose service side needs a caller gets `restrict_to` (a role check) or else `authenticated`;
    the others are public. `extra` maps a source path to more dependencies (e.g. rate limits).
    """
    for route in source.routes:
        if isinstance(route, APIRoute):
            access = (restrict_to or authenticated) if needs_caller(route) else None
            _mirror_route(target, route, upstream, prefix, access, (extra or {}).get(route.path, ()), tags)


def _mirror_route(target: APIRouter, route: APIRoute, upstream: Callable[[Request], Upstream], prefix: str,
                  access: Access, extra_deps: Sequence[Any], tags: list[str] | None) -> None:
    dependant = route.dependant
    params = [inspect.Parameter("gw_request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    if access is not None:
        params.append(inspect.Parameter("gw_caller", inspect.Parameter.KEYWORD_ONLY, default=Depends(access),
                                        annotation=Caller))
    for field in [*dependant.path_params, *dependant.query_params, *dependant.body_params]:
        params.append(inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY,
                                        default=field.field_info, annotation=field.field_info.annotation))

    async def forward(**kwargs: Any) -> Response:
        request: Request = kwargs["gw_request"]
        who: Caller | None = kwargs.get("gw_caller")
        path = route.path_format.format(**{f.name: kwargs[f.name] for f in dependant.path_params})
        body = await request.body()
        public_path = prefix + path
        keeper: CacheKeeper = request.app.state.cache_keeper
        started_at = keeper.before(request.method, public_path, who)
        response: Answer | None = None
        try:
            response = await upstream(request).call(
                request.method, path, who, content=body or None,
                params=request.query_params.multi_items(),  # repeated parameters (?a=1&a=2) stay repeated
                client_ip=client_address(request), language=request.headers.get("accept-language"))
        finally:  # also when the service failed: a write may have happened all the same
            keeper.after(started_at, request.method, public_path, who, response)
        return Response(response.content, status_code=response.status_code,
                        media_type=response.content_type)

    forward.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    forward.__name__ = f"{route.name}_via_gateway"
    for method in sorted(route.methods):
        target.add_api_route(
            prefix + route.path, forward, methods=[method], response_model=route.response_model,
            status_code=route.status_code, summary=route.summary, description=route.description,
            tags=tags or route.tags, dependencies=[Depends(d) for d in extra_deps],
            responses=route.responses, name=f"{route.name}_{method.lower()}",
            # From the public path: unique across services even where two handlers share a name.
            operation_id=f"{method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', prefix + route.path).strip('_')}",
            response_class=route.response_class,
        )
