"""`python -m konnect_kit.openapi_export [--check]`: each service's own OpenAPI document, committed as
`services/<service>/openapi.json` (the gateway builds its routes check and the public document from them).

A service is a folder under `services/` with a `src/<name>/main.py` that has `create_app()`; the gateway
is not one. `--check` fails (exit 1) when a committed document differs from what the code produces, like
`konnect_contracts.schema_export --check` for the event schemas.
"""

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
SERVICES = ROOT / "services"
NOT_SERVICES = {"gateway"}


def service_names() -> list[str]:
    return sorted(p.name for p in SERVICES.iterdir()
                  if p.name not in NOT_SERVICES and (p / "src" / p.name / "main.py").is_file())


def document_of(service: str) -> dict[str, Any]:
    """The service's document as its app publishes it (the app is built, never started)."""
    app = importlib.import_module(f"{service}.main").create_app()
    spec: dict[str, Any] = app.openapi()
    spec["info"]["version"] = "1.0.0"  # FastAPI's default 0.1.0 says nothing; the API is /api/v1
    return spec


def rendered(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m konnect_kit.openapi_export")
    parser.add_argument("--check", action="store_true", help="fail when a committed document is out of date")
    parser.add_argument("services", nargs="*", help="default: every service")
    args = parser.parse_args(argv)
    stale = []
    for service in args.services or service_names():
        target = SERVICES / service / "openapi.json"
        text = rendered(document_of(service))
        if args.check:
            if not target.is_file() or target.read_text() != text:
                stale.append(str(target.relative_to(ROOT)))
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("out of date (run `make openapi` and commit): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
