"""Beoordelen (staff and planning office): the requests still waiting, oldest first, accept or reject each
child's lines with a reason the parents read."""

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, staff_only
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.web import redirect, render, session_of

router = APIRouter(dependencies=[Depends(staff_only)])


async def _names(request: Request, child_ids: set[str]) -> dict[str, str]:
    """First names where the account may read the directory (admins); staff see the request without them."""
    if session_of(request).account.role != "org_admin":  # type: ignore[union-attr]
        return {}

    async def one(child_id: str) -> tuple[str, str]:
        try:
            found = await api(request, "GET", f"/admin/directory/children/{child_id}")
            return child_id, f"{found['first_name']} {found.get('last_name', '')}".strip()
        except ApiError:
            return child_id, ""

    return dict(await asyncio.gather(*(one(c) for c in child_ids)))


async def _page(request: Request, done: str = "", error: dict[str, str] | None = None,
                status: int = 200) -> Response:
    try:
        queue = await api(request, "GET", "/evaluation-queue")
    except ApiError as refused:
        if refused.status != 403:
            raise
        # Staff where the organisation leaves evaluating to the planning office.
        return render(request, "evaluation.html", items=[], names={}, refused=refused.message, done="",
                      error=None)
    waiting = [r for r in queue["items"] if any(c["status"] == "pending" for c in r["children"])]
    names = await _names(request, {c["child_id"] for r in waiting for c in r["children"]})
    return render(request, "evaluation.html", status, items=waiting, names=names, refused=None, done=done,
                  error=error)


@router.get("/evaluation")
async def queue(request: Request, done: str = "") -> Response:
    return await _page(request, done)


@router.post("/evaluation/{request_id}/{child_id}")
async def evaluate(request: Request, request_id: str, child_id: str) -> Response:
    form = await request.form()
    outcome = str(form.get("outcome", ""))
    reason = str(form.get("reason", "")).strip()
    if outcome not in ("accepted", "rejected"):
        return await _page(request, error={"title": N_("Choose accept or reject.")}, status=422)
    if outcome == "rejected" and not reason:
        return await _page(request, error={"title": N_("A rejection needs a reason the parents can read.")},
                           status=422)
    body: dict[str, Any] = {"outcome": outcome}
    if reason:
        body["reason"] = reason
    try:
        await api(request, "POST", f"/requests/{request_id}/children/{child_id}/evaluate", json=body)
    except ApiError as error:
        if error.status >= 500 or error.status in (401, 404):
            raise
        return await _page(request, error={"title": N_("The evaluation was not saved."), "detail": error.message},
                           status=422)
    return redirect(f"/evaluation?done={outcome}", request)
