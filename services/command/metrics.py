"""Prometheus metrics of the command service."""

from prometheus_client import Counter, Gauge

COMMAND_STEPS = Counter(
    "ofca_command_steps_total", "Lifecycle steps recorded, by step and state.", ["step", "state"]
)
DELIVERIES = Counter(
    "ofca_command_deliveries_total",
    "Delivery attempts by outcome (delivered, no_agent, socket_closed, unconfirmed).",
    ["outcome"],
)
PENDING = Gauge("ofca_command_pending", "Commands not yet in a final state.")
CHECKS = Counter(
    "ofca_command_checks_total",
    "Agents' command_check answers, by whether the command was executable.",
    ["executable"],
)
