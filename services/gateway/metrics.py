"""Prometheus metrics of the gateway."""

from prometheus_client import Counter, Gauge, Histogram

FRAMES_IN = Counter("ofca_gateway_frames_in_total", "Frames received", ["role", "type"])
FRAMES_OUT = Counter("ofca_gateway_frames_out_total", "Frames sent", ["role", "type"])
FRAME_ERRORS = Counter("ofca_gateway_frame_errors_total", "Frames refused", ["role", "code"])
SOCKETS = Gauge("ofca_gateway_sockets", "Open sockets", ["role"])
AUTH_REFUSED = Counter("ofca_gateway_auth_refused_total", "Refused handshakes/requests", ["why"])
PUBLISH_SECONDS = Histogram(
    "ofca_gateway_publish_seconds",
    "Time for JetStream to acknowledge an Agent frame",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
