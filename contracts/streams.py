"""JetStream streams and KV buckets, declared once here and provisioned by `ofca provision`.

Services bind to these with `declare=False`: a service that declared its own stream would win
config conflicts at start-up and silently change retention for everyone else.
"""

from dataclasses import dataclass

from contracts import subjects

MIB = 1024 * 1024
DAY_S = 86_400


# Creators are spread over this many partitions by a server-side subject transform, so a
# partition is a stable set of creators that exactly one instance of a service consumes, in
# order. Changing it re-maps creators: drain the consumers first (docs/operations.md).
PARTITIONS = 8


def owned_partitions(instances: int, index: int, partitions: int = PARTITIONS) -> list[int]:
    """The partitions instance `index` of `instances` consumes (p % instances == index)."""
    return [p for p in range(partitions) if p % instances == index]


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: list[str]
    description: str
    max_age_s: float = 0  # 0: keep forever (the event log is the source of truth)
    max_msg_size: int = 8 * MIB
    duplicate_window_s: float = 120
    # (source, destination) of a subject transform applied when a message is stored.
    transform: tuple[str, str] | None = None


AGENT_IN = StreamSpec(
    name="AGENT_IN",
    subjects=[subjects.AGENT_IN_ALL],
    description="Agent frames exactly as received by a gateway (raw envelope bytes).",
    max_age_s=7 * DAY_S,
    transform=("agent.in.*", f"agent.in.{{{{partition({PARTITIONS},1)}}}}.{{{{wildcard(1)}}}}"),
)
EVENTS = StreamSpec(
    name="EVENTS",
    subjects=[subjects.EVENTS_ALL],
    description="Normalized domain events per creator: the source of truth.",
    duplicate_window_s=600,
    transform=(
        "events.*.*",
        f"events.{{{{partition({PARTITIONS},1)}}}}.{{{{wildcard(1)}}}}.{{{{wildcard(2)}}}}",
    ),
)
COMMANDS = StreamSpec(
    name="COMMANDS",
    subjects=[subjects.COMMANDS_ALL],
    description="Command requests, Agent results and lifecycle events: the audit log.",
    duplicate_window_s=DAY_S,  # a commandId re-posted within a day is answered `duplicate`
    transform=(
        "commands.*.*",
        f"commands.{{{{partition({PARTITIONS},1)}}}}.{{{{wildcard(1)}}}}.{{{{wildcard(2)}}}}",
    ),
)

STREAMS: tuple[StreamSpec, ...] = (AGENT_IN, EVENTS, COMMANDS)

# KV buckets: small mutable state that is not part of the event log.
KV_AGENT_PRESENCE = "agent_presence"  # user -> last-seen (ISO time) of a connected Agent
KV_INGEST_SNAPSHOTS = "ingest_snapshots"  # snapshot assembly progress, so a restart resumes
KV_CREATOR_SETTINGS = "creator_settings"  # user -> CreatorSettings JSON (retention, auto-send)
KV_ENRICHMENT_PROGRESS = "enrichment_progress"  # p<partition> -> last EVENTS seq scored
# <user>.<installId> -> the last snapshot an Agent installation sent whole (the resume handshake)
KV_AGENT_SYNC = "agent_sync"
KV_BUCKETS: tuple[tuple[str, float], ...] = (  # (bucket, ttl seconds; 0 = none)
    (KV_AGENT_PRESENCE, 0),
    (KV_CREATOR_SETTINGS, 0),
    (KV_INGEST_SNAPSHOTS, 2 * DAY_S),
    (KV_ENRICHMENT_PROGRESS, 0),
    (KV_AGENT_SYNC, 0),
)


# Object stores: large blobs, e.g. a projection's snapshot with the stream position it reflects.
OBJ_GRAPH_SNAPSHOTS = "graph_snapshots"
OBJ_EXPORTS = "exports"  # export files, too large for a NATS reply; fetched once, then deleted
OBJECT_STORES: tuple[str, ...] = (OBJ_GRAPH_SNAPSHOTS, OBJ_EXPORTS)


@dataclass(frozen=True)
class ConsumerGroup:
    """A service's durable consumers (`<prefix>-p<partition>`) and its state buckets.

    `ofca replay` deletes exactly these to make the service rebuild from the start of `stream`.
    """

    service: str
    stream: str
    prefix: str
    buckets: tuple[str, ...] = ()
    object_stores: tuple[str, ...] = ()


CONSUMER_GROUPS: dict[str, ConsumerGroup] = {
    # A replay of ingest forgets which snapshots Agents sent: AGENT_IN keeps 7 days of frames,
    # so only a full snapshot from every Agent re-derives the whole history with the new parser.
    "ingest": ConsumerGroup(
        "ingest", AGENT_IN.name, "ingest", (KV_INGEST_SNAPSHOTS, KV_AGENT_SYNC)
    ),
    "graph": ConsumerGroup("graph", EVENTS.name, "graph", (), (OBJ_GRAPH_SNAPSHOTS,)),
    "enrichment": ConsumerGroup("enrichment", EVENTS.name, "enrichment", (KV_ENRICHMENT_PROGRESS,)),
}
