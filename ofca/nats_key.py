"""The key JetStream's file store is encrypted with under `ofca up` (encryption at rest).

`OFCA_NATS_KEY` when set (keep it off the data disk in production: a secret manager, an
orchestrator secret), else `$OFCA_DATA_DIR/nats.key`, created on first use with mode 0600.
`ofca nats-key rotate` moves the current key to `nats.key.prev` and writes a new one: the next
start gives nats-server both (`prev_encryption_key`), which re-encrypts the store with the new
key, and `ofca up` then deletes the previous key (`OFCA_NATS_PREV_KEY` plays its part when the
keys come from the environment).
"""

import os
import secrets
from pathlib import Path

KEY_FILE = "nats.key"
PREV_FILE = "nats.key.prev"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text + "\n")


def new_key() -> str:
    return secrets.token_hex(32)


def nats_keys(data_dir: Path) -> tuple[str, str | None]:
    """(key, previous key or None): from the environment, else the data directory."""
    env_key = os.environ.get("OFCA_NATS_KEY")
    if env_key:
        return env_key, os.environ.get("OFCA_NATS_PREV_KEY") or None
    path = data_dir / KEY_FILE
    if not path.exists():
        _write_private(path, new_key())
    prev = data_dir / PREV_FILE
    previous = prev.read_text().strip() if prev.exists() else None
    return path.read_text().strip(), previous


def rotate(data_dir: Path) -> Path:
    """Keep the current key as the previous one and write a new key; returns the key file."""
    key, _ = nats_keys(data_dir)
    _write_private(data_dir / PREV_FILE, key)
    _write_private(data_dir / KEY_FILE, new_key())
    return data_dir / KEY_FILE


def forget_previous(data_dir: Path) -> bool:
    """After a start that re-encrypted the store: the previous key is no longer needed."""
    prev = data_dir / PREV_FILE
    if prev.exists():
        prev.unlink()
        return True
    return False
