"""Video checks and conversion with ffmpeg/ffprobe: duration limit, metadata-free remux (streams untouched), poster."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from konnect_kit.media.images import MediaRefused, process_image
from konnect_kit.media.kinds import DEFAULT_LIMITS, JPEG, Limits, MediaType

_TIMEOUT = 120


@dataclass(frozen=True)
class VideoVariants:
    original: Path
    original_type: str
    poster: Path
    thumbnail: Path
    width: int
    height: int
    duration_seconds: float


def probe(src: Path) -> dict:
    """ffprobe's view of the file; MediaRefused when it is not a readable video."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(src)],
        capture_output=True, timeout=_TIMEOUT, check=False)
    if result.returncode != 0:
        raise MediaRefused("corrupt", "The video cannot be read.")
    info = json.loads(result.stdout or b"{}")
    if not any(s.get("codec_type") == "video" for s in info.get("streams", [])):
        raise MediaRefused("corrupt", "The file holds no video stream.")
    return info


def process_video(src: Path, media_type: MediaType, out_dir: Path, limits: Limits = DEFAULT_LIMITS) -> VideoVariants:
    """Keep the video's streams as uploaded but drop every metadata block (GPS in QuickTime/MP4 `udta`), and make
    a poster frame and its thumbnail. Refuses unreadable files and videos longer than the limit."""
    info = probe(src)
    duration = float(info.get("format", {}).get("duration") or 0.0)
    if duration > limits.video_seconds:
        raise MediaRefused("video_too_long",
                           f"The video lasts {duration:.0f} s; at most {limits.video_seconds:.0f} s are accepted.")
    stream = next(s for s in info["streams"] if s.get("codec_type") == "video")
    original = out_dir / f"original.{media_type.extension}"
    _ffmpeg(["-i", str(src), "-map", "0:v", "-map", "0:a?", "-c", "copy", "-map_metadata", "-1",
             "-map_chapters", "-1", *(["-movflags", "+faststart"] if media_type.extension != "webm" else []),
             str(original)])
    poster_source = out_dir / "poster-source.jpg"
    seek = "1" if duration > 2 else "0"
    _ffmpeg(["-ss", seek, "-i", str(src), "-frames:v", "1", "-map_metadata", "-1", str(poster_source)])
    frames = process_image(poster_source, JPEG, out_dir, limits)
    return VideoVariants(original, media_type.content_type, frames.display, frames.thumbnail,
                         int(stream.get("width") or frames.width), int(stream.get("height") or frames.height),
                         duration)


def _ffmpeg(args: list[str]) -> None:
    result = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args],
                            capture_output=True, timeout=_TIMEOUT, check=False)
    if result.returncode != 0:
        raise MediaRefused("corrupt", "The video cannot be converted.")
