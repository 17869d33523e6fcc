"""Every rendered object is valid against the Kubernetes JSON schemas of its kind (strict:
unknown fields are errors), for the oldest and the newest Kubernetes the manifests support.

The schemas come from the `kubernetes-validate` package (a dev dependency), read offline.
"""

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from tests.deploy.k8s_files import KUSTOMIZATIONS, rendered

# 1.28 added the pod-index label the partitioned StatefulSets read; 1.30 is the oldest
# version validated here, 1.37 the newest the package has.
VERSIONS = ["1.30", "1.37"]
SCHEMAS = files("kubernetes_validate") / "kubernetes-json-schema"


@cache
def definitions(version: str) -> Resource[Any]:
    text = (SCHEMAS / f"v{version}.0-local-strict" / "_definitions.json").read_text()
    return Resource.from_contents(json.loads(text))


@cache
def validator(version: str, kind: str, api_version: str) -> jsonschema.Draft202012Validator:
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)  # apps/v1 -> apps-v1
    path = SCHEMAS / f"v{version}.0-local-strict" / f"{kind.lower()}-{group}.json"
    assert path.is_file(), f"no schema for {kind} {api_version} in Kubernetes {version}"
    schema = json.loads(path.read_text())
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = definitions(version) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_object_is_valid_for_its_kind(which: str, version: str) -> None:
    problems = []
    for obj in rendered(which):
        for error in validator(version, obj["kind"], obj["apiVersion"]).iter_errors(obj):
            where = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"{obj['kind']}/{obj['metadata']['name']} {where}: {error.message}")
    assert not problems, "\n".join(problems)


def test_schemas_catch_a_misspelled_field() -> None:
    """The check is strict: a field Kubernetes does not know fails it."""
    deployment = next(o for o in rendered("base") if o["kind"] == "Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    assert list(validator(VERSIONS[-1], "Deployment", "apps/v1").iter_errors(broken))
