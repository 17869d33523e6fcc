"""NATS's store is encrypted at rest under `ofca up`: nothing an Agent sent can be read off
the disk, the key never sits in the config file, and a rotated key re-encrypts the store."""

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import nats
import pytest

from contracts.runtime.provision import provision
from contracts.streams import AGENT_IN
from ofca.agent_protocol import new_raw_message
from ofca.nats_key import KEY_FILE, PREV_FILE, nats_keys, rotate
from ofca.natsd import EmbeddedNats, embedded_from_env, free_port

pytestmark = pytest.mark.nats
ROOT = Path(__file__).resolve().parents[2]


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def store(server: EmbeddedNats, marker: str) -> None:
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    await provision(js)
    frame = new_raw_message(401, {"id": 7, "fromUser": {"id": 401}, "text": marker})
    await js.publish("agent.in.300000", frame, stream=AGENT_IN.name)
    await nc.close()


async def read_back(server: EmbeddedNats) -> bytes:
    nc = await nats.connect(server.url)
    message = await nc.jetstream().get_msg(AGENT_IN.name, 1)
    await nc.close()
    return message.data


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OFCA_NATS_KEY", "OFCA_NATS_PREV_KEY", "OFCA_NATS_ENCRYPT", "OFCA_NATS_PORT"):
        monkeypatch.delenv(name, raising=False)


async def test_a_marker_an_agent_sent_is_in_no_file_of_the_data_directory(
    tmp_path: Path, clean_env: None
) -> None:
    marker = f"marker-{uuid.uuid4().hex}"
    server = embedded_from_env(tmp_path)
    assert server.encryption_key is not None
    server.start()
    try:
        await store(server, marker)
        assert marker.encode() in await read_back(server)
    finally:
        server.stop()
    assert files_containing(tmp_path, marker.encode()) == []
    assert files_containing(tmp_path / "nats", server.encryption_key.encode()) == []
    assert "$OFCA_NATS_KEY" in (tmp_path / "nats" / "nats.conf").read_text()
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


async def test_without_encryption_the_marker_is_readable_on_disk(
    tmp_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the check above would find the marker if the store were plain."""
    monkeypatch.setenv("OFCA_NATS_ENCRYPT", "0")
    marker = f"marker-{uuid.uuid4().hex}"
    server = embedded_from_env(tmp_path)
    assert server.encryption_key is None
    server.start()
    try:
        await store(server, marker)
    finally:
        server.stop()
    assert files_containing(tmp_path, marker.encode())


async def test_a_rotated_key_re_encrypts_the_store_and_the_old_key_goes(
    tmp_path: Path, clean_env: None
) -> None:
    marker = f"marker-{uuid.uuid4().hex}"
    server = embedded_from_env(tmp_path)
    server.start()
    try:
        await store(server, marker)
    finally:
        server.stop()
    old_key, _ = nats_keys(tmp_path)
    rotate(tmp_path)
    new_key, prev = nats_keys(tmp_path)
    assert prev == old_key and new_key != old_key
    both = EmbeddedNats(
        tmp_path / "nats", free_port(), free_port(), encryption_key=new_key, prev_key=prev
    )
    both.start()
    try:
        assert marker.encode() in await read_back(both)
    finally:
        both.stop()
    only_new = EmbeddedNats(tmp_path / "nats", free_port(), free_port(), encryption_key=new_key)
    only_new.start()
    try:
        assert marker.encode() in await read_back(only_new)
    finally:
        only_new.stop()
    assert files_containing(tmp_path, marker.encode()) == []


def test_the_rotate_command_keeps_the_previous_key_for_the_next_start(tmp_path: Path) -> None:
    env = {**os.environ, "OFCA_DATA_DIR": str(tmp_path)}
    env.pop("OFCA_NATS_KEY", None)
    first, _ = nats_keys(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "ofca", "nats-key", "rotate"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "new key" in out
    assert (tmp_path / PREV_FILE).read_text().strip() == first
    assert (tmp_path / KEY_FILE).read_text().strip() != first
