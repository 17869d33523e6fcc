"""deploy/k8s NATS: its config passes `nats-server -t`, agrees with the StatefulSet and its
Services, and really forms a 3-server JetStream cluster that `ofca provision --replicas 3`
(the Job's command) provisions with three replicas: run here from the wheel's nats-server."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.nats_users import SERVICE_USERS, USERS, authorization_block
from ofca.natsd import EmbeddedNats, NatsServerError, free_port, nats_server_binary
from tests.deploy.compose_files import service as compose_service
from tests.deploy.k8s_files import ROOT, container_env, containers, find, port_number
from tests.deploy.kustomize import pod_spec
from tests.deploy.test_nats_config import nats_size

NATS = find("base", "StatefulSet", "nats")
(CONTAINER,) = containers(NATS)
CONFIG_PATH = "/etc/nats/nats.conf"


def config_text() -> str:
    """The nats.conf the container reads: the ConfigMap mounted at /etc/nats."""
    assert CONTAINER["args"] == ["--config", CONFIG_PATH]
    spec = pod_spec(NATS)
    assert spec is not None
    mount = next(m for m in CONTAINER["volumeMounts"] if m["mountPath"] == "/etc/nats")
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    data = find("base", "ConfigMap", volume["configMap"]["name"])["data"]
    return str(data[Path(CONFIG_PATH).name])


def setting(key: str, text: str | None = None) -> str:
    match = re.search(rf"^\s*{key}\s*[:=]\s*(\S+)\s*$", text or config_text(), re.MULTILINE)
    assert match, f"nats.conf sets no {key}"
    return match[1]


def block(name: str) -> str:
    match = re.search(rf"^{name}\s*{{(.*?)^}}", config_text(), re.MULTILINE | re.DOTALL)
    assert match, f"nats.conf has no {name} block"
    return match[1]


# The nats pods' Secrets: the store key and a password per NATS user.
SECRETS_ENV = {"NATS_ENCRYPTION_KEY": "k" * 64, **{u.env_password: f"pw-{u.name}" for u in USERS}}


def binary() -> str:
    try:
        return nats_server_binary()
    except NatsServerError as e:
        pytest.skip(str(e))


def test_config_is_accepted_by_nats_server(tmp_path: Path) -> None:
    conf = tmp_path / "nats.conf"
    conf.write_text(config_text())
    env = {**os.environ, "POD_NAME": "nats-0", **SECRETS_ENV}
    result = subprocess.run(
        [binary(), "--config", str(conf), "-t"],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "is valid" in output, output


def test_server_name_is_the_pod_name() -> None:
    assert setting("server_name") == "$POD_NAME"
    assert container_env("base", NATS, CONTAINER)["POD_NAME"] == {
        "fieldRef": {"fieldPath": "metadata.name"}
    }


def test_max_payload_is_what_the_gateway_expects() -> None:
    expected = EmbeddedNats(store_dir=Path(), port=0, monitor_port=0).max_payload
    assert nats_size(setting("max_payload")) == expected


def test_ports_agree_with_the_container_and_services() -> None:
    assert setting("listen").endswith(":4222") and port_number(CONTAINER, "client") == 4222
    assert setting("http").endswith(":8222") and port_number(CONTAINER, "monitor") == 8222
    assert setting("listen", block("cluster")).endswith(":6222")
    assert port_number(CONTAINER, "cluster") == 6222
    headless = find("base", "Service", NATS["spec"]["serviceName"])
    assert {p["port"] for p in headless["spec"]["ports"]} == {4222, 6222, 8222}
    assert headless["spec"]["publishNotReadyAddresses"] is True, "routes before readiness"


def test_routes_name_every_server_through_the_headless_service() -> None:
    routes = re.findall(r"nats://([\w.-]+):(\d+)", block("cluster"))
    service = NATS["spec"]["serviceName"]
    expected = [(f"nats-{i}.{service}", "6222") for i in range(NATS["spec"]["replicas"])]
    assert routes == expected


def test_jetstream_stores_on_the_claimed_volume_and_stops_before_it_is_full() -> None:
    jetstream = block("jetstream")
    store = setting("store_dir", jetstream)
    mount = next(m for m in CONTAINER["volumeMounts"] if m["mountPath"] == store)
    (claim,) = [
        t for t in NATS["spec"]["volumeClaimTemplates"] if t["metadata"]["name"] == mount["name"]
    ]
    size = claim["spec"]["resources"]["requests"]["storage"]
    assert size.endswith("Gi")
    assert nats_size(setting("max_file_store", jetstream)) < int(size[:-2]) * 1024**3


def test_lame_duck_signal_finds_the_pid_file_on_a_writable_volume() -> None:
    pid_file = setting("pid_file")
    spec = pod_spec(NATS)
    assert spec is not None
    mount = next(
        m for m in CONTAINER["volumeMounts"] if m["mountPath"] == str(Path(pid_file).parent)
    )
    assert any(v["name"] == mount["name"] and "emptyDir" in v for v in spec["volumes"])
    assert CONTAINER["lifecycle"]["preStop"]["exec"]["command"] == [
        "nats-server",
        f"-sl=ldm={pid_file}",
    ]
    lame_duck = nats_duration(setting("lame_duck_duration"))
    assert spec["terminationGracePeriodSeconds"] > lame_duck


def nats_duration(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)", value)
    assert match, value
    return int(match[1]) * (60 if match[2] == "m" else 1)


def test_compose_and_kubernetes_run_the_same_nats_image() -> None:
    assert compose_service("nats")["image"] == CONTAINER["image"]


# --- the cluster, for real -------------------------------------------------------------------


def healthy(monitor_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{monitor_port}/healthz", timeout=1) as r:
            return int(r.status) == 200
    except OSError:
        return False


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[tuple[int, int]]]:
    """The ConfigMap's config on three local servers: (client port, monitor port) each.

    Only what cannot be the same on one machine changes: the ports and the routes (flags,
    which override the file), the store and pid paths (rewritten, since `-sd` would clash).
    """
    servers = NATS["spec"]["replicas"]
    ports = [(free_port(), free_port(), free_port()) for _ in range(servers)]
    routes = ",".join(f"nats://127.0.0.1:{cluster_port}" for _, cluster_port, _ in ports)
    processes = []
    for i, (client, cluster_port, monitor) in enumerate(ports):
        data = tmp_path / f"nats-{i}"
        data.mkdir()
        text = config_text().replace(setting("store_dir", block("jetstream")), str(data))
        text = text.replace(setting("pid_file"), str(data / "nats.pid"))
        (data / "nats.conf").write_text(text)
        argv = [
            binary(),
            "--config",
            str(data / "nats.conf"),
            "-a",
            "127.0.0.1",
            "-p",
            str(client),
            "-m",
            str(monitor),
            "--cluster",
            f"nats://127.0.0.1:{cluster_port}",
            "--routes",
            routes,
        ]
        log = (data / "log").open("w")
        processes.append(
            subprocess.Popen(
                argv,
                env={**os.environ, "POD_NAME": f"nats-{i}", **SECRETS_ENV},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        deadline = time.monotonic() + 30
        while not all(healthy(m) for _, _, m in ports):
            assert time.monotonic() < deadline, "the cluster did not become healthy"
            assert all(p.poll() is None for p in processes), "a server exited"
            time.sleep(0.1)
        yield [(client, monitor) for client, _, monitor in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@pytest.mark.nats
def test_the_cluster_forms_and_provision_creates_r3_streams(cluster: list[tuple[int, int]]) -> None:
    job = find("base", "Job", "provision")
    (container,) = containers(job)
    command = container["command"]
    assert command[0] == "ofca"
    result = subprocess.run(
        [sys.executable, "-m", "ofca", *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "OFCA_NATS_URL": f"nats://127.0.0.1:{cluster[0][0]}",
            "OFCA_NATS_USER": "admin",  # as the Job's env says (Secret ofca-nats-users)
            "OFCA_NATS_PASSWORD": SECRETS_ENV["NATS_PASSWORD_ADMIN"],
        },
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    url = f"http://127.0.0.1:{cluster[1][1]}/jsz?streams=true&config=true"
    with urllib.request.urlopen(url, timeout=5) as response:
        jsz = json.load(response)
    streams = {s["name"]: s for a in jsz["account_details"] for s in a["stream_detail"]}
    assert {"AGENT_IN", "EVENTS", "COMMANDS"} <= set(streams)
    for name, stream in streams.items():
        assert stream["config"]["num_replicas"] == len(cluster), name


def test_the_store_is_encrypted_with_the_key_of_a_secret() -> None:
    assert re.search(r"cipher:\s*chachapoly", config_text())
    assert re.search(r"key:\s*\$NATS_ENCRYPTION_KEY", config_text())
    assert container_env("base", NATS, CONTAINER)["NATS_ENCRYPTION_KEY"] == {
        "secretKeyRef": {"name": "ofca-nats-key", "key": "key"}
    }


def test_every_service_connects_as_its_own_nats_user() -> None:
    assert authorization_block() in config_text(), "the users differ from contracts/nats_users.py"
    workloads = [("Deployment", "gateway")]
    workloads += [("StatefulSet", u.name) for u in SERVICE_USERS if u.name != "gateway"]
    for kind, name in [*workloads, ("Job", "provision")]:
        obj = find("base", kind, name)
        env = container_env("base", obj, containers(obj)[0])
        assert env["OFCA_NATS_USER"] == ("admin" if name == "provision" else name), name
        assert env["OFCA_NATS_PASSWORD"] == {
            "secretKeyRef": {"name": "ofca-nats-users", "key": env["OFCA_NATS_USER"]}
        }
    for user in USERS:
        assert container_env("base", NATS, CONTAINER)[user.env_password] == {
            "secretKeyRef": {"name": "ofca-nats-users", "key": user.name}
        }
