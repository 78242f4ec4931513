"""The gateway's public API as the portal uses it: bearer tokens of the active account, refreshed transparently."""

import time
from typing import Any

import httpx

from konnect_web.session import Account, SessionState


class ApiError(Exception):
    """A refusal of the API (4xx/5xx) with its uniform error body: {"error": {"code", "message", "details"}}."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


class LoggedOut(Exception):
    """The active account's session ended (refresh refused): the user logs in again."""


def error_of(response: httpx.Response) -> ApiError:
    try:
        body = response.json().get("error", {})
    except ValueError:
        body = {}
    return ApiError(response.status_code, str(body.get("code", "http_error")),
                    str(body.get("message", response.reason_phrase)), body.get("details"))


def account_from_tokens(tokens: dict, me: dict) -> Account:
    account = me["account"]
    return Account(account_id=tokens["account_id"], email=account["email"], name=account["display_name"],
                   organisation=(account.get("organisation") or {}).get("name", ""), role=account["role"],
                   access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                   expires_at=time.time() + int(tokens["expires_in"]))


class Gateway:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/api/v1", timeout=timeout)

    async def close(self) -> None:
        await self.http.aclose()

    async def public(self, method: str, path: str, json: Any = None, client_ip: str | None = None) -> Any:
        """A call without a login (login, password reset, invitation); raises ApiError on refusal."""
        response = await self.http.request(method, path, json=json, headers=self._forwarded(client_ip))
        if response.status_code >= 400:
            raise error_of(response)
        return response.json() if response.content else None

    async def with_token(self, method: str, path: str, access_token: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, headers={"Authorization": f"Bearer {access_token}"},
                                           **kwargs)
        if response.status_code >= 400:
            raise error_of(response)
        return response.json() if response.content else None

    async def call(self, state: SessionState, method: str, path: str, **kwargs: Any) -> Any:
        """A call as the active account: refreshes a token about to expire, and once more after a 401."""
        account = state.account
        if account is None:
            raise LoggedOut
        if account.expiring():
            await self.refresh(state, account)
        response = await self._send(account, method, path, **kwargs)
        if response.status_code == 401:
            await self.refresh(state, account)
            response = await self._send(account, method, path, **kwargs)
        if response.status_code >= 400:
            raise error_of(response)
        return response.json() if response.content else None

    async def refresh(self, state: SessionState, account: Account) -> None:
        response = await self.http.post("/auth/refresh", json={"refresh_token": account.refresh_token})
        if response.status_code != 200:
            state.remove(account.account_id)
            raise LoggedOut
        tokens = response.json()
        account.access_token, account.refresh_token = tokens["access_token"], tokens["refresh_token"]
        account.expires_at = time.time() + int(tokens["expires_in"])
        state.dirty = True

    async def _send(self, account: Account, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {account.access_token}"}
        return await self.http.request(method, path, headers=headers, **kwargs)

    @staticmethod
    def _forwarded(client_ip: str | None) -> dict[str, str]:
        # The gateway's rate limits count per client address; it trusts this header only from a proxy
        # configured as trusted (GATEWAY_TRUSTED_PROXIES), otherwise it counts the portal's own address.
        return {"X-Forwarded-For": client_ip} if client_ip else {}
