#!/usr/bin/env bash
# The full test suite: lint, contract schema check, then pytest over real infrastructure it starts itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
PY=.venv/bin/python

cleanup() { [ "${KONNECT_KEEP_INFRA:-0}" = 1 ] || $PY -m konnect_devstack down --profile test >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== ruff"
.venv/bin/ruff check .
echo "== contract schemas up to date"
$PY -m konnect_contracts.schema_export --check
echo "== service OpenAPI documents up to date (make openapi)"
$PY -m konnect_kit.openapi_export --check
echo "== Redocly lint of the gateway's merged OpenAPI (0 errors)"
mkdir -p .local/run
$PY -m gateway.openapi > .local/run/openapi-merged.json
.local/node/node_modules/.bin/redocly lint --format=summary .local/run/openapi-merged.json
echo "== pytest"
$PY -m pytest "$@"
