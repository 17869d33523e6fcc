"""requirements-dev.lock and requirements.lock: what ./dev, CI and the images install.

A fresh machine must install exactly what was tested, so every dependency pyproject.toml names
is pinned in the lock, with hashes, at a version its specifier allows; the images' runtime lock
agrees with the development lock. `just lock` rewrites both; these tests say when someone
changed pyproject.toml and forgot to.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)")


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """Canonical name -> (version, number of hashes) of each pinned entry of a lock file."""
    entries: dict[str, tuple[str, int]] = {}
    name = ""
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match["name"])
            entries[name] = (match["version"], 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = entries[name]
            entries[name] = (version, hashes + 1)
    return entries


DEV = pins(ROOT / "requirements-dev.lock")
RUNTIME = pins(ROOT / "requirements.lock")
BUILD = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
RUNTIME_REQS = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV_REQS = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]


@pytest.mark.parametrize("req", RUNTIME_REQS + DEV_REQS + BUILD, ids=str)
def test_every_declared_dependency_is_pinned_in_the_dev_lock_within_its_range(
    req: Requirement,
) -> None:
    name = canonicalize_name(req.name)
    assert name in DEV, f"{req} is not in requirements-dev.lock: run `just lock`"
    version, _ = DEV[name]
    assert req.specifier.contains(version, prereleases=True), (
        f"requirements-dev.lock pins {name}=={version}, outside {req}: run `just lock`"
    )


@pytest.mark.parametrize("req", RUNTIME_REQS + BUILD, ids=str)
def test_the_image_lock_pins_runtime_and_build_dependencies_at_the_dev_lock_versions(
    req: Requirement,
) -> None:
    name = canonicalize_name(req.name)
    assert name in RUNTIME, f"{req} is not in requirements.lock: run `just lock`"
    assert RUNTIME[name][0] == DEV[name][0]


def test_the_image_lock_is_a_subset_of_the_dev_lock_at_the_same_versions() -> None:
    differ = {n: (v, DEV.get(n, ("absent",))[0]) for n, (v, _) in RUNTIME.items()}
    assert {n: d for n, d in differ.items() if d[0] != d[1]} == {}


def test_every_pinned_package_carries_hashes() -> None:
    for lock in (DEV, RUNTIME):
        assert lock, "a lock file has no pins"
        assert [n for n, (_, hashes) in lock.items() if hashes == 0] == []


def test_dev_tools_are_not_in_the_image_lock() -> None:
    assert {"pytest", "mypy", "ruff", "uv"} & RUNTIME.keys() == set()
