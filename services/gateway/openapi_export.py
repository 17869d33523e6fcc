"""Write the gateway's OpenAPI document to `contracts/schemas/openapi.json`.

`python -m services.gateway.openapi_export`; a test fails when the committed file drifts, and the
dashboard generates its REST client from the committed file.
"""

import secrets
from pathlib import Path

from contracts.generated_json import render
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "contracts" / "schemas" / "openapi.json"


def render_openapi() -> str:
    app = create_app(GatewaySettings(secret=secrets.token_urlsafe(48)))
    return render(app.openapi())


def main() -> None:
    OPENAPI_PATH.write_text(render_openapi())


if __name__ == "__main__":
    main()
