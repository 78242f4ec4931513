"""From an uploaded object to safe variants, in a worker process: sniff, size, decode checks, strip, resize, store.

Runs outside the service's process (a small process pool) so decoding a 24-megapixel photo never grows the
service's memory, a decoder crash cannot take it down, and the event loop stays free."""

import asyncio
import json
import multiprocessing
import tempfile
from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from minio.error import S3Error

from konnect_kit.media.images import MediaRefused, process_image
from konnect_kit.media.kinds import DEFAULT_LIMITS, SNIFF_BYTES, Limits, MediaKind, MediaType, sniff
from konnect_kit.media.store import MediaStore, S3Config
from konnect_kit.media.video import process_video

UPLOAD = "upload"
ORIGINAL = "original"
DISPLAY = "display.jpg"
THUMBNAIL = "thumbnail.jpg"


def object_key(base: str, name: str) -> str:
    """The key of one object of a media item: `<base>/upload` (raw, deleted after processing), `<base>/original`,
    `<base>/display.jpg`, `<base>/thumbnail.jpg`."""
    return f"{base}/{name}"


@dataclass(frozen=True)
class ProcessedMedia:
    base: str
    kind: MediaKind
    uploaded_type: str
    original_type: str
    size_bytes: int
    width: int
    height: int
    duration_seconds: float | None = None


_stores: dict[S3Config, MediaStore] = {}
_threads: list[ThreadPoolExecutor] = []


def _uploader() -> ThreadPoolExecutor:
    if not _threads:
        _threads.append(ThreadPoolExecutor(max_workers=4, thread_name_prefix="media-upload"))
    return _threads[0]


@contextmanager
def _closing(response: Any) -> Iterator[Any]:
    try:
        yield response
    finally:
        response.close()
        response.release_conn()


def _store(config: S3Config) -> MediaStore:
    if config not in _stores:
        _stores[config] = MediaStore(config)
    return _stores[config]


MEMO = "processed.json"
"""What processing found, written beside the clean copies: a step retried after its result was lost (the
consumer's transaction rolled back after the raw upload was already gone) answers from it."""

_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound")


def check_kind(head: bytes, size: int, accepted: Collection[MediaKind], limits: Limits = DEFAULT_LIMITS) -> MediaType:
    """The type the first bytes say, if it is accepted here and within its size limit; else MediaRefused."""
    media_type = sniff(head)
    if media_type is None:
        raise MediaRefused("bad_type", "The file's contents are not an accepted " + "/".join(accepted) + " type.")
    if media_type.kind not in accepted:
        raise MediaRefused(f"{media_type.kind}_not_accepted", f"A {media_type.kind} is not accepted here.")
    if size > limits.max_bytes(media_type.kind):
        raise MediaRefused("too_large", f"The {media_type.kind} is {size} bytes; at most "
                                        f"{limits.max_bytes(media_type.kind)} are accepted.")
    return media_type


def _memo(store: MediaStore, base: str) -> ProcessedMedia | None:
    try:
        with _closing(store.sync.get_object(store.config.bucket, object_key(base, MEMO))) as response:
            return ProcessedMedia(**json.loads(response.read()))
    except S3Error as exc:
        if exc.code in _MISSING:
            return None
        raise


def process_upload_sync(config: S3Config, base: str, accepted: Collection[MediaKind],
                        limits: Limits = DEFAULT_LIMITS) -> ProcessedMedia:
    """Check the raw upload at `<base>/upload` and write its variants next to it. The raw object (with its
    metadata) is deleted once processed or refused; a store failure (MediaStoreError from the worker) keeps it,
    so the step can be retried. Raises MediaRefused (nothing kept) or the store's errors (retry later)."""
    store = _store(config)
    upload = object_key(base, UPLOAD)
    # One GET: the first bytes decide type and size before the rest is streamed to disk (a refused file is
    # never read further).
    try:
        response = store.sync.get_object(config.bucket, upload)
    except S3Error as exc:
        if exc.code not in _MISSING:
            raise  # the store is in trouble: retry later
        done = _memo(store, base)  # processed before, by a step whose result was lost
        if done is not None:
            return done
        raise MediaRefused("not_uploaded", "Nothing was uploaded for this upload (or it expired).") from exc
    try:
        with tempfile.TemporaryDirectory(prefix="konnect-media-") as tmp, _closing(response):
            size = int(response.headers.get("Content-Length") or 0)
            head = response.read(SNIFF_BYTES)
            media_type = check_kind(head, size, accepted, limits)
            folder = Path(tmp)
            src = folder / "upload"
            with src.open("wb") as out:
                out.write(head)
                for chunk in response.stream(1024 * 1024):
                    out.write(chunk)
            # The raw upload (with its metadata) is removed after the clean copies are written: removing it while
            # they are written raced on a file-system S3 (versitygw prunes the emptied folder `<base>/` as the
            # copies create it; seen as ExistingObjectIsDirectory).
            duration = None
            if media_type.kind == "photo":
                variants = process_image(src, media_type, folder, limits)
                original, original_type, display = variants.original, variants.original_type, variants.display
                thumbnail, width, height = variants.thumbnail, variants.width, variants.height
            elif media_type.kind == "video":
                video = process_video(src, media_type, folder, limits)
                original, original_type, display = video.original, video.original_type, video.poster
                thumbnail, width, height, duration = video.thumbnail, video.width, video.height, video.duration_seconds
            else:  # documents are stored as sent (they are attachments, not shown inline)
                original, original_type, display, thumbnail = src, media_type.content_type, None, None
                width = height = 0
            done = ProcessedMedia(base, media_type.kind, media_type.content_type, original_type, size, width, height,
                                  duration)
            memo = folder / MEMO
            memo.write_text(json.dumps(asdict(done)))
            uploads = [(object_key(base, ORIGINAL), original, original_type)]
            if display is not None and thumbnail is not None:
                uploads += [(object_key(base, DISPLAY), display, "image/jpeg"),
                            (object_key(base, THUMBNAIL), thumbnail, "image/jpeg")]
            # In parallel: three round trips to S3 cost one. The memo last: it says the copies are all there.
            list(_uploader().map(lambda item: store.upload_sync(*item), uploads))
            store.upload_sync(object_key(base, MEMO), memo, "application/json")
    except MediaRefused:
        store.sync.remove_object(config.bucket, upload)
        raise
    store.sync.remove_object(config.bucket, upload)
    return done


class MediaStoreError(Exception):
    """The object store failed while processing (retry later); carries the store's message only."""


def _process_in_worker(config: S3Config, base: str, accepted: Collection[MediaKind],
                       limits: Limits = DEFAULT_LIMITS) -> ProcessedMedia:
    # The worker's exception travels back pickled: minio's S3Error holds its HTTP response (a lock) and cannot,
    # which turned any store failure into a TypeError about pickling.
    try:
        return process_upload_sync(config, base, accepted, limits)
    except MediaRefused:
        raise
    except Exception as exc:
        raise MediaStoreError(f"{type(exc).__name__}: {exc}") from None


class MediaProcessor:
    """`await processor.process(base, {"photo"})` runs `process_upload_sync` in a worker process."""

    def __init__(self, config: S3Config, limits: Limits = DEFAULT_LIMITS, workers: int = 1,
                 tasks_per_worker: int = 200) -> None:
        self.config = config
        self.limits = limits
        # spawn: a clean interpreter (forking a process that runs an event loop and DB pools is unsafe);
        # recycled now and then so a decoder's fragmented heap is handed back to the system.
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         max_tasks_per_child=tasks_per_worker)

    async def process(self, base: str, accepted: Collection[MediaKind]) -> ProcessedMedia:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _process_in_worker, self.config, base, tuple(accepted),
                                          self.limits)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
