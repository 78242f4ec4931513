"""The public OpenAPI document, merged from each service's own committed document and the route table.

Each published line of the table takes its operation from `services/<service>/openapi.json` (parameters,
bodies, answers, examples as the service wrote them), under its public path. Security and the edge's
own refusals (401/403 for a token or role, 429 for a rate class) come from the table, because the edge
decides them; the uniform error body everywhere comes from `konnect_kit.openapi`, as in every service.
Schemas keep their names unless two services use one name for different shapes (then the second is
prefixed with its service's name).

`python -m gateway.openapi > merged.json` prints the document (for the linter in `make test`).
"""

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from konnect_kit.openapi import ERROR_SCHEMA_NAME, document_refusals, error_response

from gateway.route_table import RouteTable

SERVICE_DOCUMENTS = Path(__file__).resolve().parents[3]  # services/, each with <service>/openapi.json
TITLE, VERSION = "Konnect API", "1.0.0"
DESCRIPTION = (
    "The public API of Konnect for parents, staff, organisations and ERPs.\n\n"
    "Every refusal has the body `{\"error\": {\"code\", \"message\", \"details\"}}`. Text in request bodies may "
    "not contain NUL characters (422 `invalid_characters`); dates lie between 2000-01-01 and 2100-12-31."
)
_SCHEMA_REF = "#/components/schemas/"


def load_documents(services: set[str], directory: Path = SERVICE_DOCUMENTS) -> dict[str, dict[str, Any]]:
    documents = {}
    for service in sorted(services):
        path = directory / service / "openapi.json"
        if not path.is_file():
            raise FileNotFoundError(f"no OpenAPI document for {service} at {path} (run `make openapi`, or point "
                                    "GATEWAY_SERVICE_DOCUMENTS_DIR at the directory holding <service>/openapi.json)")
        documents[service] = json.loads(path.read_text())
    return documents


def _renamed_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: (_SCHEMA_REF + renames.get(v[len(_SCHEMA_REF):], v[len(_SCHEMA_REF):])
                    if k == "$ref" and isinstance(v, str) and v.startswith(_SCHEMA_REF) else _renamed_refs(v, renames))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed_refs(v, renames) for v in node]
    return node


def merged_document(table: RouteTable, documents: dict[str, dict[str, Any]],
                    app: FastAPI | None = None) -> dict[str, Any]:
    # The gateway's own operations (/health, /ready) come from its app; the API from the services.
    spec = get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=app.routes if app else [])
    spec["servers"] = [{"url": "/", "description": "This gateway"}]
    spec["info"]["license"] = {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}
    schemas: dict[str, Any] = spec.setdefault("components", {}).setdefault("schemas", {})
    renames: dict[str, dict[str, str]] = {}
    for service, document in documents.items():
        own = document.get("components", {}).get("schemas", {})
        renames[service] = {name: service.capitalize() + name for name, body in own.items()
                            if name in schemas and schemas[name] != body and name != ERROR_SCHEMA_NAME}
        for name, body in own.items():
            schemas[renames[service].get(name, name)] = _renamed_refs(body, renames[service])
    access: dict[tuple[str, str], str] = {}
    for route in table.published:
        assert route.public_path is not None
        source = documents[route.service]["paths"][route.service_path][route.method.lower()]
        operation = _renamed_refs(copy.deepcopy(source), renames[route.service])
        method = route.method.lower()
        # From the public path: unique across services even where two handlers share a name.
        operation["operationId"] = f"{method}_{re.sub(r'[^a-zA-Z0-9]+', '_', route.public_path).strip('_')}"
        operation.pop("security", None)  # the service's guess; the table decides below
        if route.limit is not None:
            operation.setdefault("responses", {})["429"] = error_response("429")
        spec.setdefault("paths", {}).setdefault(route.public_path, {})[method] = operation
        access[(route.public_path, method)] = route.access.kind
    spec = document_refusals(spec, lambda path, method: {None: False, "public": False}.get(
        access.get((path, method)), True))
    _drop_unused_schemas(spec)
    return spec


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"][len(_SCHEMA_REF):]} if isinstance(node.get("$ref"), str) \
            and node["$ref"].startswith(_SCHEMA_REF) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _drop_unused_schemas(spec: dict[str, Any]) -> None:
    """Schemas only unpublished (internal) operations use stay out of the public document."""
    schemas = spec["components"]["schemas"]
    used, pending = set(), _refs(spec["paths"])
    while pending:
        name = pending.pop()
        if name not in used and name in schemas:
            used.add(name)
            pending |= _refs(schemas[name])
    spec["components"]["schemas"] = {name: body for name, body in schemas.items() if name in used}


def install_openapi(app: FastAPI, table: RouteTable, documents: dict[str, dict[str, Any]]) -> None:
    merged: dict[str, Any] = {}

    def document() -> dict[str, Any]:
        if not merged:
            merged.update(merged_document(table, documents, app))
        return merged

    app.openapi = document  # type: ignore[method-assign]


def main() -> None:
    from gateway.main import create_app

    json.dump(create_app().openapi(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
