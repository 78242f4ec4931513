#!/usr/bin/env bash
# Installs everything Konnect needs on a fresh Debian machine of this kind; idempotent and quick when warm.
# Downloads are cached in .local/ (git-ignored). Versions are pinned here and in uv.lock.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
VERSITYGW_VERSION="v1.7.0"
MAILPIT_VERSION="v1.33.1"
UV_VERSION="0.13.8"
ASYNCAPI_CLI_VERSION="6.2.0"
mkdir -p "$LOCAL/bin" "$LOCAL/cache"

say() { printf '[install] %s\n' "$*"; }

# PostgreSQL server binaries (Debian package); we run our own cluster, never the system one.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

# ffmpeg/ffprobe: video checks, metadata-free remux and poster frames (konnect_kit.media.video).
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  say "installing ffmpeg (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq ffmpeg >/dev/null
fi
# Debian's Chromium for the web portal's browser tests (Playwright drives /usr/lib/chromium/chromium; its own
# browser download is not reachable from here).
if [ ! -x /usr/lib/chromium/chromium ]; then
  say "installing Chromium (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

# uv manages the Python workspace from uv.lock.
if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  say "installing uv $UV_VERSION (PyPI)"
  python3 -m pip install -q --disable-pip-version-check "uv==$UV_VERSION" 2>&1 | grep -v "WARNING: Running pip as" || true
fi

say "syncing Python workspace (uv.lock)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
uv sync --frozen --all-packages --python python3.11 --quiet

# Apache Kafka broker jars + log4j2 SLF4J binding from Maven Central.
KAFKA_LIBS="$LOCAL/cache/kafka-$KAFKA_VERSION-libs"
if [ ! -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]; then
  say "fetching Apache Kafka $KAFKA_VERSION jars (Maven Central)"
  mvn -q -B -f "$ROOT/deploy/local/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp"
  rm -rf "$KAFKA_LIBS" && mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
fi

# S3 server and mail catcher, built from the Go module proxy into .local/bin.
export GOBIN="$LOCAL/bin"
if [ ! -x "$LOCAL/bin/versitygw" ]; then
  say "building versitygw $VERSITYGW_VERSION (go install)"
  go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
fi
if [ ! -x "$LOCAL/bin/mailpit" ]; then
  say "building mailpit $MAILPIT_VERSION (go install)"
  go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
fi
# npm command-line tools for the checks in `make test`, each pinned and installed once into .local/npm.
npm_tool() {  # npm_tool PACKAGE VERSION
  local marker="$LOCAL/npm/.installed-${1//\//_}"
  [ "$(cat "$marker" 2>/dev/null)" = "$2" ] && return 0
  command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
  say "installing $1 $2 (npm)"
  mkdir -p "$LOCAL/npm"
  npm install --prefix "$LOCAL/npm" --no-audit --no-fund --loglevel=error "$1@$2" >/dev/null
  echo "$2" > "$marker"
}
npm_tool @asyncapi/cli "$ASYNCAPI_CLI_VERSION"   # validates shared/contracts/asyncapi.json
npm_tool @redocly/cli 2.77.0                      # lints the gateway's merged OpenAPI
npm_tool openapi-typescript 7.13.0                # a generated client of the merged OpenAPI (gateway tests)
# The AsyncAPI CLI's anonymous usage metrics are switched off (and need no network) through its own config file.
[ -f "$LOCAL/npm/asyncapi-analytics.json" ] || \
  echo '{"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "konnect-local"}' > "$LOCAL/npm/asyncapi-analytics.json"
say "done"
