"""docs/asyncapi.json: what `contracts/asyncapi.py` generates, a valid AsyncAPI 3.0 document,
and a description of every subject family of `contracts/subjects.py`."""

import inspect
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from contracts import subjects
from contracts.asyncapi import ASYNCAPI_PATH, asyncapi_document, event_kinds, rendered

SCHEMA = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json"

# One example of every subject contracts/subjects.py builds (its stored forms are filters on
# the same streams). A new builder fails `test_every_subject_builder_has_an_example` until it
# is added here, and then the document must describe its subjects.
EXAMPLES = {
    "agent_in": [subjects.agent_in("300000")],
    "events": [
        subjects.events("300000", k) for k in ("snapshot", "delta", "control", "enrichment")
    ],
    "commands": [subjects.commands("300000", k) for k in ("request", "result", "lifecycle")],
    "bridge": [subjects.bridge("300000")],
    "agent_user": [subjects.agent_user("300000")],
    "agent_all": [subjects.agent_all("300000")],
    "rpc": [
        subjects.rpc("graph", "full_sync", "300000"),
        subjects.rpc("graph", "chats", "300000"),
        subjects.rpc("command", "list", "300000"),
    ],
    "control": [subjects.control(s, "replay") for s in ("ingest", "graph", "enrichment")]
    + [subjects.control(s, "forget") for s in ("ingest", "command")],
}
NOT_BUILDERS = {"partition_of", "check_user_id", "user_of"}


@cache
def document() -> dict[str, Any]:
    return dict(json.loads(ASYNCAPI_PATH.read_text()))


def test_committed_document_matches_the_code() -> None:
    assert ASYNCAPI_PATH.read_text() == rendered(), "run `python -m contracts.asyncapi`"


def test_document_is_valid_asyncapi_3() -> None:
    schema = json.loads(SCHEMA.read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(document()))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]


def test_every_reference_resolves() -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    found = refs(document())
    assert found
    for ref in found:
        node: Any = document()
        for raw in ref.removeprefix("#/").split("/"):
            part = raw.replace("~1", "/").replace("~0", "~").replace("%7B", "{").replace("%7D", "}")
            assert part in node, f"{ref} does not resolve"
            node = node[part]


def address_pattern(address: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{\w+\\}", r"[A-Za-z0-9_-]+", re.escape(address)))


def test_every_subject_builder_has_an_example() -> None:
    builders = {
        name
        for name, f in inspect.getmembers(subjects, inspect.isfunction)
        if f.__module__ == subjects.__name__
        and name not in NOT_BUILDERS
        and not name.endswith("_stored")
    }
    assert builders == set(EXAMPLES)


@pytest.mark.parametrize("subject", [s for examples in EXAMPLES.values() for s in examples])
def test_every_subject_has_a_channel(subject: str) -> None:
    addresses = [c["address"] for c in document()["channels"].values() if c.get("address")]
    matching = [a for a in addresses if address_pattern(a).fullmatch(subject)]
    assert matching, f"no channel describes {subject}"


def test_every_address_parameter_is_described() -> None:
    for key, channel in document()["channels"].items():
        names = set(re.findall(r"{(\w+)}", channel.get("address") or ""))
        assert names == set(channel.get("parameters", {})), key


def test_event_batches_name_and_describe_every_event_kind() -> None:
    channel = document()["channels"]["events"]
    (message_ref,) = (m["$ref"] for m in channel["messages"].values())
    message = document()["components"]["messages"][message_ref.rsplit("/", 1)[1]]
    payload = document()["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
    assert payload["type"] == "array"
    assert all(f"`{kind}`" in payload["description"] for kind in event_kinds())
    tags = set()
    for option in payload["items"]["anyOf"]:
        schema = document()["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
        tags.add(schema["properties"]["kind"]["enum"][0])
    assert tags == set(event_kinds())


def test_request_reply_subjects_describe_their_reply() -> None:
    operations = document()["operations"]
    for key in ("agent_user", "rpc_graph", "rpc_graph_full_sync", "rpc_command", "ctl_replay"):
        reply = operations[key]["reply"]
        channel = document()["channels"][reply["channel"]["$ref"].rsplit("/", 1)[1]]
        assert channel["address"] is None, "a reply goes to the requester's inbox"


def test_generation_is_deterministic() -> None:
    assert asyncapi_document() == asyncapi_document()
