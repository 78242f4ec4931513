"""Calls from the gateway to domain services: forwarded identity and correlation id, errors passed on."""

from typing import Any

import httpx
from konnect_kit.correlation import CORRELATION_HEADER, current_correlation_id
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, forwarded_headers


class Upstream:
    def __init__(self, name: str, base_url: str, internal_token: str, timeout: float) -> None:
        self.name = name
        self.internal_token = internal_token
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def call(self, method: str, path: str, who: Caller | None, *, json: Any = None, content: bytes | None = None,
                   params: Any = None, client_ip: str | None = None, language: str | None = None) -> httpx.Response:
        headers = forwarded_headers(self.internal_token, who, client_ip)
        headers[CORRELATION_HEADER] = current_correlation_id()
        if language:
            headers["accept-language"] = language[:200]  # services pick texts for callers without a profile
        if content is not None:
            headers["content-type"] = "application/json"
        try:
            response = await self.client.request(method, path, json=json, content=content, params=params,
                                                 headers=headers)
        except httpx.HTTPError as exc:
            raise ApiError(503, "service_unavailable",
                           f"The {self.name} service is not reachable right now; try again shortly.") from exc
        if response.status_code >= 500:
            raise ApiError(502, "bad_gateway", f"The {self.name} service failed to answer.")
        return response

    async def healthy(self) -> None:
        response = await self.client.get("/health")
        response.raise_for_status()

    async def close(self) -> None:
        await self.client.aclose()
