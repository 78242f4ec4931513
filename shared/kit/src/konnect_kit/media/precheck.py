"""Cheap checks of a raw upload before it is queued for processing: type, size and claimed pixels, from ranged reads."""

import asyncio
import io
import warnings
from collections.abc import Collection

from minio.error import S3Error
from PIL import Image

from konnect_kit.media.images import MediaRefused
from konnect_kit.media.kinds import DEFAULT_LIMITS, HEIC, HEIF, Limits, MediaKind, MediaType
from konnect_kit.media.pipeline import UPLOAD, check_kind, object_key
from konnect_kit.media.store import MediaStore

HEADER_BYTES = 64 * 1024
"""Enough for the header of a PNG, WebP or (nearly always) JPEG; the pixels are never read here."""


def claimed_pixels(head: bytes, media_type: MediaType) -> tuple[int, int] | None:
    """Width and height the image's header claims, or None when the header alone does not tell (HEIC, a JPEG
    with a very large EXIF block, a damaged header): then the processing step decides."""
    if media_type.kind != "photo" or media_type in (HEIC, HEIF):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(head)) as image:  # lazy: parses the header only
                return image.size
    except Image.DecompressionBombError:
        return (2**31, 1)  # more than twice Pillow's own limit: certainly a bomb
    except Exception:  # any parse failure means "the header alone does not tell"
        return None


def precheck_sync(store: MediaStore, base: str, accepted: Collection[MediaKind],
                  limits: Limits = DEFAULT_LIMITS) -> MediaType:
    """The upload's type when it passes the cheap checks; MediaRefused (and the raw upload deleted) otherwise.
    Store failures are raised as they are (the caller answers 'try again')."""
    key = object_key(base, UPLOAD)
    try:
        size = store.sync.stat_object(store.config.bucket, key).size
    except S3Error as exc:
        if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
            raise MediaRefused("not_uploaded", "Nothing was uploaded for this upload (or it expired).") from None
        raise
    try:
        head = store.head_sync(key, HEADER_BYTES)
        media_type = check_kind(head, size or 0, accepted, limits)
        pixels = claimed_pixels(head, media_type)
        if pixels is not None:
            width, height = pixels
            if width < 1 or height < 1 or width * height > limits.max_pixels:
                raise MediaRefused("image_too_large", f"The image claims {width}x{height} pixels; at most "
                                                      f"{limits.max_pixels} are accepted.")
    except MediaRefused:
        store.sync.remove_object(store.config.bucket, key)
        raise
    return media_type


async def precheck(store: MediaStore, base: str, accepted: Collection[MediaKind],
                   limits: Limits = DEFAULT_LIMITS) -> MediaType:
    return await asyncio.to_thread(precheck_sync, store, base, accepted, limits)
