#!/usr/bin/env bash
# Runs every benchmark under bench/ on the `bench` profile's infrastructure, then stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PY=.venv/bin/python
trap '$PY -m konnect_devstack infra-down --profile bench >/dev/null 2>&1 || true' EXIT
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || true
for bench in bench/kit_overhead.py bench/gateway_me.py bench/read_paths.py bench/organisation_size.py bench/read_memory.py bench/request_saga.py bench/web_pages.py \
    bench/group_message_mail.py bench/inbox_live.py; do
  echo "== $bench"
  KONNECT_LOG_LEVEL=WARNING $PY "$bench"
done
