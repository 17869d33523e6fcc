"""The committed JSON Schemas and OpenAPI document match what the code produces."""

import json

from contracts.schema_export import SCHEMA_DIR, rendered
from services.gateway.openapi_export import OPENAPI_PATH, render_openapi


def test_committed_wss_schemas_match_the_models() -> None:
    for name, text in rendered().items():
        committed = (SCHEMA_DIR / name).read_text()
        assert committed == text, f"{name} drifted: run `just gen`"


def test_committed_openapi_matches_the_gateway() -> None:
    assert OPENAPI_PATH.read_text() == render_openapi(), "openapi.json drifted: run `just gen`"


def test_outgoing_schema_names_every_spec_message() -> None:
    schema = json.loads((SCHEMA_DIR / "wss-outgoing.json").read_text())
    mapping = schema["discriminator"]["mapping"]
    spec = {
        "connection_ack",
        "system_status",
        "system_error",
        "full_sync_response",
        "append_message",
        "analytics_update",
        "command_to_execute",
    }
    assert spec <= set(mapping)
