"""The creator owns the data: settings (retention, auto-send) and deleting everything.

Deleting a creator purges their subjects from every stream, leaves a `creator_deleted`
tombstone in the event log (so a projection replaying an older snapshot forgets too), asks the
graph to drop its state and rewrite its snapshot, clears their KV entries, tells ingest to forget
the creator, and tells their Agent to clear its IndexedDB.
"""

import contextlib
import time
import uuid

from nats.errors import Error as NatsError
from nats.js.errors import Error as JetStreamError
from nats.js.errors import NoKeysError, NotFoundError

from contracts import subjects
from contracts.events import CreatorDeleted, RetentionSet, encode_batch, encode_event, make_event_id
from contracts.models.core import ClearLocalData
from contracts.models.queries import CreatorSettings, DeletionReport
from contracts.streams import (
    AGENT_IN,
    COMMANDS,
    EVENTS,
    KV_AGENT_PRESENCE,
    KV_AGENT_SYNC,
    KV_CREATOR_SETTINGS,
    KV_INGEST_SNAPSHOTS,
)
from contracts.wire import ClearLocalDataMessage
from services.gateway.runtime import GatewayRuntime


def _creator_id(user_id: str) -> int:
    return int(user_id) if user_id.isdigit() else 0


async def read_settings(rt: GatewayRuntime, user_id: str) -> CreatorSettings:
    kv = await rt.js.key_value(KV_CREATOR_SETTINGS)
    try:
        entry = await kv.get(user_id)
    except NotFoundError:
        return CreatorSettings()
    return CreatorSettings.model_validate_json(entry.value or b"{}")


async def write_settings(rt: GatewayRuntime, user_id: str, settings: CreatorSettings) -> None:
    """Store the settings; a retention change also goes into the event log for projections."""
    previous = await read_settings(rt, user_id)
    kv = await rt.js.key_value(KV_CREATOR_SETTINGS)
    await kv.put(user_id, settings.model_dump_json(by_alias=True).encode())
    if previous.retention_days != settings.retention_days:
        at = int(time.time() * 1000)
        event = RetentionSet(
            event_id=make_event_id(f"{user_id}:retention_set:{at}"),
            creator_id=_creator_id(user_id),
            days=settings.retention_days,
            at=at,
        )
        await rt.js.publish(
            subjects.events(user_id, "control"),
            encode_batch([encode_event(event)]),
            stream=EVENTS.name,
            headers={subjects.HEADER_MSG_ID: event.event_id},
        )


async def delete_creator(rt: GatewayRuntime, user_id: str, requested_by: str) -> DeletionReport:
    done: list[str] = []
    js = rt.js
    await rt.nc.publish(subjects.control("ingest", "forget"), user_id.encode())
    await rt.nc.publish(subjects.control("command", "forget"), user_id.encode())
    for stream, subject in (
        (AGENT_IN.name, subjects.agent_in_stored(user_id)),
        (EVENTS.name, subjects.events_stored(user_id)),
        (COMMANDS.name, subjects.commands_stored(user_id)),
    ):
        await js.purge_stream(stream, subject=subject)
        done.append(f"purged {stream} {subject}")
    at = int(time.time() * 1000)
    tombstone = CreatorDeleted(
        event_id=make_event_id(f"{user_id}:creator_deleted:{uuid.uuid4().hex}"),
        creator_id=_creator_id(user_id),
        at=at,
        requested_by=requested_by,
    )
    await js.publish(
        subjects.events(user_id, "control"),
        encode_batch([encode_event(tombstone)]),
        stream=EVENTS.name,
        headers={subjects.HEADER_MSG_ID: tombstone.event_id},
    )
    done.append("wrote the creator_deleted tombstone")
    reply = await rt.query("forget", user_id, {})
    done.append("graph state and snapshot cleared" if reply.ok else f"graph: {reply.error}")
    for bucket, prefix in (
        (KV_AGENT_PRESENCE, user_id),
        (KV_CREATOR_SETTINGS, user_id),
        (KV_INGEST_SNAPSHOTS, f"{user_id}."),
        (KV_AGENT_SYNC, f"{user_id}."),
    ):
        kv = await js.key_value(bucket)
        with contextlib.suppress(NotFoundError, NoKeysError):
            for key in await kv.keys():
                if key == prefix or (prefix.endswith(".") and key.startswith(prefix)):
                    await kv.delete(key)
                    await kv.purge(key)
        done.append(f"cleared {bucket}")
    clear = ClearLocalDataMessage(
        payload=ClearLocalData(user_id=user_id, reason="the creator's data was deleted")
    )
    with contextlib.suppress(NatsError, JetStreamError):
        await rt.nc.publish(
            subjects.agent_all(user_id),
            clear.model_dump_json(by_alias=True).encode(),
            headers={subjects.HEADER_FRAME_TYPE: "clear_local_data"},
        )
    done.append("told the Agent to clear its local data")
    return DeletionReport(user_id=user_id, deleted=done)
