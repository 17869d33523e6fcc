"""Write the gateway's OpenAPI document to `contracts/schemas/openapi.json`.

`python -m services.gateway.openapi_export`; a test fails when the committed file drifts, and the
dashboard generates its REST client from the committed file.
"""

import json
import secrets
from pathlib import Path

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "contracts" / "schemas" / "openapi.json"


def render_openapi() -> str:
    app = create_app(GatewaySettings(secret=secrets.token_urlsafe(48)))
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    OPENAPI_PATH.write_text(render_openapi())


if __name__ == "__main__":
    main()
