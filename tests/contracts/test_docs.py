"""The configuration reference names every setting a service reads."""

from pathlib import Path

from contracts.runtime.settings import ServiceSettings
from services.command.settings import CommandSettings
from services.enrichment.settings import EnrichmentSettings
from services.gateway.settings import GatewaySettings
from services.graph.settings import GraphSettings
from services.ingest.settings import IngestSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    for settings in (
        ServiceSettings,
        GatewaySettings,
        IngestSettings,
        GraphSettings,
        EnrichmentSettings,
        CommandSettings,
    ):
        for name in settings.model_fields:
            assert f"`OFCA_{name.upper()}`" in text, f"OFCA_{name.upper()} is not documented"
