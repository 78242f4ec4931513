"""Photos and files through the portal's own origin: the API's short-lived signed URLs are sealed into portal
addresses (/media/<token>), and uploads are streamed from the browser's form to the API's presigned form."""

import json
import re
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.fernet import InvalidToken, MultiFernet
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from konnect_web.gateway import ApiError
from konnect_web.web import session_of

# A sealed address lives a little longer than a page is read; the signed URL inside expires on its own anyway.
SEAL_SECONDS = 3600
PASSED_HEADERS = ("content-type", "content-length", "last-modified", "etag")


class MediaStore:
    """Seals signed URLs for one account and streams them back; sends uploads to presigned forms."""

    def __init__(self, fernet: MultiFernet, timeout: float) -> None:
        self.fernet = fernet
        # Its own client: the signed URLs point at the media store, not the gateway.
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, read=60.0))

    async def close(self) -> None:
        await self.http.aclose()

    def seal(self, request: Request, url: str | None, file_name: str | None = None) -> str:
        """The portal address of a signed URL, bound to the active account (a copied link shows nothing to
        another session). Empty for no URL."""
        account = session_of(request).account
        if not url or account is None:
            return ""
        token = self.fernet.encrypt(json.dumps({"u": url, "a": account.account_id, "f": file_name}).encode())
        return "/media/" + token.decode()

    def open(self, request: Request, token: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.fernet.decrypt(token.encode(), ttl=SEAL_SECONDS))
        except (InvalidToken, ValueError):
            return None
        accounts = {a.account_id for a in session_of(request).accounts}
        return data if data.get("a") in accounts else None

    async def stream(self, url: str, file_name: str | None = None, content_type: str | None = None) -> Response:
        """The file at a signed URL, streamed chunk by chunk (never held whole); a download when named."""
        upstream = await self.http.send(self.http.build_request("GET", url), stream=True)
        if upstream.status_code != 200:
            await upstream.aclose()
            return Response(status_code=404)
        headers = {k: upstream.headers[k] for k in PASSED_HEADERS if k in upstream.headers}
        if content_type:
            headers["content-type"] = content_type
        if file_name:
            headers["content-disposition"] = attachment_header(file_name)
        return StreamingResponse(upstream.aiter_raw(), status_code=200, headers=headers,
                                 background=BackgroundTask(upstream.aclose))

    async def send(self, form: dict[str, Any], upload: UploadFile) -> None:
        """POST a file to a presigned form (fields first, the file last), read from the spooled upload in
        chunks by httpx; a refusal of the store becomes an ApiError the form shows."""
        if upload.size is not None and upload.size > int(form.get("max_bytes") or upload.size):
            raise ApiError(422, "too_large", "The file is too large.")
        files = {"file": (upload.filename or "file", upload.file, upload.content_type or "application/octet-stream")}
        upload.file.seek(0)
        response = await self.http.post(form["url"], data=form["fields"], files=files)
        if response.status_code >= 300:
            raise ApiError(422, "upload_refused", "The file was not accepted (too large or damaged).")


def attachment_header(file_name: str) -> str:
    ascii_name = re.sub(r'[^A-Za-z0-9._-]', "_", file_name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def media_of(request: Request) -> MediaStore:
    return request.app.state.media


def chosen_files(files: list[Any]) -> list[UploadFile]:
    """The files a form really carries (a file input left empty still sends one nameless, empty part)."""
    return [f for f in files if isinstance(f, UploadFile) and f.filename and (f.size is None or f.size > 0)]


def plain_file_name(name: str | None) -> str:
    """A name the API takes: no folder, quotes or control characters, at most 200 characters."""
    cleaned = "".join(ch for ch in (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
                      if ch not in '"\\' and ord(ch) >= 32 and ord(ch) != 127).strip()
    return (cleaned or "attachment")[:200]
