"""Prometheus metrics of the ingest service."""

from prometheus_client import Counter, Gauge

FRAMES = Counter("ofca_ingest_frames_total", "Agent frames processed", ["type", "outcome"])
EVENTS_PUBLISHED = Counter("ofca_ingest_events_published_total", "Events published")
RECORDS_REJECTED = Counter("ofca_ingest_records_rejected_total", "Malformed records", ["reason"])
SNAPSHOTS = Counter("ofca_ingest_snapshots_total", "Snapshots finished", ["outcome"])
LANES = Gauge("ofca_ingest_lanes", "Creators with a live lane")
HELD = Gauge("ofca_ingest_held_deltas", "Deltas waiting for a snapshot to complete")
