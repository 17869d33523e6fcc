"""JetStream streams and KV buckets, declared once here and provisioned by `ofca provision`.

Services bind to these with `declare=False`: a service that declared its own stream would win
config conflicts at start-up and silently change retention for everyone else.
"""

from dataclasses import dataclass, field

from contracts import subjects

MIB = 1024 * 1024
DAY_S = 86_400


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: list[str]
    description: str
    max_age_s: float = 0  # 0: keep forever (the event log is the source of truth)
    max_msg_size: int = 8 * MIB
    duplicate_window_s: float = 120
    allow_purge_subjects: bool = True
    extra: dict[str, object] = field(default_factory=dict)


AGENT_IN = StreamSpec(
    name="AGENT_IN",
    subjects=[subjects.AGENT_IN_ALL],
    description="Agent frames exactly as received by a gateway (raw envelope bytes).",
    max_age_s=7 * DAY_S,
)
EVENTS = StreamSpec(
    name="EVENTS",
    subjects=[subjects.EVENTS_ALL],
    description="Normalized domain events per creator: the source of truth.",
)
COMMANDS = StreamSpec(
    name="COMMANDS",
    subjects=[subjects.COMMANDS_ALL],
    description="Command lifecycle events: requested, issued, delivered, sent/failed/expired.",
)

STREAMS: tuple[StreamSpec, ...] = (AGENT_IN, EVENTS, COMMANDS)

# KV buckets: small mutable state that is not part of the event log.
KV_AGENT_PRESENCE = "agent_presence"  # user -> last-seen (ISO time) of a connected Agent
KV_BUCKETS: tuple[str, ...] = (KV_AGENT_PRESENCE,)
