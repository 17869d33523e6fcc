"""Shared parsing of the container deployment files: `Dockerfile`, `compose.yaml`.

CI has no Docker engine, so nothing in tests/deploy builds an image or starts a container. The
files are parsed here and checked, by the test modules next to this one, against what
`docker compose up` relies on.
"""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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
