"""The planning and credits services' public surface: agenda, availability, requests, evaluation, credits, admin."""

from credits.api import credits
from fastapi import APIRouter, Request
from planning.api import admin, agenda, evaluation, requests

from gateway.auth import RequireRole, authenticated
from gateway.mirror import mirror
from gateway.upstream import Upstream

router = APIRouter()


def planning(request: Request) -> Upstream:
    return request.app.state.upstreams["planning"]


def credits_service(request: Request) -> Upstream:
    return request.app.state.upstreams["credits"]


_admins = RequireRole("platform_operator", "org_admin", "erp")
_evaluators = RequireRole("platform_operator", "org_admin", "staff", "erp")

mirror(router, agenda.router, upstream=planning, prefix="/api/v1", authenticated=authenticated)
mirror(router, requests.router, upstream=planning, prefix="/api/v1", authenticated=authenticated)
mirror(router, evaluation.router, upstream=planning, prefix="/api/v1", authenticated=authenticated,
       restrict_to=_evaluators)
mirror(router, admin.router, upstream=planning, prefix="/api/v1/admin", authenticated=authenticated,
       restrict_to=_admins, tags=["admin: planning"])
mirror(router, credits.router, upstream=credits_service, prefix="/api/v1", authenticated=authenticated)
