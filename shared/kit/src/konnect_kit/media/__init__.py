"""Media safety shared by every service that accepts files (timeline photos/videos/diary, message attachments).

The API, small on purpose:

- ``sniff(first_bytes) -> MediaType | None``: JPEG, PNG, WebP, HEIC/HEIF, MP4, QuickTime, WebM, PDF, decided from
  the bytes only (``SNIFF_BYTES`` leading bytes suffice). ``Limits`` / ``DEFAULT_LIMITS``: bytes per kind
  (photo 25 MB, video 200 MB, document 20 MB), video seconds, pixels (decompression bombs).
- ``S3Config`` + ``MediaStore``: the private bucket. ``new_key(organisation_id, purpose)`` makes an unguessable
  per-organisation base key; ``presign_upload(object_key(base, UPLOAD), max_bytes)`` a POST policy bound to
  that key and size (S3 refuses bigger bodies); ``presign_download(key, lifetime)`` a short-lived GET URL (give
  it only after the caller's family/tenant check); ``delete_prefix(base)`` removes an item with its variants.
- ``MediaProcessor(config).process(base, accepted_kinds) -> ProcessedMedia`` (in a worker process): sniffs the
  raw ``<base>/upload``, refuses wrong types, oversize, corrupt files, bombs and over-long videos with
  ``MediaRefused(code, message)``, applies EXIF orientation, strips all metadata (GPS above all), writes
  ``<base>/original`` (clean), ``<base>/display.jpg`` and ``<base>/thumbnail.jpg`` (for a video: the streams
  as uploaded without metadata, and a poster frame via ffmpeg),
  and deletes the raw upload once processed or refused (a store failure keeps it, for the retry).
- ``process_image`` / ``process_video`` / ``strip_jpeg``: the same steps on local files.

- ``precheck(store, base, accepted_kinds) -> MediaType``: the cheap part, in the service (ranged reads, no
  decoding): type, size and the pixels a PNG/WebP/JPEG header claims, so those refusals can be answered at once
  while the rest is queued; raises ``MediaRefused`` and deletes the raw upload.

Unconfirmed uploads: a service records each presigned upload with a deadline and deletes ``<base>/`` of those
never confirmed (``MediaStore.delete_prefix``) from a periodic job; the key alone gives no access to anything.
"""

from konnect_kit.media.images import (
    DISPLAY_EDGE,
    THUMBNAIL_EDGE,
    ImageVariants,
    MediaRefused,
    process_image,
    strip_jpeg,
)
from konnect_kit.media.kinds import DEFAULT_LIMITS, SNIFF_BYTES, Limits, MediaKind, MediaType, sniff
from konnect_kit.media.kinds import HEIC as HEIC_TYPE
from konnect_kit.media.kinds import JPEG as JPEG_TYPE
from konnect_kit.media.kinds import PDF as PDF_TYPE
from konnect_kit.media.kinds import PNG as PNG_TYPE
from konnect_kit.media.pipeline import (
    DISPLAY,
    ORIGINAL,
    THUMBNAIL,
    UPLOAD,
    MediaProcessor,
    ProcessedMedia,
    object_key,
    process_upload_sync,
)
from konnect_kit.media.precheck import precheck
from konnect_kit.media.store import MediaStore, PresignedUpload, S3Config, new_key
from konnect_kit.media.video import VideoVariants, process_video

__all__ = [
    "DEFAULT_LIMITS",
    "DISPLAY",
    "DISPLAY_EDGE",
    "HEIC_TYPE",
    "JPEG_TYPE",
    "ORIGINAL",
    "PDF_TYPE",
    "PNG_TYPE",
    "SNIFF_BYTES",
    "THUMBNAIL",
    "THUMBNAIL_EDGE",
    "UPLOAD",
    "ImageVariants",
    "Limits",
    "MediaKind",
    "MediaProcessor",
    "MediaRefused",
    "MediaStore",
    "MediaType",
    "PresignedUpload",
    "ProcessedMedia",
    "S3Config",
    "VideoVariants",
    "new_key",
    "object_key",
    "precheck",
    "process_image",
    "process_upload_sync",
    "process_video",
    "sniff",
    "strip_jpeg",
]
