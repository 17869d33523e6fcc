"""`/docs`: Swagger UI for the REST API, served from this gateway's own files.

FastAPI's default `/docs` page loads Swagger UI from a CDN with no version pin or integrity
check, on the dashboard's origin: whoever controls that CDN response could run script with the
analyst's token in reach. Here the files come from the `fastapi-offline` wheel's static
folder (Swagger UI 5; pinned and hash-checked in the lock files), and the page has no inline
script, so it lives under the dashboard's Content-Security-Policy (`http_guard.py`).
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>OFCA gateway API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""
INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
});
"""


def add_api_docs(app: FastAPI) -> None:
    """`/docs` (the page), `/docs/init.js` and `/docs/assets/*` (Swagger UI's files)."""

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(INIT, media_type="text/javascript")

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs/assets", StaticFiles(directory=assets), name="api-docs")
