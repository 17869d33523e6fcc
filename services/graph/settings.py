"""Graph settings (`OFCA_*` environment variables)."""

from pydantic import Field

from contracts.runtime.settings import ServiceSettings


class GraphSettings(ServiceSettings):
    graph_instances: int = Field(default=1, ge=1, description="Graph instances in all.")
    graph_index: int = Field(
        default=0, ge=0, description="This instance's index; it owns partitions p % n == index."
    )
    snapshot_interval_s: float = Field(
        default=30.0, description="How often changed partitions are snapshotted."
    )
    full_sync_max: int = Field(
        default=2000, description="Conversations in a full_sync_response (highest priority)."
    )
    analytics_window_days: int = Field(default=30, description="Window of pushed analytics.")
    retention_interval_s: float = Field(
        default=3600.0, description="How often retention prunes projections and purges the log."
    )
    analytics_debounce_s: float = Field(
        default=5.0, description="At most one analytics_update per creator this often."
    )
