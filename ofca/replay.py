"""`ofca replay --service NAME`: make a service rebuild its output from the start of its stream.

- `ingest`: re-derive events from every frame still in `AGENT_IN` (after a parser fix). Events
  have stable ids, so what was already right is deduplicated by every projection. `AGENT_IN`
  keeps 7 days, so the Agents' sync records are forgotten too and every connected Agent gets a
  `sync_request`: their full snapshots bring the whole history through the new parser.
- `graph`, `enrichment`: rebuild their projections from the whole `EVENTS` log.

Running instances are told on `ctl.<service>.replay` and restart their consumers from the
first message; when none answers, the service's durable consumers and state buckets are
deleted so the next instance to start begins from the first message.
"""

import contextlib

from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.errors import NoKeysError, NotFoundError

from contracts import subjects
from contracts.models.capture import SyncRequest
from contracts.streams import CONSUMER_GROUPS, KV_AGENT_SYNC
from contracts.wire import SyncRequestMessage


async def synced_creators(js: JetStreamContext) -> set[str]:
    """Creators with a live record in `agent_sync` (keys `<user>.<installId>`)."""
    prefix = f"$KV.{KV_AGENT_SYNC}."
    try:
        info = await js.stream_info(f"KV_{KV_AGENT_SYNC}", subjects_filter=f"{prefix}>")
    except NotFoundError:
        return set()
    creators = set()
    for subject in info.state.subjects or {}:
        last = await js.get_last_msg(f"KV_{KV_AGENT_SYNC}", subject)
        if (last.headers or {}).get("KV-Operation") in ("DEL", "PURGE"):
            continue
        creators.add(subject.removeprefix(prefix).split(".", 1)[0])
    return creators


async def replay(nc: Client, service: str) -> list[str]:
    """Ask `service` to rebuild; returns what was done, one line each."""
    group = CONSUMER_GROUPS[service]
    js = nc.jetstream()
    done: list[str] = []
    # Creators with an Agent sync record, read before the bucket is cleared: asked for a full
    # snapshot below. From the stream's subjects, not `kv.keys()` (whose watcher can end
    # before a key it should list when the server is busy).
    synced = await synced_creators(js) if KV_AGENT_SYNC in group.buckets else set()
    for bucket in group.buckets:
        with contextlib.suppress(NotFoundError):
            kv = await js.key_value(bucket)
            with contextlib.suppress(NotFoundError, NoKeysError):
                for key in await kv.keys():
                    await kv.delete(key)
            if bucket == KV_AGENT_SYNC:
                await js.purge_stream(f"KV_{bucket}")  # whatever keys() missed
            done.append(f"cleared bucket {bucket}")
    for user_id in sorted(synced):
        request = SyncRequestMessage(payload=SyncRequest(user_id=user_id, reason="replay"))
        await nc.publish(
            subjects.agent_all(user_id),
            request.model_dump_json(by_alias=True).encode(),
            headers={subjects.HEADER_FRAME_TYPE: "sync_request"},
        )
    if synced:
        done.append(f"asked the Agents of {len(synced)} creator(s) for a full snapshot")
    for store in group.object_stores:
        with contextlib.suppress(NotFoundError):
            objects = await js.object_store(store)
            with contextlib.suppress(NotFoundError):
                for entry in await objects.list():
                    await objects.delete(entry.name)
            done.append(f"cleared object store {store}")
    try:
        reply = await nc.request(subjects.control(service, "replay"), b"", timeout=2)
        done.append(f"running {service} instances restarted from the start ({reply.data.decode()})")
        return done
    except (NoRespondersError, NatsTimeoutError):
        pass
    infos = await js.consumers_info(group.stream)
    for info in infos:
        if info.name.startswith(f"{group.prefix}-"):
            await js.delete_consumer(group.stream, info.name)
            done.append(f"deleted consumer {group.stream}/{info.name}")
    done.append(f"no {service} instance is running: the next one starts from the first message")
    return done
