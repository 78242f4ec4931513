"""Berichten: the conversations with unread counts, one conversation (older messages by cursor), starting one
(child, group when the child has several, subject) and replying, both with an attachment. A sent message has no
edit or delete: the API has none."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, children, messaging_roles, parents_only
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.media import chosen_files, media_of, plain_file_name
from konnect_web.web import redirect, render

# Staff and admins read and answer; starting a conversation about a child is the parents' (the API decides).
router = APIRouter(dependencies=[Depends(messaging_roles)])
MAX_ATTACHMENTS = 5  # the API's limit per message
VARIANTS = ("thumbnail", "display", "original")


def groups_of(child: dict[str, Any]) -> list[dict[str, str]]:
    """The groups a child is placed in (today's, else those of its placements), each once."""
    found = {g["group_id"]: g.get("name", "") for g in child.get("groups") or []}
    if not found:
        for placement in child.get("placements") or []:
            group = placement.get("group") or {}
            if group.get("group_id"):
                found.setdefault(group["group_id"], group.get("name", ""))
    return [{"group_id": k, "name": v} for k, v in found.items()]


@router.get("/conversations")
async def conversations(request: Request, before: int | None = None) -> Response:
    params: dict[str, Any] = {"limit": 20}
    if before is not None:
        params["before"] = before
    data = await api(request, "GET", "/conversations", params=params)
    kids = {c["child_id"]: c for c in await children(request)}
    return render(request, "conversations.html", data=data, kids=kids)


@router.get("/conversations/new", dependencies=[Depends(parents_only)])
async def new_form(request: Request, child: str = "") -> Response:
    return await _new_page(request, {"child": child, "subject": "", "text": "", "group": ""}, None)


async def _new_page(request: Request, values: dict[str, str], error: dict | None, status: int = 200) -> Response:
    kids = await children(request)
    for kid in kids:
        kid["group_choices"] = groups_of(kid)
    return render(request, "conversation_new.html", status, kids=kids, values=values, error=error)


@router.post("/conversations/new", dependencies=[Depends(parents_only)])
async def start(request: Request) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("child", "subject", "text", "group")}
    kids = {k["child_id"]: k for k in await children(request)}
    files = chosen_files(form.getlist("attachment"))

    async def again(message: str, detail: str = "") -> Response:
        return await _new_page(request, values, {"title": message, "detail": detail}, 422)

    child = kids.get(values["child"])
    if child is None:
        return await again(N_("Choose a child."))
    groups = [g["group_id"] for g in groups_of(child)]
    group = values["group"] if values["group"] in groups else (groups[0] if len(groups) == 1 else None)
    if len(groups) > 1 and group is None:
        return await again(N_("Choose the group this message is for."))
    if not values["subject"].strip() or not values["text"].strip():
        return await again(N_("Fill in a subject and a message."))
    try:
        attachment_ids = await attachments(request, files)
        body: dict[str, Any] = {"child_id": child["child_id"], "subject": values["subject"],
                                "text": values["text"], "attachment_ids": attachment_ids}
        if group:
            body["group_id"] = group
        created = await api(request, "POST", "/conversations", json=body)
    except ApiError as error:
        if error.status >= 500 or error.status in (401, 403, 404):
            raise
        return await again(N_("The message was not sent."), error.message)
    return redirect(f"/conversations/{created['conversation_id']}?done=sent", request)


@router.get("/conversations/{conversation_id}")
async def conversation(request: Request, conversation_id: str, before: int | None = None,
                       done: str = "") -> Response:
    params = {"before": before} if before is not None else {}
    data = await api(request, "GET", f"/conversations/{conversation_id}", params=params)
    kids = {c["child_id"]: c for c in await children(request)}
    return render(request, "conversation.html", c=data, kids=kids, done=done, error=None, text="")


@router.post("/conversations/{conversation_id}/reply")
async def reply(request: Request, conversation_id: str) -> Response:
    form = await request.form()
    text = str(form.get("text", ""))
    files = chosen_files(form.getlist("attachment"))

    async def again(message: str, detail: str = "") -> Response:
        data = await api(request, "GET", f"/conversations/{conversation_id}")
        kids = {c["child_id"]: c for c in await children(request)}
        return render(request, "conversation.html", 422, c=data, kids=kids, done="", text=text,
                      error={"title": message, "detail": detail})

    if not text.strip():
        return await again(N_("Write a message."))
    try:
        attachment_ids = await attachments(request, files)
        await api(request, "POST", f"/conversations/{conversation_id}/messages",
                  json={"text": text, "attachment_ids": attachment_ids})
    except ApiError as error:
        if error.status >= 500 or error.status in (401, 403, 404):
            raise
        return await again(N_("The message was not sent."), error.message)
    return redirect(f"/conversations/{conversation_id}?done=sent#latest", request)


@router.get("/conversations/{conversation_id}/attachments/{attachment_id}")
async def attachment(request: Request, conversation_id: str, attachment_id: str,
                     variant: str = "original") -> Response:
    """An attachment streamed through the portal: thumbnails and display size inline, the original as a file."""
    variant = variant if variant in VARIANTS else "original"
    found = await api(request, "GET", f"/conversations/{conversation_id}/attachments/{attachment_id}",
                      params={"variant": variant})
    name = found["file_name"] if variant == "original" else None
    return await media_of(request).stream(found["url"], name, found["content_type"])


async def attachments(request: Request, files: list[Any]) -> list[str]:
    """Each file: announced (name), streamed to its presigned form, confirmed (type checked from the bytes)."""
    if len(files) > MAX_ATTACHMENTS:
        raise ApiError(422, "too_many", "At most 5 attachments.")
    ids = []
    for file in files:
        started = await api(request, "POST", "/message-attachments",
                            json={"file_name": plain_file_name(file.filename)})
        await media_of(request).send(started["upload"], file)
        await api(request, "POST", f"/message-attachments/{started['attachment_id']}/confirm")
        ids.append(str(started["attachment_id"]))
    return ids
