"""Benchmark: media handling of the timeline, against bare Pillow in the same run.

1. Memory: the timeline service's RSS before and after posting a 25 MB photo (upload straight to S3, confirm,
   post as a series) — the file is streamed and decoded in a worker process, so the service must grow < 5 MB.
2. Throughput: photos per second through the processing step (`konnect_kit.media.MediaProcessor`: sniff,
   download from S3, checks, EXIF orientation + metadata stripped, display size + thumbnail, upload) against a
   bare Pillow loop doing the same resizes on the same files in this process. Target: >= 0.7 x.

    .venv/bin/python bench/media.py [--photos 20]               # bench profile, fresh demo stack (make bench)
    .venv/bin/python bench/media.py --profile test --photos 8   # a quick run on the test profile's ports
"""

import argparse
import asyncio
import io
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from konnect_devstack.demo import DEMO_PASSWORD, Seeder, demo_id
from konnect_devstack.infra import LocalInfra, ensure_bucket
from konnect_devstack.profiles import profile_named
from konnect_devstack.stack import DOMAIN_SERVICES, Stack
from konnect_kit.media import UPLOAD, MediaProcessor, MediaStore, S3Config, new_key, object_key, samples
from PIL import Image, ImageOps

RSS_TARGET_MB, RATIO_TARGET = 5.0, 0.7
STAFF = "sanne.bakker@demo.konnect.nl"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def big_photo(target_bytes: int = 24 * 1024 * 1024) -> bytes:
    """A phone-like JPEG with GPS tags just under 25 MB: noise does not compress, so the size is real."""
    width, height = 6000, 4000
    noise = Image.merge("RGB", [Image.effect_noise((width, height), 60 + 10 * i) for i in range(3)])
    exif = Image.open(io.BytesIO(samples.jpeg_with_gps(8, 8))).getexif()
    for quality in (97, 95, 92, 90, 85, 80):
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=quality, exif=exif)
        if out.tell() <= target_bytes:
            return out.getvalue()
    return out.getvalue()


def stack_for(profile_name: str) -> tuple[Stack, LocalInfra]:
    profile = profile_named(profile_name)
    infra = LocalInfra(profile)
    if profile_name == "bench":  # like a new deployment: empty databases and topics
        Stack(profile, infra.endpoints).down()
        infra.down()
        infra.wipe()
    stack = Stack(profile, infra.up())
    stack.up()
    return stack, infra


def post_photo(gateway: str, headers: dict, data: bytes, group: str, child: str) -> float:
    started = time.perf_counter()
    form = httpx.post(f"{gateway}/api/v1/timeline/uploads", headers=headers, timeout=30).json()
    sent = httpx.post(form["url"], data=form["fields"], files={"file": ("IMG_0001.JPG", data)}, timeout=120)
    assert sent.status_code in (200, 204), sent.text
    done = httpx.post(f"{gateway}/api/v1/timeline/uploads/{form['upload_id']}/confirm", headers=headers,
                      timeout=300)
    assert done.status_code == 200, done.text
    # Processing is timeline's consumer step now: measure until the photo is ready, not only confirmed.
    deadline = time.monotonic() + 300
    while httpx.get(f"{gateway}/api/v1/timeline/uploads/{form['upload_id']}", headers=headers,
                    timeout=30).json()["status"] == "processing":
        assert time.monotonic() < deadline, "the upload was not processed within 300 s"
        time.sleep(0.1)
    posted = httpx.post(f"{gateway}/api/v1/timeline/series", headers=headers, timeout=30, json={
        "group_id": group, "child_ids": [child], "photos": [{"upload_id": form["upload_id"]}]})
    assert posted.status_code == 201, posted.text
    return time.perf_counter() - started


def memory(stack: Stack, gateway: str) -> float:
    token = httpx.post(f"{gateway}/api/v1/auth/login", json={"email": STAFF, "password": DEMO_PASSWORD},
                       headers={"X-Forwarded-For": str(uuid.uuid4())}, timeout=30).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    group, child = demo_id("group:dolfijnen"), demo_id("child:sem")
    pid = stack.process(next(s for s in DOMAIN_SERVICES if s.name == "timeline")).pid
    assert pid, "timeline is not running"
    photo = big_photo()
    for _ in range(2):  # warm up: imports, connection pools, the worker process
        post_photo(gateway, headers, samples.jpeg_with_gps(2000, 1500), group, child)
    before = rss_mb(pid)
    seconds = post_photo(gateway, headers, photo, group, child)
    after = rss_mb(pid)
    growth = after - before
    print(f"posting a {len(photo) / 1024 / 1024:.1f} MB photo took {seconds:.1f}s; timeline RSS "
          f"{before:.1f} -> {after:.1f} MB: growth {growth:.2f} MB (target < {RSS_TARGET_MB} MB) "
          f"{'OK' if growth < RSS_TARGET_MB else 'MISSED'}")
    return growth


def bare_pillow(paths: list[Path], out: Path) -> float:
    """The baseline: the same resizes with nothing else: decoded at the same reduced scale, upright, display size
    saved, thumbnail saved (no S3, no checks, no metadata handling, no worker process)."""
    started = time.perf_counter()
    for i, path in enumerate(paths):
        with Image.open(path) as image:
            scale = min(1.0, 1600 / max(image.size))
            image.draft("RGB", (round(image.width * scale), round(image.height * scale)))  # reduced-scale decode
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
            upright.save(out / f"{i}-display.jpg", "JPEG", quality=85, progressive=True)
            upright.thumbnail((400, 400), Image.Resampling.LANCZOS)
            upright.save(out / f"{i}-thumb.jpg", "JPEG", quality=80, progressive=True)
    return len(paths) / (time.perf_counter() - started)


async def pipeline(config: S3Config, files: list[bytes], rounds: int,
                   bare: Callable[[], float]) -> tuple[float, float]:
    """Best rate of the processing step and of the bare loop over `rounds` alternating rounds (the machine is
    shared: alternating keeps both under the same load)."""
    store = MediaStore(config)
    processor = MediaProcessor(config)
    best_step = best_bare = 0.0
    try:
        warm = new_key(uuid.uuid4(), "bench")
        await _put(store, warm, files[0])
        await processor.process(warm, ("photo",))  # the worker process starts outside the measurement
        for _ in range(rounds):
            bases = []
            for data in files[1:]:  # uploaded before the clock starts: the step is what is measured
                base = new_key(uuid.uuid4(), "bench")
                await _put(store, base, data)
                bases.append(base)
            started = time.perf_counter()
            for base in bases:
                await processor.process(base, ("photo",))
            best_step = max(best_step, len(bases) / (time.perf_counter() - started))
            best_bare = max(best_bare, bare())
            for base in bases:
                await store.delete_prefix(base)
        await store.delete_prefix(warm)
        return best_step, best_bare
    finally:
        processor.close()


async def _put(store: MediaStore, base: str, data: bytes) -> None:
    with tempfile.NamedTemporaryFile() as tmp:
        tmp.write(data)
        tmp.flush()
        await store.upload_file(object_key(base, UPLOAD), Path(tmp.name), "application/octet-stream")


def throughput(infra: LocalInfra, count: int, rounds: int) -> float:
    e = infra.endpoints
    ensure_bucket(e, "konnect-media")
    config = S3Config(endpoint=e.s3_endpoint, access_key=e.s3_access_key, secret_key=e.s3_secret_key)
    files = [samples.jpeg_with_gps(4032, 3024, label=f"photo {i}", quality=92) for i in range(count + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for i, data in enumerate(files[1:]):
            paths.append(folder / f"{i}.jpg")
            paths[-1].write_bytes(data)
        step, bare = asyncio.run(pipeline(config, files, rounds, lambda: bare_pillow(paths, folder)))
    ratio = step / bare
    print(f"processing step {step:.2f} photos/s (12 MP JPEG, S3 in and out, worker process) vs bare Pillow "
          f"{bare:.2f}/s: {ratio:.2f}x (target >= {RATIO_TARGET}x) {'OK' if ratio >= RATIO_TARGET else 'MISSED'}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="bench", choices=["bench", "test"])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stack, infra = stack_for(args.profile)
    gateway = f"http://127.0.0.1:{stack.profile.gateway_port}"
    Seeder(gateway, infra.endpoints.mailpit_api).run()  # demo staff, groups and children (idempotent)
    growth = memory(stack, gateway)
    ratio = throughput(infra, args.photos, args.rounds)
    if os.environ.get("BENCH_STRICT") == "1" and (growth >= RSS_TARGET_MB or ratio < RATIO_TARGET):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
