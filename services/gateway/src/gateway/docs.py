"""/docs: Swagger UI served by the gateway itself (assets from the fastapi-offline package, a copy of
swagger-ui-dist), under a Content-Security-Policy that allows nothing but this origin.

No inline script: the page loads its start-up script from here too, so `script-src 'self'` holds.
"""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from konnect_kit.errors import ApiError
from konnect_kit.security_headers import API_CSP

DOCS_PATH = "/docs"
_ASSETS = Path(fastapi_offline.__file__).parent / "static"
_FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript", "favicon.png": "image/png"}

# Swagger UI sets inline style attributes and uses data: images for its icons; scripts only from here.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Konnect API</title>
<link rel="icon" href="/docs/assets/favicon.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/start.js"></script>
</body>
</html>
"""

# validatorUrl null: the default sends the spec to validator.swagger.io (a third-party request).
_START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
});
"""

router = APIRouter(include_in_schema=False)


def content_security_policy(path: str) -> str:
    return DOCS_CSP if path == DOCS_PATH or path.startswith(DOCS_PATH + "/") else API_CSP


@router.get(DOCS_PATH)
async def docs_page() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get(DOCS_PATH + "/assets/start.js")
async def docs_start() -> Response:
    return Response(_START, media_type="text/javascript")


@router.get(DOCS_PATH + "/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in _FILES:  # an allow-list: nothing else in the package directory is served
        raise ApiError(404, "not_found", "No such file.")
    # The assets change only with the package version: caching them is fine.
    return FileResponse(_ASSETS / name, media_type=_FILES[name], headers={"Cache-Control": "public, max-age=86400"})
