"""Create or update the streams and KV buckets of `contracts.streams` (idempotent).

Run once per deployment (`ofca provision`, a Kubernetes Job, or `ofca up` on start). Services
never declare streams themselves.
"""

from nats.js import JetStreamContext
from nats.js.api import (
    KeyValueConfig,
    ObjectStoreConfig,
    StorageType,
    StreamConfig,
    SubjectTransform,
)
from nats.js.errors import NotFoundError

from contracts.streams import KV_BUCKETS, OBJECT_STORES, PARTITIONS, STREAMS, StreamSpec


def stream_config(spec: StreamSpec, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=list(spec.subjects),
        storage=StorageType.FILE,
        max_age=spec.max_age_s or None,
        max_msg_size=spec.max_msg_size,
        duplicate_window=spec.duplicate_window_s,
        num_replicas=replicas,
        allow_direct=True,
        subject_transform=SubjectTransform(*spec.transform) if spec.transform else None,
        metadata={"ofca.partitions": str(PARTITIONS)},
    )


async def provision(js: JetStreamContext, replicas: int = 1) -> list[str]:
    """Ensure every stream and bucket exists with the declared config; returns what changed."""
    changed = []
    for spec in STREAMS:
        config = stream_config(spec, replicas)
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
            changed.append(f"created stream {spec.name}")
        else:
            await js.update_stream(config)
            changed.append(f"updated stream {spec.name}")
    for bucket, ttl in KV_BUCKETS:
        try:
            await js.key_value(bucket)
        except NotFoundError:
            kv_config = KeyValueConfig(
                bucket=bucket, storage=StorageType.FILE, replicas=replicas, ttl=ttl or None
            )
            await js.create_key_value(kv_config)
            changed.append(f"created bucket {bucket}")
    for store in OBJECT_STORES:
        try:
            await js.object_store(store)
        except NotFoundError:
            obs_config = ObjectStoreConfig(
                bucket=store, storage=StorageType.FILE, replicas=replicas
            )
            await js.create_object_store(store, config=obs_config)
            changed.append(f"created object store {store}")
    return changed
