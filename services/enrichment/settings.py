"""Enrichment settings (`OFCA_*` environment variables)."""

from pydantic import Field

from contracts.runtime.settings import ServiceSettings


class EnrichmentSettings(ServiceSettings):
    enrichment_instances: int = Field(default=1, ge=1, description="Enrichment instances in all.")
    enrichment_index: int = Field(
        default=0, ge=0, description="This instance's index; it owns partitions p % n == index."
    )
    draft_max_age: float = Field(
        default=3 * 86_400.0,
        description="Seconds: a fan message older than this gets no reply draft.",
    )
    draft_index_capacity: int = Field(
        default=2000, ge=10, description="Past (fan message, reply) pairs kept per creator."
    )
    llm_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (e.g. http://127.0.0.1:11434/v1) for drafts; "
        "unset: drafts come from the creator's own past replies and templates (offline).",
    )
    llm_model: str = Field(default="", description="Model name sent to `llm_url`.")
    llm_api_key: str | None = Field(default=None, description="Bearer key for `llm_url`.")
    llm_timeout: float = Field(default=10.0, gt=0, description="Seconds per LLM draft.")
    enrichment_flush_events: int = Field(
        default=500, ge=1, description="Output events per published batch."
    )
    enrichment_flush_interval: float = Field(
        default=0.25, gt=0, description="Seconds between flushes of scores and drafts."
    )
