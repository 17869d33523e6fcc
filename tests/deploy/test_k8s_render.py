"""deploy/k8s: every file parses, belongs to a kustomization, and renders (as kustomize does)."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.k8s_files import K8S, KUSTOMIZATIONS, rendered, yaml_files
from tests.deploy.kustomize import KustomizeError, render, split_image, strategic_merge


def referenced_files() -> set[Path]:
    """Every file a kustomization under deploy/k8s names, and the kustomizations."""
    files: set[Path] = set()
    for kustomization in K8S.rglob("kustomization.yaml"):
        files.add(kustomization)
        data = yaml.safe_load(kustomization.read_text())
        for entry in data.get("resources") or []:
            files.add((kustomization.parent / entry).resolve())
        for patch in data.get("patches") or []:
            files.add((kustomization.parent / patch["path"]).resolve())
    return files


def test_every_manifest_parses_into_kubernetes_objects() -> None:
    assert yaml_files(), "no manifests under deploy/k8s"
    for path in yaml_files():
        for document in yaml.safe_load_all(path.read_text()):
            assert isinstance(document, dict), f"{path}: a document is not a mapping"
            assert {"apiVersion", "kind"} <= set(document), f"{path}: no apiVersion/kind"


def test_every_manifest_belongs_to_a_kustomization() -> None:
    orphans = [p for p in yaml_files() if p.resolve() not in referenced_files()]
    assert not orphans, f"not in any kustomization: {orphans}"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_kustomization_renders_uniquely_named_objects(which: str) -> None:
    keys = [(o["kind"], o["metadata"]["name"]) for o in rendered(which)]
    assert keys, f"{which} renders nothing"
    assert len(keys) == len(set(keys)), f"{which}: duplicate objects"


def test_overlay_puts_every_namespaced_object_in_its_namespace() -> None:
    for obj in rendered("overlay"):
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == "ofca", obj["metadata"]["name"]
    assert any(
        o["kind"] == "Namespace" and o["metadata"]["name"] == "ofca" for o in rendered("overlay")
    )


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_renderer_agrees_with_kubectl_kustomize(which: str) -> None:
    """Only where a kubectl exists (not in CI): the renderer is checked against the real one."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("no kubectl on PATH")
    result = subprocess.run(
        [kubectl, "kustomize", str(KUSTOMIZATIONS[which])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = [d for d in yaml.safe_load_all(result.stdout) if d]

    def key(obj: dict) -> tuple[str, str]:
        return obj["kind"], obj["metadata"]["name"]

    assert sorted(theirs, key=key) == sorted(rendered(which), key=key)


# --- the renderer itself ---------------------------------------------------------------------


def test_renderer_refuses_a_kustomize_feature_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {a: b}\n")
    with pytest.raises(KustomizeError, match="commonLabels"):
        render(tmp_path)


def test_strategic_merge_merges_containers_and_env_by_name() -> None:
    base = {"containers": [{"name": "a", "image": "x", "env": [{"name": "K", "value": "1"}]}]}
    patch = {
        "containers": [
            {"name": "a", "env": [{"name": "K", "value": "2"}, {"name": "L", "value": "3"}]}
        ]
    }
    merged = strategic_merge(base, patch, "")
    assert merged == {
        "containers": [
            {
                "name": "a",
                "image": "x",
                "env": [{"name": "K", "value": "2"}, {"name": "L", "value": "3"}],
            }
        ]
    }


def test_strategic_merge_refuses_a_list_without_a_known_merge_key() -> None:
    with pytest.raises(KustomizeError, match="tolerations"):
        strategic_merge({}, {"tolerations": [{"key": "a"}]}, "")


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("ofca-gateway", ("ofca-gateway", "")),
        ("nats:2.14-alpine", ("nats", ":2.14-alpine")),
        ("registry:5000/ofca/graph", ("registry:5000/ofca/graph", "")),
        ("registry:5000/ofca/graph:1.0", ("registry:5000/ofca/graph", ":1.0")),
        ("ofca-ingest@sha256:abc", ("ofca-ingest", "@sha256:abc")),
    ],
)
def test_image_references_split_into_name_and_tag(image: str, expected: tuple[str, str]) -> None:
    assert split_image(image) == expected
