"""What a file is, decided from its first bytes (never its name or declared type), and the limits per kind."""

from dataclasses import dataclass
from typing import Literal

MediaKind = Literal["photo", "video", "document"]

SNIFF_BYTES = 64
"""How many leading bytes `sniff` needs (read them with a ranged GET, never the whole object)."""


@dataclass(frozen=True)
class MediaType:
    kind: MediaKind
    content_type: str
    extension: str


JPEG = MediaType("photo", "image/jpeg", "jpg")
PNG = MediaType("photo", "image/png", "png")
WEBP = MediaType("photo", "image/webp", "webp")
HEIC = MediaType("photo", "image/heic", "heic")
HEIF = MediaType("photo", "image/heif", "heif")
MP4 = MediaType("video", "video/mp4", "mp4")
QUICKTIME = MediaType("video", "video/quicktime", "mov")
WEBM = MediaType("video", "video/webm", "webm")
PDF = MediaType("document", "application/pdf", "pdf")

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1"}  # AVIF ("avif") is not accepted: no decoder here
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ", b"MSNV",
               b"3gp4", b"3gp5", b"3g2a"}


def sniff(head: bytes) -> MediaType | None:
    """The accepted type these leading bytes start, or None (refuse the file)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head[4:8] == b"ftyp":
        # ISO base media: the major brand (and compatible brands) say what is inside.
        box_size = int.from_bytes(head[:4], "big")
        brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
        if brands[0] in _HEIC_BRANDS:
            return HEIC
        if brands[0] in _HEIF_BRANDS:
            return HEIC if _HEIC_BRANDS.intersection(brands) else HEIF
        if brands[0] == b"qt  ":
            return QUICKTIME
        if brands[0] in _MP4_BRANDS or _MP4_BRANDS.intersection(brands):
            return MP4
    return None


@dataclass(frozen=True)
class Limits:
    """Refusal thresholds; the defaults are what the product promises (SPEC: photo 25 MB, video 200 MB)."""

    photo_bytes: int = 25 * 1024 * 1024
    video_bytes: int = 200 * 1024 * 1024
    document_bytes: int = 20 * 1024 * 1024
    video_seconds: float = 180.0
    max_pixels: int = 50_000_000
    """Larger images are refused as decompression bombs (a 25 MB file can claim 100k x 100k pixels)."""

    def max_bytes(self, kind: MediaKind) -> int:
        return {"photo": self.photo_bytes, "video": self.video_bytes, "document": self.document_bytes}[kind]


DEFAULT_LIMITS = Limits()
