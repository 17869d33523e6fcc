"""Dockerfile targets: the base install, the user, the environment, ports and healthchecks."""

import re
import tomllib
from pathlib import Path

import pytest

from tests.deploy.compose_files import (
    PROBED,
    ROOT,
    SERVICES,
    env_of,
    exposed_ports,
    healthcheck_command,
    last,
    lineage,
    published_ports,
)


def test_base_installs_the_project_without_dev_extras() -> None:
    base = lineage("gateway")[0]
    assert base.parent.startswith("python:3.11-slim")
    runs = " ".join(args for kw, args in base.instructions if kw == "RUN")
    # The locked runtime set, hash-checked, then the project alone (its dependencies are locked).
    assert re.search(r"pip install --no-cache-dir --require-hashes -r requirements\.lock", runs)
    assert re.search(r"pip install --no-cache-dir --no-deps --no-build-isolation \.(\s|$)", runs)
    assert "[dev]" not in runs and "requirements-dev" not in runs
    copied = {Path(w).name for kw, a in base.instructions if kw == "COPY" for w in a.split()[:-1]}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    readme = pyproject["project"]["readme"]
    missing = (packages | {"pyproject.toml", readme, "requirements.lock"}) - copied
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
