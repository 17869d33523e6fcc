"""Generate the committed JSON Schemas of the WebSocket envelopes.

`python -m contracts.schema_export` rewrites `contracts/schemas/*.json`; a test fails when the
committed files differ from what the models produce, so the dashboard's generated types can
never silently drift from the Brain.
"""

from pathlib import Path
from typing import Any

from contracts.generated_json import render
from contracts.wire import INCOMING, OUTGOING

SCHEMA_DIR = Path(__file__).parent / "schemas"


def wss_schema(direction: str = "outgoing") -> dict[str, Any]:
    """The JSON Schema of `OutgoingWssMessage` (or `IncomingWssMessage` for "incoming")."""
    adapter = INCOMING if direction == "incoming" else OUTGOING
    title = "IncomingWssMessage" if direction == "incoming" else "OutgoingWssMessage"
    schema = adapter.json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}


def rendered() -> dict[str, str]:
    """File name → exact text the committed schema files must have."""
    return {
        f"wss-{direction}.json": render(wss_schema(direction))
        for direction in ("outgoing", "incoming")
    }


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in rendered().items():
        (SCHEMA_DIR / name).write_text(text)


if __name__ == "__main__":
    main()
