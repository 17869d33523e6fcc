"""Ingest settings (`OFCA_*` environment variables)."""

from pydantic import Field

from contracts.runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    ingest_instances: int = Field(default=1, ge=1, description="Ingest instances in all.")
    ingest_index: int = Field(
        default=0, ge=0, description="This instance's index; it owns partitions p % n == index."
    )
    snapshot_timeout_s: float = Field(
        default=120.0, description="An incomplete snapshot with no new part this long is abandoned."
    )
    fetch_batch: int = 64
    event_batch_bytes: int = Field(
        default=512 * 1024, description="Largest message of events published to `EVENTS`."
    )
    lane_queue: int = Field(default=1000, description="Frames buffered per creator.")
    inflight_bytes: int = Field(
        default=256 * 1024 * 1024,
        description="Bytes of fetched frames not yet handled, across all creators.",
    )
