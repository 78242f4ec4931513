"""The gateway's connection to one domain service: a pooled keep-alive client, and its errors as clients see them."""

import aiohttp
from konnect_kit.errors import ApiError

from gateway.upstream_http import UpstreamPool


class Upstream:
    """The gateway's connections to one service: the forwarder's lean pool (gateway.upstream_http) for every
    request and answer, and an aiohttp client for event streams and the readiness check.

    Not httpx: forwarding is the gateway's hot path, and httpx's pool cost ~2 ms of CPU per call under concurrency
    here (bench/gateway_me.py); aiohttp's request machinery was still a quarter of the gateway's CPU.
    """

    def __init__(self, name: str, base_url: str, internal_token: str, timeout: float) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.internal_token = internal_token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._client: aiohttp.ClientSession | None = None
        self._pool: UpstreamPool | None = None

    def pool(self) -> UpstreamPool:
        # Made on first use, like the session: its connections belong to the event loop that runs the app.
        if self._pool is None:
            self._pool = UpstreamPool(self.base_url, self.timeout.total or 30.0)
        return self._pool

    def session(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the event loop that runs the app.
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(
                self.base_url, timeout=self.timeout, auto_decompress=False,
                # Shorter than the services keep idle connections (konnect_kit http_keep_alive_seconds, 75 s), so the
                # gateway always drops an idle connection before the service does (no request lost in the close).
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
                # The forwarded headers are complete: no User-Agent/Accept/Accept-Encoding of aiohttp's own.
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            )
        return self._client

    def unreachable(self) -> ApiError:
        return ApiError(503, "service_unavailable",
                        f"The {self.name} service is not reachable right now; try again shortly.")

    def failed(self) -> ApiError:
        return ApiError(502, "bad_gateway", f"The {self.name} service failed to answer.")

    async def healthy(self) -> None:
        async with self.session().get("/health") as response:
            response.raise_for_status()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        if self._client is not None:
            await self._client.close()
