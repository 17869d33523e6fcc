"""NATS subject names: the only place they are spelled.

| subject                    | kind       | carries                                          |
| -------------------------- | ---------- | ------------------------------------------------ |
| `agent.in.<user>`          | JetStream  | Agent frames as received (raw envelope bytes)     |
| `events.<user>.<kind>`     | JetStream  | batches of domain events (the source of truth)    |
| `commands.<user>.<kind>`   | JetStream  | command lifecycle events                          |
| `bridge.<user>`            | core       | Brain→Bridge envelopes, ready to forward          |
| `agent_user.<user>`        | core req.  | `command_to_execute` for one Agent socket; replied |
| `agent_all.<user>`         | core       | frames for every Agent socket (`clear_local_data`) |
| `rpc.<service>.<op>.<user>`| core req.  | request/reply queries (e.g. full sync on connect) |
| `ctl.<service>.<op>`       | core req.  | operator commands to all instances (replay)       |

User ids become subject tokens, so they are restricted to `USER_ID_PATTERN`.

Streams store `agent.in.<user>` as `agent.in.<p>.<user>`, `events.<user>.<kind>` as
`events.<p>.<user>.<kind>` and `commands.<user>.<kind>` as `commands.<p>.<user>.<kind>`,
where `<p>` is the creator's partition (a server-side transform,
`contracts.streams`). Publishers use the short form; consumers filter on the stored one.
"""

import re

USER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_USER_ID = re.compile(USER_ID_PATTERN)

AGENT_IN_ALL = "agent.in.>"
EVENTS_ALL = "events.>"
COMMANDS_ALL = "commands.>"

HEADER_FRAME_TYPE = "Ofca-Frame-Type"
HEADER_USER = "Ofca-User"
HEADER_CORRELATION = "Ofca-Correlation-Id"
HEADER_MSG_ID = "Nats-Msg-Id"


class InvalidUserIdError(ValueError):
    """A user id that cannot be a NATS subject token."""


def partition_of(user_id: str, partitions: int) -> int:
    """The partition NATS's `{{partition(n,1)}}` transform puts `user_id` in (FNV-1a 32, mod n).

    Services use it to know which creators they own without asking the server.
    """
    h = 0x811C9DC5
    for byte in user_id.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % partitions


def check_user_id(user_id: str) -> str:
    """Return `user_id` unchanged, or raise InvalidUserIdError."""
    if not _USER_ID.match(user_id):
        raise InvalidUserIdError(f"user id must match {USER_ID_PATTERN}")
    return user_id


def agent_in(user_id: str) -> str:
    return f"agent.in.{check_user_id(user_id)}"


def agent_in_stored(user_id: str = "*", partition: int | str = "*") -> str:
    """Filter for what `AGENT_IN` stored for a user and/or a partition."""
    user = user_id if user_id == "*" else check_user_id(user_id)
    return f"agent.in.{partition}.{user}"


def events(user_id: str, kind: str) -> str:
    """Where a publisher sends a batch of `kind` (`snapshot`, `delta`, `control`)."""
    return f"events.{check_user_id(user_id)}.{kind}"


def events_stored(user_id: str = "*", partition: int | str = "*", kind: str = "*") -> str:
    """Filter for what `EVENTS` stored for a user and/or a partition."""
    user = user_id if user_id == "*" else check_user_id(user_id)
    return f"events.{partition}.{user}.{kind}"


def commands(user_id: str, kind: str = "*") -> str:
    """Where a publisher sends a command record: `request`, `result` or `lifecycle`."""
    return f"commands.{check_user_id(user_id)}.{kind}"


def commands_stored(user_id: str = "*", partition: int | str = "*", kind: str = "*") -> str:
    """Filter for what `COMMANDS` stored for a user and/or a partition."""
    user = user_id if user_id == "*" else check_user_id(user_id)
    return f"commands.{partition}.{user}.{kind}"


def bridge(user_id: str) -> str:
    return f"bridge.{check_user_id(user_id)}"


def agent_user(user_id: str) -> str:
    """`command_to_execute` for one of the creator's Agent sockets (a queue group: one gets it)."""
    return f"agent_user.{check_user_id(user_id)}"


def agent_all(user_id: str) -> str:
    """Frames for every Agent socket of the creator (e.g. `clear_local_data`)."""
    return f"agent_all.{check_user_id(user_id)}"


def rpc(service: str, op: str, user_id: str) -> str:
    return f"rpc.{service}.{op}.{check_user_id(user_id)}"


def control(service: str, op: str) -> str:
    """Operator commands to every running instance of a service (`ofca replay`)."""
    return f"ctl.{service}.{op}"


def user_of(subject: str) -> str:
    """The user token of a subject in either form (`agent.in.[<p>.]<user>`,
    `events.[<p>.]<user>.<kind>`, `bridge.<user>`, `rpc.<svc>.<op>.<user>`…)."""
    parts = subject.split(".")
    if parts[0] == "agent" and parts[1] == "in":
        return parts[-1]
    if parts[0] in ("events", "commands"):
        return parts[-2]
    if parts[0] == "rpc":
        return parts[3]
    return parts[1]
