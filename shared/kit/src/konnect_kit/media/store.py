"""Private S3 objects through the `minio` client: unguessable per-organisation keys, presigned size-bound
uploads, short-lived presigned downloads, and transfers that stream through files (never a whole object in memory)."""

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error

from konnect_kit.media.kinds import SNIFF_BYTES
from konnect_kit.media.signing import DownloadSigner


@dataclass(frozen=True)
class S3Config:
    """Where the media bucket is; picklable, so a processing worker process can open its own client."""

    endpoint: str = "127.0.0.1:7070"
    access_key: str = "konnect"
    secret_key: str = "konnect-local-secret"
    bucket: str = "konnect-media"
    secure: bool = False
    region: str = "us-east-1"
    public_endpoint: str | None = None
    """The address clients use for presigned URLs, when it differs from the service's (e.g. behind a CDN)."""


@dataclass(frozen=True)
class PresignedUpload:
    """A browser/app-ready form POST: send `fields` plus the file (form field `file`, last) to `url`."""

    url: str
    fields: dict[str, str]
    key: str
    max_bytes: int
    expires_at: datetime


def new_key(organisation_id: UUID | str, purpose: str) -> str:
    """`<organisation>/<purpose>/<192 random bits>`: grouped per organisation, impossible to guess or enumerate."""
    return f"{organisation_id}/{purpose}/{secrets.token_urlsafe(24)}"


class MediaStore:
    """The bucket, from async code (each call runs the blocking client in a thread) or, via `sync`, from a worker."""

    def __init__(self, config: S3Config) -> None:
        self.config = config
        self.sync = Minio(config.endpoint, access_key=config.access_key, secret_key=config.secret_key,
                          secure=config.secure, region=config.region)
        self._public = Minio(config.public_endpoint or config.endpoint, access_key=config.access_key,
                             secret_key=config.secret_key, secure=config.secure, region=config.region)
        self._downloads = DownloadSigner(endpoint=config.public_endpoint or config.endpoint, secure=config.secure,
                                         bucket=config.bucket, region=config.region, access_key=config.access_key,
                                         secret_key=config.secret_key)

    def presign_upload(self, key: str, max_bytes: int, lifetime: timedelta = timedelta(minutes=15)) -> PresignedUpload:
        """A POST policy bound to this key and 1..max_bytes: S3 itself refuses a bigger body (no bytes reach us)."""
        expires_at = datetime.now(UTC) + lifetime
        policy = PostPolicy(self.config.bucket, expires_at)
        policy.add_equals_condition("key", key)
        policy.add_content_length_range_condition(1, max_bytes)
        fields = {**self._public.presigned_post_policy(policy), "key": key}
        scheme = "https" if self.config.secure else "http"
        url = f"{scheme}://{self.config.public_endpoint or self.config.endpoint}/{self.config.bucket}"
        return PresignedUpload(url, fields, key, max_bytes, expires_at)

    def presign_download(self, key: str, lifetime: timedelta, *, file_name: str | None = None,
                         now: datetime | None = None) -> str:
        """A GET URL valid for `lifetime` from `now` (default: the real time), for this one object (the signature
        covers the key); `file_name` makes browsers save it rather than show it."""
        params = {"response-content-disposition": f'attachment; filename="{file_name}"'} if file_name else None
        return self._downloads.url(key, lifetime, now=now, response_headers=params)

    async def size(self, key: str) -> int | None:
        """The object's size, or None when it does not exist (never uploaded)."""
        def stat() -> int | None:
            try:
                return self.sync.stat_object(self.config.bucket, key).size
            except S3Error as exc:
                if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                    return None
                raise
        return await asyncio.to_thread(stat)

    async def head(self, key: str, length: int = SNIFF_BYTES) -> bytes:
        """The first `length` bytes (a ranged GET), enough for `sniff`."""
        return await asyncio.to_thread(self.head_sync, key, length)

    def head_sync(self, key: str, length: int = SNIFF_BYTES) -> bytes:
        response = self.sync.get_object(self.config.bucket, key, offset=0, length=length)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def download_sync(self, key: str, path: Path) -> None:
        self.sync.fget_object(self.config.bucket, key, str(path))  # streams to disk in chunks

    def upload_sync(self, key: str, path: Path, content_type: str) -> None:
        self.sync.fput_object(self.config.bucket, key, str(path), content_type=content_type)  # multipart if large

    async def upload_file(self, key: str, path: Path, content_type: str) -> None:
        await asyncio.to_thread(self.upload_sync, key, path, content_type)

    async def delete(self, *keys: str) -> None:
        """Remove objects (missing ones are fine: deleting is idempotent)."""
        def remove() -> None:
            for key in keys:
                self.sync.remove_object(self.config.bucket, key)
        if keys:
            await asyncio.to_thread(remove)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every object under `prefix/` (one media item's upload and variants)."""
        def remove() -> None:
            for item in self.sync.list_objects(self.config.bucket, prefix=prefix.rstrip("/") + "/", recursive=True):
                self.sync.remove_object(self.config.bucket, item.object_name)
        await asyncio.to_thread(remove)
