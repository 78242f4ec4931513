"""Liveness (/health) and readiness (/ready: database and Kafka reachable) endpoints."""

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka.client import AIOKafkaClient
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from konnect_kit.kafka import KafkaConnection

Check = Callable[[], Awaitable[None]]


async def kafka_reachable(kafka: KafkaConnection, timeout: float = 3.0) -> None:
    # Authenticates like every other client: a wrong password shows as not ready, not only in the consumer log.
    client = AIOKafkaClient(**kafka.client_kwargs(), client_id="readiness")
    try:
        await asyncio.wait_for(client.bootstrap(), timeout=timeout)
    finally:
        await client.close()


def health_router(checks: dict[str, Check]) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness: the process is up")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready", summary="Readiness: database and Kafka reachable")
    async def ready() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=5)
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"failing: {type(exc).__name__}"
        ok = all(v == "ok" for v in results.values())
        return JSONResponse({"status": "ready" if ok else "not_ready", "checks": results},
                            status_code=200 if ok else 503)

    return router
