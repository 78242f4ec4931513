#!/usr/bin/env bash
# Runs every benchmark under bench/ on the `bench` profile's infrastructure, then stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PY=.venv/bin/python
trap '$PY -m konnect_devstack infra-down --profile bench >/dev/null 2>&1 || true' EXIT
for bench in bench/*.py; do
  echo "== $bench"
  KONNECT_LOG_LEVEL=WARNING $PY "$bench"
done
