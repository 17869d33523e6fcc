"""The build context: .dockerignore keeps local state out and what the build copies in."""

import re

import pytest

from tests.deploy.compose_files import (
    DOCKERIGNORE,
    LOCAL_STATE,
    ROOT,
    STAGES,
)

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
