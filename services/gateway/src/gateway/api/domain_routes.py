"""Planning, credits and notifications on the public surface: agenda, requests, evaluation, credits, settings."""

from credits.api import credits
from fastapi import APIRouter, Request
from notifications.api import devices, preferences
from planning.api import admin, agenda, evaluation, requests

from gateway.auth import RequireRole, authenticated
from gateway.mirror import mirror
from gateway.upstream import Upstream

router = APIRouter()


def planning(request: Request) -> Upstream:
    return request.app.state.upstreams["planning"]


def credits_service(request: Request) -> Upstream:
    return request.app.state.upstreams["credits"]


def notifications_service(request: Request) -> Upstream:
    return request.app.state.upstreams["notifications"]


_admins = RequireRole("platform_operator", "org_admin", "erp")
_evaluators = RequireRole("platform_operator", "org_admin", "staff", "erp")

mirror(router, agenda.router, upstream=planning, prefix="/api/v1", authenticated=authenticated)
mirror(router, requests.router, upstream=planning, prefix="/api/v1", authenticated=authenticated)
mirror(router, evaluation.router, upstream=planning, prefix="/api/v1", authenticated=authenticated,
       restrict_to=_evaluators)
mirror(router, admin.router, upstream=planning, prefix="/api/v1/admin", authenticated=authenticated,
       restrict_to=_admins, tags=["admin: planning"])
mirror(router, credits.router, upstream=credits_service, prefix="/api/v1", authenticated=authenticated)
mirror(router, preferences.router, upstream=notifications_service, prefix="/api/v1", authenticated=authenticated)
mirror(router, devices.router, upstream=notifications_service, prefix="/api/v1", authenticated=authenticated)
