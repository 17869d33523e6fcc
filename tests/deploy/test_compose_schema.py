"""compose.yaml is valid against the Compose Specification's JSON schema, and every
long-running container has a healthcheck that what depends on it waits for.

The schema is the compose-spec project's `schema/compose-spec.json` as vendored by the
`check-jsonschema` package (a dev dependency): read offline, never fetched.
"""

import copy
import json
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from tests.deploy.compose_files import COMPOSE_DATA, COMPOSE_SERVICES, SERVICES, service


@cache
def compose_validator() -> jsonschema.protocols.Validator:
    schema_file = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    validator: type[jsonschema.protocols.Validator] = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def problems(data: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in compose_validator().iter_errors(data)
    ]


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    assert not problems(COMPOSE_DATA), "\n".join(problems(COMPOSE_DATA))


def test_the_schema_check_catches_a_misspelled_key() -> None:
    broken = copy.deepcopy(COMPOSE_DATA)
    broken["services"]["gateway"]["depend_on"] = ["nats"]
    assert problems(broken)


def test_nats_has_a_healthcheck_and_provision_waits_for_it() -> None:
    check = service("nats").get("healthcheck") or {}
    assert check.get("test") and not check.get("disable")
    condition = service("provision")["depends_on"]["nats"]["condition"]
    assert condition == "service_healthy"


@pytest.mark.parametrize("name", sorted(COMPOSE_SERVICES))
def test_every_container_is_checked_or_one_shot(name: str) -> None:
    """Long-running containers are health-checked (the services by their image's
    HEALTHCHECK, tests/deploy/test_healthchecks.py); provision runs once and exits."""
    if name in SERVICES:
        return
    if name == "provision":
        assert str(service(name)["restart"]).startswith("on-failure")
        return
    assert service(name).get("healthcheck"), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", sorted(COMPOSE_SERVICES))
def test_every_dependency_names_a_condition_on_a_real_service(name: str) -> None:
    for dependency, spec in (service(name).get("depends_on") or {}).items():
        assert dependency in COMPOSE_SERVICES
        condition = spec["condition"]
        if condition == "service_healthy":
            assert service(dependency).get("healthcheck") or dependency in SERVICES
        assert condition in {"service_healthy", "service_completed_successfully"}, (
            f"{name} waits only for {dependency} to start, not to work"
        )
