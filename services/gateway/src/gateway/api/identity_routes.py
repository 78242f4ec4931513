"""The identity service's public surface: auth, own account and /me, children, and the admin/ERP directory."""

from fastapi import APIRouter, Request
from identity.api import account, account_admin, auth, children, directory

from gateway.auth import RequireRole, authenticated
from gateway.mirror import mirror
from gateway.ratelimit import RateLimit
from gateway.upstream import Upstream

router = APIRouter()


def identity(request: Request) -> Upstream:
    return request.app.state.upstreams["identity"]


# Per client address; identity's failed-login backoff (per address, e-mail and device) stands behind these.
_limits = {
    "/auth/login": [RateLimit("login", 20, 60)],
    "/auth/password-reset": [RateLimit("reset", 10, 60)],
    "/auth/password-reset/confirm": [RateLimit("reset-confirm", 20, 60)],
    "/auth/invitation/accept": [RateLimit("invitation", 20, 60)],
    "/auth/machine-token": [RateLimit("machine-token", 60, 60)],
    "/auth/refresh": [RateLimit("refresh", 120, 60)],
}

mirror(router, auth.router, upstream=identity, prefix="/api/v1", authenticated=authenticated, extra=_limits)
mirror(router, account.router, upstream=identity, prefix="/api/v1", authenticated=authenticated)
mirror(router, children.router, upstream=identity, prefix="/api/v1", authenticated=authenticated)
mirror(router, directory.router, upstream=identity, prefix="/api/v1/admin", authenticated=authenticated,
       restrict_to=RequireRole("platform_operator", "org_admin", "erp"), tags=["admin: directory"])
mirror(router, account_admin.router, upstream=identity, prefix="/api/v1/admin", authenticated=authenticated,
       restrict_to=RequireRole("platform_operator", "org_admin"))
