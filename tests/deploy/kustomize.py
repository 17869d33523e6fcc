"""The subset of kustomize that deploy/k8s uses, so CI renders the manifests without kubectl.

A kustomization may use `resources` (files or directories with their own kustomization),
`namespace`, `images` and `patches` given by `path` (strategic-merge patches naming their
target by kind and name). Anything else fails loudly instead of rendering something kustomize
would not: teach this module first. When a `kubectl` is on PATH, `test_k8s_render.py` checks
that this renders exactly what `kubectl kustomize` does.
"""

import copy
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "PriorityClass",
    "StorageClass",
}
# Lists a strategic-merge patch merges item by item, by this key (the Kubernetes API's
# `patchMergeKey` for these fields); other lists of objects are refused.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
}
REPLACED_LISTS = {"command", "args"}  # lists of strings a patch replaces whole


class KustomizeError(Exception):
    """The kustomization uses something this renderer does not implement, or is wrong."""


def load_documents(path: Path) -> list[Obj]:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document:
            raise KustomizeError(f"{path}: not a Kubernetes object: {document!r:.80}")
    return documents


def render(directory: Path) -> list[Obj]:
    """The objects `kubectl kustomize directory` would print (in file order)."""
    kustomization = load_documents(directory / "kustomization.yaml")[0]
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    objects: list[Obj] = []
    for entry in kustomization.get("resources") or []:
        path = (directory / entry).resolve()
        objects += render(path) if path.is_dir() else load_documents(path)
    for patch in kustomization.get("patches") or []:
        apply_patch_file(objects, directory, patch)
    for image in kustomization.get("images") or []:
        set_image(objects, image)
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    return objects


def apply_patch_file(objects: list[Obj], directory: Path, entry: Obj) -> None:
    if set(entry) != {"path"}:
        raise KustomizeError(f"only `patches: - path: FILE` is supported, not {entry}")
    for patch in load_documents(directory / entry["path"]):
        key = (patch["kind"], patch["metadata"]["name"])
        targets = [o for o in objects if (o["kind"], o["metadata"]["name"]) == key]
        if len(targets) != 1:
            raise KustomizeError(f"patch {entry['path']}: {len(targets)} objects match {key}")
        merged = strategic_merge(targets[0], patch, "")
        targets[0].clear()
        targets[0].update(merged)


def strategic_merge(base: Any, patch: Any, field: str) -> Any:
    """`patch` merged into `base` the way `kubectl patch --type strategic` would."""
    if isinstance(patch, dict):
        if "$patch" in patch or any(k.startswith("$") for k in patch):
            raise KustomizeError(f"patch directives are not supported: {sorted(patch)}")
        merged = copy.deepcopy(base) if isinstance(base, dict) else {}
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = strategic_merge(merged.get(key), value, key)
        return merged
    if isinstance(patch, list):
        if field in REPLACED_LISTS:
            return copy.deepcopy(patch)
        if field not in MERGE_KEYS:
            raise KustomizeError(f"a patch of the list `{field}` is not supported")
        key = MERGE_KEYS[field]
        merged_list = copy.deepcopy(base) if isinstance(base, list) else []
        for item in patch:
            match = [i for i, existing in enumerate(merged_list) if existing[key] == item[key]]
            if match:
                merged_list[match[0]] = strategic_merge(merged_list[match[0]], item, field)
            else:
                merged_list.append(copy.deepcopy(item))
        return merged_list
    return patch


def pod_spec(obj: Obj) -> Obj | None:
    """The pod template's spec of a workload (None for other kinds)."""
    spec = obj.get("spec") or {}
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def split_image(image: str) -> tuple[str, str]:
    """(name, suffix) where suffix is `:tag`, `@digest` or empty; a registry port is kept."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return name, "@" + digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon:]
    return image, ""


def set_image(objects: list[Obj], entry: Obj) -> None:
    unknown = set(entry) - {"name", "newName", "newTag", "digest"}
    if unknown:
        raise KustomizeError(f"images: unsupported fields {sorted(unknown)}")
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            name, suffix = split_image(container["image"])
            if name != entry["name"]:
                continue
            if "digest" in entry:
                suffix = "@" + entry["digest"]
            elif "newTag" in entry:
                suffix = f":{entry['newTag']}"
            container["image"] = entry.get("newName", name) + suffix
