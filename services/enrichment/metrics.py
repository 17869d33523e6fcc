"""Prometheus metrics of the enrichment service."""

from prometheus_client import Counter

EVENTS_FOLDED = Counter("ofca_enrichment_events_folded_total", "Events read from the log.")
EMITTED = Counter("ofca_enrichment_events_emitted_total", "Scores and drafts written to the log.")
DRAFTS = Counter(
    "ofca_enrichment_drafts_total",
    "Reply drafts by source and safety verdict.",
    ["source", "blocked"],
)
