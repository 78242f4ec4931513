"""Where the checkout, the download cache and each profile's run state (data, logs, pids) live."""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
LOCAL = ROOT / ".local"
BIN = LOCAL / "bin"
CACHE = LOCAL / "cache"
KAFKA_VERSION = os.environ.get("KAFKA_VERSION", "4.1.1")
KAFKA_LIBS = CACHE / f"kafka-{KAFKA_VERSION}-libs"


def run_dir(profile: str) -> Path:
    path = LOCAL / "run" / profile
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir(profile: str) -> Path:
    path = run_dir(profile) / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def postgres_data_dir(profile: str) -> Path:
    # As root the server runs as the `postgres` user, who may not traverse the checkout's parents
    # (e.g. /root is 0700), so its data lives under /var/tmp, one folder per checkout and profile.
    if os.geteuid() == 0:
        digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
        return Path("/var/tmp/konnect-postgres") / f"{profile}-{digest}"
    return run_dir(profile) / "postgres"
