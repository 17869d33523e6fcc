"""Secrets come from the environment, and every OFCA_ variable is documented."""

import re

import pytest

from tests.deploy.compose_files import (
    COMPOSE,
    COMPOSE_SERVICES,
    CONFIG_DOC,
    REQUIRED_FROM_ENV,
    SECRETISH,
    STAGES,
    env_of,
    environment,
    service,
)

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
