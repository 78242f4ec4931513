"""Image processing: refuse bombs and corrupt files, apply EXIF orientation, strip all metadata, make variants."""

import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from konnect_kit.media.kinds import DEFAULT_LIMITS, HEIC, HEIF, JPEG, PNG, Limits, MediaType

DISPLAY_EDGE = 1600
THUMBNAIL_EDGE = 400
_FORMATS = {JPEG: {"JPEG", "MPO"}, PNG: {"PNG"}, HEIC: {"HEIF"}, HEIF: {"HEIF"}}


class MediaRefused(Exception):
    """The file is not acceptable; `code` is the machine-readable reason (bad_type, too_large, corrupt, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple:
        return (MediaRefused, (self.code, self.message))  # crosses the worker-process boundary intact


@dataclass(frozen=True)
class ImageVariants:
    """Files written by `process_image`; every one is free of metadata and upright."""

    original: Path
    original_type: str
    display: Path
    thumbnail: Path
    width: int
    height: int


def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def open_checked(path: Path, media_type: MediaType, limits: Limits = DEFAULT_LIMITS) -> Image.Image:
    """Open (header only) and refuse what is not this type or claims too many pixels (decompression bomb)."""
    _register_heif()
    Image.MAX_IMAGE_PIXELS = limits.max_pixels  # a second line of defence: Pillow refuses beyond twice this
    try:
        image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise MediaRefused("image_too_large", f"The image claims too many pixels (at most {limits.max_pixels}).") \
            from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise MediaRefused("corrupt", f"The image cannot be read ({type(exc).__name__}).") from exc
    expected = _FORMATS.get(media_type, {"WEBP"})
    if image.format not in expected:
        raise MediaRefused("bad_type", f"The file's bytes are not a {media_type.extension.upper()} image.")
    width, height = image.size
    if width < 1 or height < 1 or width * height > limits.max_pixels:
        raise MediaRefused("image_too_large",
                           f"The image has {width}x{height} pixels; at most {limits.max_pixels} are accepted.")
    return image


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:
        return 1


def strip_jpeg(src: Path, dst: Path) -> None:
    """Copy a JPEG without its metadata segments (APP1-APP15: EXIF/GPS, XMP, IPTC; COM), pixels untouched.

    Streams segment by segment, so the full-size original keeps its quality and never sits in memory.
    """
    with src.open("rb") as inp, dst.open("wb") as out:
        if inp.read(2) != b"\xff\xd8":
            raise MediaRefused("corrupt", "The JPEG has no start marker.")
        out.write(b"\xff\xd8")
        while True:
            marker = inp.read(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                raise MediaRefused("corrupt", "The JPEG's structure is broken.")
            code = marker[1]
            if code == 0xDA:  # start of scan: the rest is image data up to EOI
                out.write(marker)
                shutil.copyfileobj(inp, out, 1024 * 1024)
                return
            if code in (0x01,) or 0xD0 <= code <= 0xD7:
                out.write(marker)
                continue
            raw_length = inp.read(2)
            if len(raw_length) < 2:
                raise MediaRefused("corrupt", "The JPEG ends early.")
            (length,) = struct.unpack(">H", raw_length)
            body = inp.read(length - 2)
            if len(body) < length - 2:
                raise MediaRefused("corrupt", "The JPEG ends early.")
            if 0xE1 <= code <= 0xEF or code == 0xFE:
                continue  # metadata (APP0/JFIF is kept: it carries only the pixel density)
            out.write(marker + raw_length + body)


def _save_jpeg(image: Image.Image, path: Path, quality: int) -> None:
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # No exif=/icc_profile=/comment= given: Pillow writes none of the source's metadata.
    image.save(path, "JPEG", quality=quality, optimize=False, progressive=True)


def process_image(src: Path, media_type: MediaType, out_dir: Path, limits: Limits = DEFAULT_LIMITS) -> ImageVariants:
    """Check and convert one uploaded image into a clean original, a display size and a thumbnail (all JPEG
    except a PNG original). Raises MediaRefused for bombs, corrupt files and bytes of another type."""
    image = open_checked(src, media_type, limits)
    orientation = _orientation(image)
    width, height = image.size
    if orientation in (5, 6, 7, 8):  # a quarter turn: the upright image is the other way round
        width, height = height, width
    original = out_dir / "original"
    original_type = "image/jpeg"
    if media_type == JPEG and orientation == 1:
        strip_jpeg(src, original)
    elif media_type == PNG and orientation == 1:
        original_type = "image/png"
    try:
        if media_type == JPEG and orientation == 1:
            # The original is already written (stripped, not re-encoded): decode at the smallest DCT scale that
            # still covers the display size, which is fast and small in memory.
            image.draft("RGB", (DISPLAY_EDGE, DISPLAY_EDGE))
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaRefused("corrupt", f"The image is damaged or cut off ({type(exc).__name__}).") from exc
    upright = ImageOps.exif_transpose(image)
    if not original.exists():
        if original_type == "image/png":
            upright.save(original, "PNG")  # no pnginfo= given: no text chunks, no eXIf
        else:
            _save_jpeg(upright, original, 92)
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        flat = Image.new("RGB", upright.size, (255, 255, 255))
        flat.paste(upright, mask=upright.split()[-1])
        upright = flat
    display = upright.copy()
    display.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE), Image.Resampling.LANCZOS)
    _save_jpeg(display, out_dir / "display.jpg", 85)
    display.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    _save_jpeg(display, out_dir / "thumbnail.jpg", 80)
    return ImageVariants(original, original_type, out_dir / "display.jpg", out_dir / "thumbnail.jpg", width, height)
