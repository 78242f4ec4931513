"""Media safety: types from bytes, metadata stripped (GPS), orientation applied, refusals, real S3 round trip."""

import io
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from konnect_kit.media import (
    HEIC_TYPE,
    JPEG_TYPE,
    PNG_TYPE,
    UPLOAD,
    MediaProcessor,
    MediaRefused,
    MediaStore,
    S3Config,
    new_key,
    object_key,
    process_image,
    process_video,
    samples,
    sniff,
)
from PIL import Image


def _write(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_type_comes_from_the_bytes_not_the_name() -> None:
    assert sniff(samples.jpeg_with_gps()).content_type == "image/jpeg"
    assert sniff(samples.heic_with_gps()).content_type == "image/heic"
    assert sniff(samples.png()).content_type == "image/png"
    assert sniff(samples.video_with_gps()[:64]).kind == "video"
    assert sniff(b"%PDF-1.7\n").kind == "document"
    assert sniff(b"MZ\x90\x00 this is an executable") is None
    assert sniff(b"<html><script>") is None


@pytest.mark.parametrize("make", [samples.jpeg_with_gps, samples.heic_with_gps, samples.png])
def test_no_variant_keeps_gps_or_any_exif(tmp_path: Path, make) -> None:
    data = make()
    assert samples.has_gps(data)
    variants = process_image(_write(tmp_path, data), sniff(data), tmp_path)
    for path in (variants.original, variants.display, variants.thumbnail):
        content = path.read_bytes()
        assert not samples.has_gps(content)
        with Image.open(io.BytesIO(content)) as image:
            assert not image.getexif(), f"{path.name} still has EXIF"
            assert "Comment" not in image.info
        assert b"iPhone" not in content and b"Amsterdam" not in content


def test_a_jpeg_without_rotation_keeps_its_pixels_and_only_loses_metadata(tmp_path: Path) -> None:
    data = samples.jpeg_with_gps(1200, 800)
    variants = process_image(_write(tmp_path, data), JPEG_TYPE, tmp_path)
    original = variants.original.read_bytes()
    assert len(original) < len(data) and original[-2:] == b"\xff\xd9"
    with Image.open(io.BytesIO(original)) as clean, Image.open(io.BytesIO(data)) as source:
        assert clean.size == source.size and clean.tobytes() == source.tobytes()  # not re-encoded
    with Image.open(variants.display) as display, Image.open(variants.thumbnail) as thumb:
        assert display.size == (1200, 800) and max(thumb.size) == 400


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Orientation 6: the camera held upright; the stored pixels are landscape, the picture is portrait.
    data = samples.jpeg_with_gps(1200, 800, orientation=6)
    variants = process_image(_write(tmp_path, data), JPEG_TYPE, tmp_path)
    assert (variants.width, variants.height) == (800, 1200)
    for path in (variants.original, variants.display, variants.thumbnail):
        with Image.open(path) as image:
            assert image.height > image.width
            assert image.getexif().get(0x0112) is None


def test_heic_becomes_a_jpeg_original(tmp_path: Path) -> None:
    variants = process_image(_write(tmp_path, samples.heic_with_gps()), HEIC_TYPE, tmp_path)
    assert variants.original_type == "image/jpeg"
    assert sniff(variants.original.read_bytes()[:64]) == JPEG_TYPE


@pytest.mark.parametrize(("data", "kind", "code"), [
    (samples.pixel_bomb(), PNG_TYPE, "image_too_large"),
    (samples.truncated_jpeg(), JPEG_TYPE, "corrupt"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, JPEG_TYPE, "corrupt"),
    (samples.png(), JPEG_TYPE, "bad_type"),
])
def test_bombs_corrupt_files_and_lies_are_refused(tmp_path: Path, data: bytes, kind, code: str) -> None:
    with pytest.raises(MediaRefused) as refused:
        process_image(_write(tmp_path, data), kind, tmp_path)
    assert refused.value.code == code


def test_video_is_kept_without_its_location_and_gets_a_poster(tmp_path: Path) -> None:
    data = samples.video_with_gps(3)
    video = process_video(_write(tmp_path, data), sniff(data[:64]), tmp_path)
    assert 2.5 < video.duration_seconds < 3.5 and (video.width, video.height) == (320, 240)
    assert b"+52.3700" in data and b"+52.3700" not in video.original.read_bytes()
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json",
                            str(video.original)], capture_output=True, check=True)
    assert b"location" not in probe.stdout
    with Image.open(video.thumbnail) as thumb:
        assert max(thumb.size) <= 400


def test_a_too_long_video_is_refused(tmp_path: Path) -> None:
    from konnect_kit.media import Limits

    data = samples.video_with_gps(3)
    with pytest.raises(MediaRefused) as refused:
        process_video(_write(tmp_path, data), sniff(data[:64]), tmp_path, Limits(video_seconds=2))
    assert refused.value.code == "video_too_long"


@pytest.fixture
def s3(infra) -> S3Config:
    from konnect_devstack.infra import ensure_bucket

    ensure_bucket(infra.endpoints, "konnect-media")
    e = infra.endpoints
    return S3Config(endpoint=e.s3_endpoint, access_key=e.s3_access_key, secret_key=e.s3_secret_key)


async def test_presigned_upload_processing_and_expiring_download_against_real_s3(s3: S3Config) -> None:
    store = MediaStore(s3)
    base = new_key(uuid.uuid4(), "test")
    form = store.presign_upload(object_key(base, UPLOAD), max_bytes=200_000)
    photo = samples.jpeg_with_gps(1600, 1200)
    async with httpx.AsyncClient() as client:
        too_big = await client.post(form.url, data=form.fields, files={"file": ("x.jpg", b"x" * 200_001)})
        assert too_big.status_code == 400  # S3 enforces the policy's size: no bytes of it are kept
        sent = await client.post(form.url, data=form.fields, files={"file": ("holiday.jpg", photo)})
        assert sent.status_code in (200, 201, 204), sent.text
        other = await client.post(form.url, data={**form.fields, "key": f"{base}/elsewhere"},
                                  files={"file": ("x.jpg", photo)})
        assert other.status_code == 403  # the policy names one key

        processor = MediaProcessor(s3)
        try:
            done = await processor.process(base, {"photo"})
        finally:
            processor.close()
        assert (done.kind, done.width, done.height, done.size_bytes) == ("photo", 1600, 1200, len(photo))
        assert await store.size(object_key(base, UPLOAD)) is None  # the raw upload (with GPS) is gone

        # The signing time is written to the second, so a URL signed for N seconds is valid for N-1 to N of them:
        # signed for 1 s, it expired before this GET whenever the signing fell in a second's last milliseconds.
        url = store.presign_download(object_key(base, "original"), timedelta(seconds=2))
        fetched = await client.get(url)
        assert fetched.status_code == 200 and not samples.has_gps(fetched.content)
        import asyncio

        await asyncio.sleep(3.2)
        assert (await client.get(url)).status_code == 403  # expired
        await store.delete_prefix(base)
        assert await store.size(object_key(base, "original")) is None


async def test_an_upload_of_the_wrong_kind_is_refused_and_deleted(s3: S3Config) -> None:
    store = MediaStore(s3)
    base = new_key(uuid.uuid4(), "test")
    form = store.presign_upload(object_key(base, UPLOAD), max_bytes=100_000)
    async with httpx.AsyncClient() as client:
        executable = b"MZ\x90\x00 an executable, not a photo"
        await client.post(form.url, data=form.fields, files={"file": ("photo.jpg", executable)})
    processor = MediaProcessor(s3)
    try:
        with pytest.raises(MediaRefused) as refused:
            await processor.process(base, {"photo"})
        assert refused.value.code == "bad_type"
        with pytest.raises(MediaRefused) as missing:
            await processor.process(new_key(uuid.uuid4(), "test"), {"photo"})
        assert missing.value.code == "not_uploaded"
    finally:
        processor.close()
    assert await store.size(object_key(base, UPLOAD)) is None


async def test_processing_is_safe_to_retry_a_store_failure_keeps_the_upload_and_a_replay_reads_the_memo(
        s3: S3Config) -> None:
    """The processing step runs as a retried consumer step: a failed attempt must leave what the next one needs,
    and a step repeated after its result was lost (transaction rolled back) must answer the same."""
    from dataclasses import replace

    from konnect_kit.media import precheck
    from konnect_kit.media.pipeline import MEMO

    store = MediaStore(s3)
    base = new_key(uuid.uuid4(), "test")
    form = store.presign_upload(object_key(base, UPLOAD), max_bytes=500_000)
    async with httpx.AsyncClient() as client:
        await client.post(form.url, data=form.fields, files={"file": ("x.jpg", samples.jpeg_with_gps(640, 480))})
    assert (await precheck(store, base, {"photo"})).content_type == "image/jpeg"  # cheap checks pass
    broken = MediaProcessor(replace(s3, bucket="no-such-bucket"))
    working = MediaProcessor(s3)
    try:
        with pytest.raises(Exception) as failed:
            await broken.process(base, {"photo"})
        assert type(failed.value).__name__ == "MediaStoreError"
        assert await store.size(object_key(base, UPLOAD))  # kept for the retry
        first = await working.process(base, {"photo"})
        assert await store.size(object_key(base, UPLOAD)) is None and await store.size(object_key(base, MEMO))
        again = await working.process(base, {"photo"})  # the raw upload is gone: answered from the memo
        assert again == first
    finally:
        broken.close()
        working.close()
        await store.delete_prefix(base)


async def test_precheck_refuses_a_bomb_from_its_header_and_deletes_it(s3: S3Config) -> None:
    from konnect_kit.media import precheck

    store = MediaStore(s3)
    base = new_key(uuid.uuid4(), "test")
    form = store.presign_upload(object_key(base, UPLOAD), max_bytes=5_000_000)
    async with httpx.AsyncClient() as client:
        await client.post(form.url, data=form.fields, files={"file": ("bomb.png", samples.pixel_bomb())})
    with pytest.raises(MediaRefused) as refused:
        await precheck(store, base, {"photo"})
    assert refused.value.code == "image_too_large"
    assert await store.size(object_key(base, UPLOAD)) is None
