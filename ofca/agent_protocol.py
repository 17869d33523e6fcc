"""The Agent side of the socket protocol, in Python: snapshot framing and a small client.

The Chrome extension is the real Agent; this module speaks the same protocol for `ofca up
--demo`, tests and benchmarks, so they exercise exactly the path the extension uses.
"""

import asyncio
import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect

JsonObj = dict[str, Any]
_FRAME_OVERHEAD = 512
_encoder = msgspec.json.Encoder()


def snapshot_frames(
    chats: Sequence[JsonObj],
    messages: Sequence[JsonObj],
    max_bytes: int,
    snapshot_id: str = "",
    install_id: str | None = None,
) -> Iterator[bytes]:
    """`cache_update` frames of at most `max_bytes`, numbered `part` 0..`parts`-1.

    Each record is encoded once; a record larger than a frame on its own cannot be sent and
    raises ValueError (the extension splits or drops such records before sending).
    `install_id` names the Agent installation (the resume handshake, `sync_hello`).
    """
    snapshot_id = snapshot_id or uuid.uuid4().hex
    budget = max_bytes - _FRAME_OVERHEAD
    groups: list[tuple[list[bytes], list[bytes]]] = [([], [])]
    size = 0
    for kind, records in ((0, chats), (1, messages)):
        for record in records:
            blob = _encoder.encode(record)
            if len(blob) + 1 > budget:
                raise ValueError(f"a record of {len(blob)} bytes does not fit in a frame")
            if size + len(blob) + 1 > budget:
                groups.append(([], []))
                size = 0
            groups[-1][kind].append(blob)
            size += len(blob) + 1
    parts = len(groups)
    for part, (chat_blobs, message_blobs) in enumerate(groups):
        fields: JsonObj = {"snapshot_id": snapshot_id, "part": part, "parts": parts}
        if install_id is not None:
            fields["installId"] = install_id
        head = json.dumps(fields)[:-1]
        yield b"".join(
            [
                b'{"type":"cache_update","ref":"',
                f"{snapshot_id}:{part}".encode(),
                b'","payload":',
                head.encode(),
                b',"chats":[',
                b",".join(chat_blobs),
                b'],"messages":[',
                b",".join(message_blobs),
                b"]}}",
            ]
        )


def new_raw_message(chat_id: int | str, message: JsonObj, source: str = "websocket") -> bytes:
    payload = {"chatId": chat_id, "source": source, "message": message}
    ref = f"m:{chat_id}:{message.get('id')}"
    return _encoder.encode({"type": "new_raw_message", "ref": ref, "payload": payload})


KEEPALIVE = b'{"type":"keepalive","payload":{}}'


def sync_hello(install_id: str, snapshot_id: str | None) -> bytes:
    """The first frame of an Agent that resumes: which installation, which last snapshot."""
    payload = {"installId": install_id, "snapshotId": snapshot_id}
    return _encoder.encode({"type": "sync_hello", "ref": "hello", "payload": payload})


class AgentClient:
    """A connected Agent socket. `send_and_wait` returns the Brain's receipt for a frame."""

    def __init__(self, ws: ClientConnection, ack: JsonObj) -> None:
        self.ws = ws
        self.ack = ack
        self.max_frame_bytes = int(ack["payload"]["maxFrameBytes"])
        self.commands: list[JsonObj] = []  # command_to_execute frames seen while waiting

    @classmethod
    async def connect(cls, url: str, token: str, **kwargs: Any) -> "AgentClient":
        ws = await connect(f"{url}/ws/agent?token={token}", max_size=None, **kwargs)
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            await ws.close()
            raise ConnectionError(f"expected connection_ack, got {ack.get('type')}")
        return cls(ws, ack)

    async def send_and_wait(self, frame: bytes, within_s: float = 30.0) -> JsonObj:
        """Send one frame and wait for its `ingest_ack` or `system_error`; commands that
        arrive meanwhile are kept in `commands`, other frames skipped."""
        await self.ws.send(frame.decode())
        async with asyncio.timeout(within_s):
            while True:
                reply = json.loads(await self.ws.recv())
                if reply.get("type") in {"ingest_ack", "system_error"}:
                    return dict(reply)
                if reply.get("type") == "command_to_execute":
                    self.commands.append(dict(reply["payload"]))

    async def hello(
        self, install_id: str, snapshot_id: str | None, within_s: float = 30.0
    ) -> JsonObj:
        """Send `sync_hello` and return the Brain's `sync_state` payload."""
        await self.ws.send(sync_hello(install_id, snapshot_id).decode())
        async with asyncio.timeout(within_s):
            while True:
                reply = json.loads(await self.ws.recv())
                if reply.get("type") == "sync_state":
                    return dict(reply["payload"])
                if reply.get("type") == "system_error":
                    raise ConnectionError(f"sync_hello refused: {reply['payload']}")

    async def check(
        self,
        command_id: str,
        install_id: str | None = None,
        via: str = "socket",
        within_s: float = 30.0,
    ) -> JsonObj:
        """Ask the Brain whether `command_id` may be executed now (`command_check`); returns
        the `command_verdict` payload. The Agent executes only when `executable` is true."""
        payload: JsonObj = {"commandId": command_id, "via": via}
        if install_id is not None:
            payload["installId"] = install_id
        ref = f"chk:{command_id}"
        frame = {"type": "command_check", "ref": ref, "payload": payload}
        await self.ws.send(_encoder.encode(frame).decode())
        async with asyncio.timeout(within_s):
            while True:
                reply = json.loads(await self.ws.recv())
                kind, body = reply.get("type"), reply.get("payload") or {}
                if kind == "command_verdict" and body.get("commandId") == command_id:
                    return dict(body)
                if kind == "system_error" and body.get("ref") == ref:
                    reason = f"refused: {body.get('code')}"
                    return {"commandId": command_id, "executable": False, "reason": reason}
                if kind == "command_to_execute":
                    self.commands.append(dict(body))

    async def send_snapshot(
        self,
        chats: Sequence[JsonObj],
        messages: Sequence[JsonObj],
        snapshot_id: str = "",
        install_id: str | None = None,
    ) -> list[JsonObj]:
        """Send a whole snapshot in parts, each acknowledged before the next."""
        frames = snapshot_frames(chats, messages, self.max_frame_bytes, snapshot_id, install_id)
        return [await self.send_and_wait(frame) for frame in frames]

    async def close(self) -> None:
        await self.ws.close()
