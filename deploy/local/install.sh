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
# AsyncAPI CLI (npm), used by `make test` to validate shared/contracts/asyncapi.json; its anonymous
# usage metrics are switched off (and need no network) through its own config file.
NPM_DIR="$LOCAL/npm"
if [ "$(cat "$NPM_DIR/.asyncapi-cli-version" 2>/dev/null)" != "$ASYNCAPI_CLI_VERSION" ]; then
  say "installing @asyncapi/cli $ASYNCAPI_CLI_VERSION (npm)"
  mkdir -p "$NPM_DIR"
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error "@asyncapi/cli@$ASYNCAPI_CLI_VERSION" >/dev/null
  echo "$ASYNCAPI_CLI_VERSION" > "$NPM_DIR/.asyncapi-cli-version"
fi
[ -f "$NPM_DIR/asyncapi-analytics.json" ] || \
  echo '{"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "konnect-local"}' > "$NPM_DIR/asyncapi-analytics.json"
# Redocly CLI (npm) for the OpenAPI lint in `make test`, in .local/node (pinned, installed once).
REDOCLY_VERSION="2.77.0"
if [ "$(cat "$LOCAL/node/node_modules/@redocly/cli/package.json" 2>/dev/null | grep -o '"version": *"[^"]*"' | grep -o '[0-9][^"]*')" != "$REDOCLY_VERSION" ]; then
  command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
  say "installing @redocly/cli $REDOCLY_VERSION (npm)"
  mkdir -p "$LOCAL/node"
  npm install --silent --no-audit --no-fund --prefix "$LOCAL/node" "@redocly/cli@$REDOCLY_VERSION" >/dev/null
fi
say "done"
