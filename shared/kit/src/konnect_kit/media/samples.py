"""Generated sample files for tests, benchmarks and the demo seed: photos with GPS tags, bombs, broken files."""

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
# Amsterdam, as EXIF rationals: what a phone writes and what must never reach another parent.
GPS_TAGS = {1: "N", 2: (52.0, 22.0, 12.5), 3: "E", 4: (4.0, 53.0, 36.2)}


def _picture(width: int, height: int, label: str) -> Image.Image:
    image = Image.new("RGB", (width, height), (90, 160, 220))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, max(1, width // 12)):  # some structure, so encoders have real work to do
        draw.rectangle([i, 0, i + width // 24, height], fill=((i * 7) % 255, 120, (i * 3) % 255))
    draw.ellipse([width // 4, height // 4, width * 3 // 4, height * 3 // 4], fill=(250, 200, 60))
    draw.text((10, 10), label, fill=(0, 0, 0))
    return image


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update(GPS_TAGS)
    return exif


def jpeg_with_gps(width: int = 1200, height: int = 800, *, orientation: int = 1, label: str = "Konnect",
                  quality: int = 90) -> bytes:
    out = io.BytesIO()
    _picture(width, height, label).save(out, "JPEG", exif=_exif(orientation), quality=quality)
    return out.getvalue()


def heic_with_gps(width: int = 800, height: int = 600, *, label: str = "Konnect HEIC") -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    _picture(width, height, label).save(out, "HEIF", exif=_exif().tobytes(), quality=80)
    return out.getvalue()


def png(width: int = 640, height: int = 480, *, label: str = "Konnect PNG") -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "taken at Dolfijnen, Amsterdam")
    out = io.BytesIO()
    _picture(width, height, label).save(out, "PNG", pnginfo=info, exif=_exif())
    return out.getvalue()


def pixel_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A tiny PNG that claims width x height pixels (144 megapixels by default): a decompression bomb."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A real JPEG header with its image data cut off halfway."""
    whole = jpeg_with_gps(800, 600)
    return whole[: len(whole) // 2]


def video_with_gps(seconds: float = 3.0) -> bytes:
    """A small MP4 (ffmpeg test pattern) with a location tag in its metadata, like a phone's."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc=size=320x240:rate=10:duration={seconds}", "-pix_fmt", "yuv420p",
                        "-metadata", "location=+52.3700+004.8900/", "-movflags", "+use_metadata_tags",
                        str(path)], check=True, capture_output=True, timeout=60)
        return path.read_bytes()


def has_gps(data: bytes) -> bool:
    """Whether an image's EXIF (any format Pillow reads, HEIC included) still holds GPS tags."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD))
