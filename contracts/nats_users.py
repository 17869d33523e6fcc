"""Who may publish and subscribe to what on NATS: one user per service, least privilege.

Without authentication anyone who can reach NATS can impersonate any service: write the event
log, send `command_to_execute` to an Agent, answer another service's queries. With these users
(`ofca up` with `OFCA_NATS_AUTH=1`, compose and Kubernetes: `deploy/README.md`), each service may
publish only the subjects it writes (docs/architecture.md lists them) and subscribe only to
what it reads; an `admin` user provisions streams and runs `ofca replay`.

Every service also needs the JetStream API calls a client makes to read: stream and consumer
info, consumers (pull, ordered push, KV watches), direct and message gets, acks and flow
control. Replies come to the user's own inbox prefix (`_INBOX_<user>.>`, set by
`contracts.runtime.nats.connect`), so no service can read another's answers; a service that
answers requests (gateway, graph, command) may publish only to the reply subjects of the
requests it received (`allow_responses`), not to every inbox. Writes through the API (purges)
are listed per service.
"""

from dataclasses import dataclass

from contracts.streams import (
    AGENT_IN,
    COMMANDS,
    EVENTS,
    KV_AGENT_PRESENCE,
    KV_AGENT_SYNC,
    KV_CREATOR_SETTINGS,
    KV_ENRICHMENT_PROGRESS,
    KV_INGEST_SNAPSHOTS,
    OBJ_EXPORTS,
    OBJ_GRAPH_SNAPSHOTS,
)

READ_API = (
    "$JS.API.INFO",
    "$JS.API.STREAM.INFO.>",
    "$JS.API.STREAM.NAMES",
    "$JS.API.STREAM.LIST",
    "$JS.API.STREAM.MSG.GET.>",
    "$JS.API.DIRECT.GET.>",
    "$JS.API.CONSUMER.>",
    "$JS.ACK.>",
    "$JS.FC.>",
)


def kv(bucket: str) -> tuple[str, ...]:
    """Writing a KV bucket: puts, deletes and purges of its keys."""
    return (f"$KV.{bucket}.>",)


def objects(bucket: str) -> tuple[str, ...]:
    """Writing an object store: chunks, metadata, and purging an object's old chunks."""
    return (f"$O.{bucket}.>", f"$JS.API.STREAM.PURGE.OBJ_{bucket}")


def purge(*streams: str) -> tuple[str, ...]:
    return tuple(f"$JS.API.STREAM.PURGE.{s}" for s in streams)


@dataclass(frozen=True)
class NatsUser:
    name: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    responds: bool = False  # answers requests (`allow_responses`)

    @property
    def inbox_prefix(self) -> str:
        return inbox_prefix(self.name)

    @property
    def env_password(self) -> str:
        """The environment variable nats-server reads this user's password from."""
        return f"NATS_PASSWORD_{self.name.upper()}"


SERVICE_USERS: tuple[NatsUser, ...] = (
    NatsUser(
        "gateway",
        publish=(
            "agent.in.>",
            "commands.*.result",
            "commands.*.request",
            "events.*.control",  # deletion tombstones, retention settings
            "bridge.>",
            "agent_all.>",
            "rpc.graph.>",
            "rpc.command.>",
            "ctl.ingest.forget",
            "ctl.command.forget",
            *kv(KV_AGENT_PRESENCE),
            *kv(KV_CREATOR_SETTINGS),
            *kv(KV_AGENT_SYNC),
            *kv(KV_INGEST_SNAPSHOTS),  # deletion
            *objects(OBJ_EXPORTS),
            *purge(AGENT_IN.name, EVENTS.name, COMMANDS.name),  # deletion
        ),
        subscribe=("bridge.>", "agent_user.>", "agent_all.>"),
        responds=True,  # agent_user requests: "the socket took it"
    ),
    NatsUser(
        "ingest",
        publish=(
            "events.*.snapshot",
            "events.*.delta",
            "events.*.control",
            "bridge.>",
            *kv(KV_INGEST_SNAPSHOTS),
        ),
        subscribe=("ctl.ingest.>",),
        responds=True,  # ctl.ingest.replay
    ),
    NatsUser(
        "graph",
        publish=(
            "bridge.>",
            *objects(OBJ_GRAPH_SNAPSHOTS),
            *objects(OBJ_EXPORTS),
            *purge(AGENT_IN.name, EVENTS.name),  # retention
        ),
        subscribe=("rpc.graph.>", "ctl.graph.>"),
        responds=True,
    ),
    NatsUser(
        "enrichment",
        publish=("events.*.enrichment", "bridge.>", *kv(KV_ENRICHMENT_PROGRESS)),
        subscribe=("ctl.enrichment.>",),
        responds=True,  # ctl.enrichment.replay
    ),
    NatsUser(
        "command",
        publish=("agent_user.>", "commands.>", "bridge.>"),
        subscribe=("rpc.command.>", "ctl.command.>"),
        responds=True,
    ),
)
ADMIN = NatsUser("admin", publish=(">",), subscribe=(">",))
USERS: tuple[NatsUser, ...] = (*SERVICE_USERS, ADMIN)


def inbox_prefix(user: str | None) -> str:
    """Where a client of `user` gets its replies (nats-py's `inbox_prefix`)."""
    return f"_INBOX_{user}" if user else "_INBOX"


def _quoted(subjects: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{s}"' for s in subjects) + "]"


def authorization_block() -> str:
    """nats-server configuration: every user, its password from its environment variable."""
    lines = ["authorization {", "  users: ["]
    for user in USERS:
        publish = user.publish if user is ADMIN else (*user.publish, *READ_API)
        subscribe = user.subscribe if user is ADMIN else (*user.subscribe, f"{user.inbox_prefix}.>")
        responses = ", allow_responses: true" if user.responds else ""
        lines += [
            f"    {{user: {user.name}, password: ${user.env_password}, permissions: {{",
            f"      publish: {{allow: {_quoted(publish)}}}",
            f"      subscribe: {{allow: {_quoted(subscribe)}}}{responses}",
            "    }}",
        ]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"
