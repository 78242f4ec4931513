"""Mijn tegoeden: each child's credits, their balance (granted, reserved, used, usable) and history."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, children, parents_only
from konnect_web.web import render

router = APIRouter(dependencies=[Depends(parents_only)])


@router.get("/credits")
async def credits(request: Request) -> Response:
    per_child = []
    for child in await children(request):
        found = await api(request, "GET", f"/children/{child['child_id']}/credits")
        per_child.append({"child": child, "credits": found["items"]})
    return render(request, "credits.html", per_child=per_child)
