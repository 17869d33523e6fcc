"""compose.yaml: which services run, the image each is built from, and how they start."""

import pytest

from ofca.cli import SERVICES as CLI_SERVICES
from tests.deploy.compose_files import (
    COMPOSE,
    NATS_URL,
    ROOT,
    SERVICES,
    STAGES,
    environment,
    exec_form,
    last,
    service,
)

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


@pytest.mark.parametrize("name", SERVICES)
def test_compose_keeps_the_image_healthcheck(name: str) -> None:
    check = service(name).get("healthcheck") or {}
    assert not check.get("disable"), f"{name}: healthcheck disabled in compose.yaml"
    assert check.get("test") not in (["NONE"], "NONE")
