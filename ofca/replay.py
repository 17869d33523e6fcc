"""`ofca replay --service NAME`: make a service rebuild its output from the start of its stream.

- `ingest`: re-derive events from every frame still in `AGENT_IN` (after a parser fix). Events
  have stable ids, so what was already right is deduplicated by every projection.
- `graph`, `enrichment`: rebuild their projections from the whole `EVENTS` log.

Running instances are told on `ctl.<service>.replay` and restart their consumers from the
first message; when none answers, the service's durable consumers and state buckets are
deleted so the next instance to start begins from the first message.
"""

import contextlib

from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NoKeysError, NotFoundError

from contracts import subjects
from contracts.streams import CONSUMER_GROUPS


async def replay(nc: Client, service: str) -> list[str]:
    """Ask `service` to rebuild; returns what was done, one line each."""
    group = CONSUMER_GROUPS[service]
    js = nc.jetstream()
    done: list[str] = []
    for bucket in group.buckets:
        with contextlib.suppress(NotFoundError):
            kv = await js.key_value(bucket)
            with contextlib.suppress(NotFoundError, NoKeysError):
                for key in await kv.keys():
                    await kv.delete(key)
            done.append(f"cleared bucket {bucket}")
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
