"""Issue 15, finding 3: what leaves the page is an allowlist (extension/src/page-hook/
allowlist.ts). It must keep every field the Brain's normalization reads, or a capture would
silently lose data: the msgspec Structs of services/ingest/onlyfans_types.py say exactly which.
"""

import re

import msgspec
import pytest

from services.ingest.onlyfans_types import ChatRaw, MediaRaw, MessageRaw, UserRaw
from tests.conftest import ROOT

ALLOWLIST = ROOT / "extension" / "src" / "page-hook" / "allowlist.ts"


def shape_fields(name: str) -> set[str]:
    """The field names of `export const <name>: Shape = {…};` in allowlist.ts."""
    text = ALLOWLIST.read_text()
    found = re.search(rf"export const {name}: Shape = \{{(.*?)\}};", text, re.S)
    assert found, f"{name} is not in {ALLOWLIST}"
    return set(re.findall(r"^\s*(\w+):", found.group(1), re.M)) | set(
        re.findall(r"[{,]\s*(\w+):", found.group(1))
    )


@pytest.mark.parametrize(
    ("shape", "struct"),
    [("USER", UserRaw), ("MEDIA", MediaRaw), ("MESSAGE", MessageRaw), ("CHAT", ChatRaw)],
)
def test_the_allowlist_keeps_every_field_normalization_reads(
    shape: str, struct: type[msgspec.Struct]
) -> None:
    read = {field.encode_name for field in msgspec.structs.fields(struct)}
    kept = shape_fields(shape)
    assert read <= kept, f"{shape} drops {sorted(read - kept)}, which ingest reads"


def test_the_allowlist_holds_no_credential_field() -> None:
    every = set().union(*(shape_fields(s) for s in ("USER", "MEDIA", "MESSAGE", "CHAT", "SEND")))
    credentials = re.compile(r"token|sign|auth|csrf|sess|password|policy|key|secret|cookie", re.I)
    assert not [field for field in every if credentials.search(field)]
