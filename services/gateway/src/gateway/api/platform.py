"""Platform operator routes: onboard an organisation (identity) and see what planning learned of it."""

from fastapi import APIRouter, Request
from identity.api import organisations
from planning.api import organisations as planning_organisations

from gateway.auth import RequireRole, authenticated
from gateway.mirror import mirror
from gateway.upstream import Upstream

router = APIRouter()
_managers = RequireRole("platform_operator", "org_admin", "erp")


def identity(request: Request) -> Upstream:
    return request.app.state.upstreams["identity"]


def planning(request: Request) -> Upstream:
    return request.app.state.upstreams["planning"]


mirror(router, organisations.router, upstream=identity, prefix="/api/v1/platform", authenticated=authenticated,
       restrict_to=_managers, tags=["platform"])
mirror(router, planning_organisations.router, upstream=planning, prefix="/api/v1/platform/planning",
       authenticated=authenticated, restrict_to=_managers, tags=["platform"])
