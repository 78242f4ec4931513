"""GET /metrics for the operator's Prometheus: scraped from each instance directly, never through the gateway."""

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from konnect_kit.service import SessionDep

from notifications.service_layer.metrics import SenderCounts, render

# Like /health: not part of the public API (no gateway route, not in the OpenAPI).
router = APIRouter(include_in_schema=False)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request, session: SessionDep) -> PlainTextResponse:
    senders = [SenderCounts(w.channel, w.sent_total, w.failed_attempts_total, w.given_up_total)
               for w in request.app.state.queue_workers]
    text = await render(session, request.app.state.clock.now(), senders)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")
