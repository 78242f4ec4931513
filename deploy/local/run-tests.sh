#!/usr/bin/env bash
# The full test suite: lint, layering contracts, contract schema check, AsyncAPI validation, then pytest over real infrastructure it starts itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
PY=.venv/bin/python

cleanup() { [ "${KONNECT_KEEP_INFRA:-0}" = 1 ] || $PY -m konnect_devstack down --profile test >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== ruff"
.venv/bin/ruff check .
echo "== layering rule (import-linter contracts in pyproject.toml)"
.venv/bin/lint-imports --no-logo --no-cache
echo "== contract schemas up to date"
$PY -m konnect_contracts.schema_export --check
echo "== AsyncAPI document valid (asyncapi validate: no errors, no warnings)"
ASYNCAPI_METRICS_CONFIG_PATH="$ROOT/.local/npm/asyncapi-analytics.json" SUPPRESS_NO_CONFIG_WARNING=1 \
  .local/npm/node_modules/.bin/asyncapi validate shared/contracts/asyncapi.json --fail-severity warn
echo "== service OpenAPI documents up to date (make openapi)"
$PY -m konnect_kit.openapi_export --check
echo "== Redocly lint of the gateway's merged OpenAPI (0 errors)"
mkdir -p .local/run
$PY -m gateway.openapi > .local/run/openapi-merged.json
.local/npm/node_modules/.bin/redocly lint --format=summary .local/run/openapi-merged.json
echo "== pytest"
$PY -m pytest "$@"
