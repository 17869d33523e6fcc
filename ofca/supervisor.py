"""`ofca up`: NATS, provisioning, the five services as processes, restarts, clean stop."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contracts.runtime.nats import connect
from contracts.runtime.provision import provision
from ofca.nats_key import forget_previous
from ofca.natsd import EmbeddedNats, die_with_parent, embedded_from_env, free_port

SERVICES = ("gateway", "ingest", "graph", "enrichment", "command")
MAX_BACKOFF_S = 30.0


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env, preexec_fn=die_with_parent)  # noqa: PLW1509 - only calls prctl
        self.started_at = time.monotonic()

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    stops_last = False  # stopped after the others, once they no longer need it


class NatsChild(Child):
    """The embedded nats-server, restarted like the services when it dies (same port and data
    directory, so clients reconnect and JetStream recovers its streams); stopped last, after
    the services have saved their state through it."""

    stops_last = True

    def __init__(self, embedded: EmbeddedNats) -> None:
        super().__init__("nats-server", [], {})
        self.embedded = embedded

    def start(self) -> None:
        self.embedded.start(wait=False)
        self.process = self.embedded.process
        self.started_at = time.monotonic()


def say(text: str) -> None:
    print(f"[ofca] {text}", flush=True)  # noqa: T201 - the CLI talks to its user


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def start_all(self) -> None:
        for child in self.children:
            if child.process is None:  # the embedded NATS is already running
                child.start()

    def tick(self) -> None:
        """Restart children that died, with exponential backoff per child."""
        now = time.monotonic()
        for child in self.children:
            if not child.exited() or self.stopping:
                continue
            if child.next_start == 0.0:
                code = child.process.returncode if child.process else None
                backoff = min(MAX_BACKOFF_S, 2.0 ** min(child.restarts, 5))
                if now - child.started_at > 60:
                    backoff, child.restarts = 1.0, 0
                child.next_start = now + backoff
                say(f"{child.name} exited with {code}; restarting in {backoff:.0f}s")
            elif now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                child.start()

    def stop_all(self, timeout: float = 15.0) -> None:
        self.stopping = True
        for last in (False, True):
            group = [c for c in self.children if c.stops_last is last and c.process]
            for child in group:
                if child.process and child.process.poll() is None:
                    child.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for child in group:
                assert child.process is not None
                try:
                    child.process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()


def _service_argv(name: str) -> list[str]:
    return [sys.executable, "-m", "ofca", "service", name]


def build_children(base_env: dict[str, str], nats: EmbeddedNats | None = None) -> list[Child]:
    """The five services; with NATS users (`OFCA_NATS_AUTH=1`) each connects as its own."""
    children = []
    for name in SERVICES:
        env = dict(base_env)
        if nats is not None and nats.passwords is not None:
            env["OFCA_NATS_URL"] = nats.url_for(name)
        if name != "gateway":
            env["OFCA_HEALTH_PORT"] = str(free_port())
        children.append(Child(name, _service_argv(name), env))
    return children


async def provision_streams(url: str, replicas: int) -> list[str]:
    nc = await connect(
        url,
        name="ofca-provision",
        user=os.environ.get("OFCA_NATS_USER"),
        password=os.environ.get("OFCA_NATS_PASSWORD"),
    )
    try:
        return await provision(nc.jetstream(), replicas)
    finally:
        await nc.close()


@dataclass(frozen=True)
class SimulatorDemo:
    """The OnlyFans simulator `--demo` runs for trying the real extension (its own creator)."""

    creator: str
    agent_token: str
    analyst_token: str


def start_simulator(
    supervisor: "Supervisor", env: dict[str, str], sim: SimulatorDemo, brain: str, base_url: str
) -> None:
    """Run `tools.ofsite` and say how to point Chromium and the extension at it."""
    sim_port = int(env.get("OFCA_SIM_PORT") or free_port())
    argv = [sys.executable, "-m", "tools.ofsite", "--port", str(sim_port)]
    argv += ["--creator", sim.creator, "--chats", "40"]
    child = Child("ofsite", argv, dict(env))
    supervisor.children.append(child)
    child.start()
    say(
        f"OnlyFans simulator for the extension: https://onlyfans.com -> 127.0.0.1:{sim_port}; "
        f"run: chromium --load-extension=extension/dist "
        f"--host-resolver-rules='MAP onlyfans.com 127.0.0.1:{sim_port}' "
        "--ignore-certificate-errors https://onlyfans.com/my/chats/"
    )
    say(f"extension options: brainUrl {brain}, agentToken {sim.agent_token}")
    say(f"dashboard for the simulator's creator: {base_url}/?token={sim.analyst_token}")


def start_embedded_nats(data_dir: Path) -> EmbeddedNats:
    """nats-server with JetStream, its store encrypted at rest (`ofca/nats_key.py`)."""
    embedded = embedded_from_env(data_dir)
    embedded.start()
    sealed = "encrypted at rest" if embedded.encryption_key else "NOT encrypted at rest"
    users = ", a user per service" if embedded.passwords else ""
    where = f"data in {embedded.store_dir}, {sealed}{users}"
    say(f"nats-server with JetStream on {embedded.url} ({where})")
    if embedded.prev_key is not None and forget_previous(data_dir):
        say("the store is re-encrypted with the new key; the previous key file is deleted")
    return embedded


def wait_ready(base_url: str, within_s: float = 60.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def up(
    data_dir: Path,
    secret: str,
    demo_user: str | None,
    dashboard_token: str | None,
    simulator: SimulatorDemo | None = None,
) -> int:
    """Run the whole stack in the foreground until SIGINT/SIGTERM; returns the exit code."""
    env = dict(os.environ)
    embedded: EmbeddedNats | None = None
    if not env.get("OFCA_NATS_URL"):
        embedded = start_embedded_nats(data_dir)
        env["OFCA_NATS_URL"] = embedded.url_for("admin")
    replicas = int(env.get("OFCA_STREAM_REPLICAS", "1"))
    for line in asyncio.run(provision_streams(env["OFCA_NATS_URL"], replicas)):
        say(line)
    env.update(OFCA_SECRET=secret, OFCA_DATA_DIR=str(data_dir))
    env.setdefault("OFCA_LOG_FORMAT", "console")
    host = env.get("OFCA_GATEWAY_HOST", "127.0.0.1")
    port = env.get("OFCA_GATEWAY_PORT", "8000")
    base_url = f"http://{host}:{port}"
    demo_argv = None
    if demo_user is not None:
        demo_argv = [sys.executable, "-m", "ofca", "demo-agent", "--url", f"ws://{host}:{port}"]
        demo_argv += ["--user", demo_user]
    supervisor = Supervisor(build_children(env, embedded))
    if embedded is not None:  # started and healthy above; from now on supervised
        nats_child = NatsChild(embedded)
        nats_child.process, nats_child.started_at = embedded.process, time.monotonic()
        supervisor.children.insert(0, nats_child)
    stop = {"now": False}

    def on_signal(_sig: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    supervisor.start_all()
    try:
        if wait_ready(base_url):
            link = f"{base_url}/?token={dashboard_token}" if dashboard_token else base_url
            say(f"dashboard: {link}")
        else:
            say(f"the gateway is not ready yet at {base_url}; still trying")
        if demo_argv is not None:  # once the gateway answers, so the demo starts cleanly
            demo = Child("demo-agent", demo_argv, dict(env))
            supervisor.children.append(demo)
            demo.start()
        if simulator is not None:
            start_simulator(supervisor, env, simulator, f"ws://{host}:{port}", base_url)
        while not stop["now"]:
            supervisor.tick()
            time.sleep(0.2)
    finally:
        say("stopping")
        supervisor.stop_all()
    return 0
