"""Settings that would do something other than what they say are refused at the door."""

import pytest
from pydantic import ValidationError

from contracts.models.queries import CreatorSettings
from contracts.streams import PARTITIONS, owned_partitions
from services.command.settings import CommandSettings
from services.enrichment.settings import EnrichmentSettings
from services.graph.settings import GraphSettings
from services.ingest.settings import IngestSettings

SERVICES = [
    ("ingest", IngestSettings),
    ("graph", GraphSettings),
    ("enrichment", EnrichmentSettings),
    ("command", CommandSettings),
]


@pytest.mark.parametrize(("name", "settings"), SERVICES)
def test_every_valid_numbering_owns_partitions(
    name: str, settings: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    for instances in (1, 3, PARTITIONS):
        for index in range(instances):
            monkeypatch.setenv(f"OFCA_{name.upper()}_INSTANCES", str(instances))
            monkeypatch.setenv(f"OFCA_{name.upper()}_INDEX", str(index))
            parsed = settings()
            assert owned_partitions(
                getattr(parsed, f"{name}_instances"), getattr(parsed, f"{name}_index")
            )


@pytest.mark.parametrize(("name", "settings"), SERVICES)
@pytest.mark.parametrize(
    ("instances", "index", "says"),
    [
        (2, 2, "INDEX=2 must be below"),
        (3, 7, "INDEX=7 must be below"),
        (PARTITIONS + 1, 0, f"at most {PARTITIONS}"),
    ],
)
def test_an_index_that_would_own_nothing_is_refused(
    name: str,
    settings: type,
    instances: int,
    index: int,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(f"OFCA_{name.upper()}_INSTANCES", str(instances))
    monkeypatch.setenv(f"OFCA_{name.upper()}_INDEX", str(index))
    with pytest.raises(ValidationError, match=says):
        settings()


def test_creator_settings_take_no_booleans_for_days_and_no_numbers_for_auto_send() -> None:
    assert CreatorSettings.model_validate_json(b'{"retentionDays": 30.0}').retention_days == 30
    for body in (b'{"retentionDays": true}', b'{"autoSend": 1}', b'{"autoSend": "yes"}'):
        with pytest.raises(ValidationError):
            CreatorSettings.model_validate_json(body)
    assert CreatorSettings.model_validate_json(b'{"autoSend": true}').auto_send is True
