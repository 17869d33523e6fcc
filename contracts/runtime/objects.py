"""Reading objects from a JetStream object store in linear time.

nats-py's `ObjectStore.get` appends each chunk to a bytes object (`data += chunk`), which is
quadratic: a 240 MB projection snapshot took minutes. This reads the same chunks with an
ordered consumer into a list, joins once and checks the digest, as the client does.
"""

import asyncio
import base64
from hashlib import sha256

from nats.js import JetStreamContext
from nats.js.object_store import OBJ_CHUNKS_PRE_TEMPLATE, ObjectStore


class ObjectDigestError(Exception):
    """The chunks read do not match the object's digest."""


async def read_object(js: JetStreamContext, store: ObjectStore, name: str) -> bytes:
    """The whole object `name` of `store` (raises nats' ObjectNotFoundError when absent)."""
    info = await store.get_info(name)
    if not info.size or not info.nuid:
        return b""
    subject = OBJ_CHUNKS_PRE_TEMPLATE.format(bucket=info.bucket, obj=info.nuid)
    chunks: list[bytes] = []
    done = asyncio.get_running_loop().create_future()
    digest = sha256()

    async def on_chunk(msg: object) -> None:
        data: bytes = msg.data  # type: ignore[attr-defined]
        chunks.append(data)
        digest.update(data)
        if msg.metadata.num_pending == 0 and not done.done():  # type: ignore[attr-defined]
            done.set_result(None)

    sub = await js.subscribe(subject, cb=on_chunk, ordered_consumer=True)
    try:
        await asyncio.wait_for(done, timeout=max(30.0, info.size / 5_000_000))
    finally:
        await sub.unsubscribe()
    expected = base64.urlsafe_b64decode((info.digest or "").split("=", 1)[-1] + "==")
    if digest.digest() != expected[: len(digest.digest())]:
        raise ObjectDigestError(name)
    return b"".join(chunks)
