"""Prometheus metrics of the graph service."""

from prometheus_client import Counter, Gauge

EVENTS_APPLIED = Counter("ofca_graph_events_applied_total", "Events folded into the projection")
LAG = Gauge("ofca_graph_consumer_pending", "Messages pending per partition", ["partition"])
QUERIES = Counter("ofca_graph_queries_total", "Queries answered", ["op", "outcome"])
