"""Hypothesis strategies for malformed and adversarial socket frames.

A case starts from a valid frame of either role (so every field of every inbound type is a
target) and breaks it: a wrong type for one field, a field removed, an unknown field added, an
unknown `type`, a huge string, deep nesting, NaN/Infinity, numbers out of range, lone
surrogates, truncation, invalid UTF-8 (binary frames), non-JSON, arbitrary JSON, or a frame
above `OFCA_MAX_FRAME_BYTES`. Large values are built from drawn sizes, not drawn byte by byte,
so generation stays cheap. A batch may end with a closer: a frame above the hard limit (1009) or
a text frame that is not UTF-8 (1007). Besides the drawn batches, a deterministic sweep gives
every field of every inbound type a value of every JSON type, and removes it.
"""

import copy
import json
from dataclasses import dataclass
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

JsonObj = dict[str, Any]
Path = tuple[str | int, ...]

MAX_FRAME = 64 * 1024  # OFCA_MAX_FRAME_BYTES of the fuzzed gateway
HARD_FRAME = 256 * 1024  # OFCA_HARD_FRAME_BYTES of the fuzzed gateway
ROLES = ("agent", "analyst")

TEMPLATES: dict[str, JsonObj] = {
    "cache_update": {
        "type": "cache_update",
        "ref": "snap:0",
        "payload": {
            "snapshot_id": "snap",
            "part": 0,
            "parts": 1,
            "chats": [{"withUser": {"id": 400001, "name": "fan"}, "unreadMessagesCount": 1}],
            "messages": [{"id": 5100000000001, "chatId": 400001, "text": "<p>hi</p>", "price": 0}],
        },
    },
    "new_raw_message": {
        "type": "new_raw_message",
        "ref": "m:400001:5100000000002",
        "payload": {
            "chatId": 400001,
            "source": "websocket",
            "message": {"id": 5100000000002, "fromUser": {"id": 400001}, "text": "hey"},
        },
    },
    "command_result": {
        "type": "command_result",
        "ref": "r:c1",
        "payload": {"commandId": "c1", "status": "sent", "detail": {"messageId": 7}},
    },
    "keepalive": {"type": "keepalive", "payload": {}, "ref": "k"},
    "send_command": {
        "type": "send_command",
        "ref": "sc:1",
        "payload": {
            "command": {
                "commandId": "cmd-1",
                "userId": "100000001",
                "chatId": 400001,
                "text": "thanks!",
                "price": 5.5,
                "mediaIds": [1, "2"],
                "origin": "analyst",
                "createdAt": "2025-01-01T00:00:00Z",
            },
            "draftId": "d-1",
        },
    },
}


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path to a value inside `value` (the root excluded)."""
    out: list[Path] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, child in items:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


def _get(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(frame: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    _get(frame, path[:-1])[path[-1]] = new
    return frame


def _delete(frame: Any, path: Path) -> Any:
    parent = _get(frame, path[:-1])
    del parent[path[-1]]
    return frame


PATHS: dict[str, list[Path]] = {name: _paths(t) for name, t in TEMPLATES.items()}
CONTAINERS: dict[str, list[Path]] = {
    name: [(), *(p for p in PATHS[name] if isinstance(_get(t, p), dict))]
    for name, t in TEMPLATES.items()
}


# A placeholder string swapped for raw JSON text after encoding (NaN, 1e400, deep nesting...).
HOLE = "\x00hole\x00"
HOLE_JSON = json.dumps(HOLE)


def _encode(frame: Any, raw: str | None = None) -> bytes:
    """JSON with every non-ASCII character escaped: valid UTF-8 whatever the strings hold
    (lone surrogates become `\\udXXX` escapes, which is the point of some cases)."""
    text = json.dumps(frame, allow_nan=True)
    if raw is not None:
        text = text.replace(HOLE_JSON, raw, 1)
    return text.encode()


@dataclass(frozen=True)
class Case:
    """One frame to send: `binary` frames carry bytes as they are; `closes` is the close code a
    closer must get (None: an ordinary frame, answered or, for a keepalive, not)."""

    role: str
    kind: str
    data: bytes
    binary: bool = False
    closes: int | None = None

    def describe(self) -> str:
        head = self.data[:160]
        return f"{self.kind} ({self.role}, {len(self.data)} B, binary={self.binary}): {head!r}"


_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=8,
)
wrong_values = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 2**63, -(2**63) - 1, 1.5, "", "x", [], {}, [None]]),
    json_values,
)
raw_numbers = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 30, "9" * 5000, "1e-400", "-0"]
)
roles = st.sampled_from(ROLES)
templates = st.sampled_from(sorted(TEMPLATES))


@st.composite
def field_mutation(draw: st.DrawFn) -> Case:
    """One field of a valid frame broken: wrong type, removed, raw number, huge or deep."""
    name = draw(templates)
    path = draw(st.sampled_from(PATHS[name]))
    frame = copy.deepcopy(TEMPLATES[name])
    how = draw(
        st.sampled_from(["wrong_type", "missing", "raw_number", "huge", "deep", "surrogate"])
    )
    raw: str | None = None
    if how == "wrong_type":
        frame = _set(frame, path, draw(wrong_values))
    elif how == "missing":
        frame = _delete(frame, path)
    elif how == "raw_number":
        frame, raw = _set(frame, path, HOLE), draw(raw_numbers)
    elif how == "huge":
        # Escaped sizes: 1, 6 and 12 bytes; some land above MAX_FRAME, none above HARD_FRAME.
        budget = draw(st.integers(min_value=1_000, max_value=MAX_FRAME + 16_000))
        char = draw(st.sampled_from(["x", "\u00e9", "\U0001f600"]))
        frame = _set(frame, path, char * (budget // len(json.dumps(char)[1:-1])))
    elif how == "deep":
        depth = draw(st.integers(min_value=64, max_value=10_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        frame, raw = _set(frame, path, HOLE), opener * depth + "1" + closer * depth
    else:
        frame = _set(frame, path, "\ud800" + draw(st.text(max_size=4)))
    return Case(draw(roles), f"{how}:{name}:{'.'.join(map(str, path))}", _encode(frame, raw))


@st.composite
def envelope_mutation(draw: st.DrawFn) -> Case:
    """The envelope broken: unknown `type`, unknown fields, a frame of the other role."""
    name = draw(templates)
    frame = copy.deepcopy(TEMPLATES[name])
    how = draw(st.sampled_from(["unknown_type", "extra_field", "as_is", "duplicate_type"]))
    if how == "unknown_type":
        frame["type"] = draw(
            st.text(max_size=40) | st.sampled_from(["", "KEEPALIVE", "ingest_ack"])
        )
    elif how == "extra_field":
        where = draw(st.sampled_from(CONTAINERS[name]))
        key = draw(st.text(min_size=1, max_size=10) | st.sampled_from(["type", "__proto__"]))
        _get(frame, where)[key] = draw(json_values)
    elif how == "duplicate_type":
        other = draw(templates)
        text = _encode(frame).decode("utf-8", "surrogatepass")
        data = text[:-1] + f', "type": {json.dumps(other)}}}'
        return Case(draw(roles), f"duplicate_type:{name}->{other}", data.encode())
    return Case(draw(roles), f"{how}:{name}", _encode(frame))


@st.composite
def raw_garbage(draw: st.DrawFn) -> Case:
    """Bytes that are not an envelope at all."""
    name = draw(templates)
    valid = _encode(TEMPLATES[name])
    how = draw(
        st.sampled_from(
            ["text", "binary", "bad_utf8_binary", "truncated", "json_value", "deep_frame", "empty"]
        )
    )
    if how == "text":
        return Case(draw(roles), how, draw(st.text(max_size=200)).encode())
    if how == "binary":
        return Case(draw(roles), how, draw(st.binary(max_size=200)), binary=True)
    if how == "bad_utf8_binary":
        at = draw(st.integers(min_value=0, max_value=len(valid)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80"]))
        return Case(draw(roles), f"{how}:{name}", valid[:at] + bad + valid[at:], binary=True)
    if how == "truncated":
        at = draw(st.integers(min_value=0, max_value=len(valid) - 1))
        return Case(draw(roles), f"{how}:{name}", valid[:at])
    if how == "json_value":
        return Case(draw(roles), how, _encode(draw(json_values)))
    if how == "deep_frame":
        depth = draw(st.integers(min_value=1_000, max_value=10_000))
        return Case(draw(roles), how, b"[" * depth + b"]" * depth)
    return Case(draw(roles), how, b"")


@st.composite
def oversize(draw: st.DrawFn) -> Case:
    """A frame above `OFCA_MAX_FRAME_BYTES` but below the hard limit: `frame_too_large`."""
    frame = copy.deepcopy(TEMPLATES[draw(templates)])
    size = draw(st.integers(min_value=MAX_FRAME + 1, max_value=MAX_FRAME + 64_000))
    frame["ref"] = "r" * size
    return Case(draw(roles), "oversize", _encode(frame), binary=draw(st.booleans()))


@st.composite
def closer(draw: st.DrawFn, code: int) -> Case:
    """A frame the WebSocket layer itself refuses by closing the socket with `code`."""
    role = draw(roles)
    if code == 1009:
        size = draw(st.integers(min_value=HARD_FRAME + 1, max_value=HARD_FRAME + 64_000))
        data = b'{"type":"keepalive","ref":"' + b"r" * size + b'"}'
        return Case(role, "above_hard_limit", data, closes=1009)
    valid = _encode(TEMPLATES[draw(templates)])
    at = draw(st.integers(min_value=0, max_value=len(valid)))
    bad = draw(st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80"]))
    return Case(role, "bad_utf8_text", valid[:at] + bad + valid[at:], closes=1007)


frame_cases = st.one_of(
    field_mutation(),
    field_mutation(),
    field_mutation(),
    envelope_mutation(),
    envelope_mutation(),
    raw_garbage(),
    raw_garbage(),
)


@dataclass(frozen=True)
class Batch:
    """Frames for one socket of `role`, pipelined, then maybe one closer."""

    role: str
    cases: list[Case]
    closer: Case | None


CLOSERS = (None, None, None, None, 1009, None, None, None, None, 1007)  # by batch number


@st.composite
def batches(draw: st.DrawFn, size: int, end: int | None) -> Batch:
    role = draw(roles)
    drawn = draw(st.lists(frame_cases, min_size=size, max_size=size))
    for big in draw(st.lists(oversize(), max_size=2)):  # a few: they are big
        drawn[draw(st.integers(min_value=0, max_value=size - 1))] = big
    cases = [Case(role, c.kind, c.data, c.binary) for c in drawn]
    last = None
    if end is not None:
        c = draw(closer(end))
        last = Case(role, c.kind, c.data, c.binary, c.closes)
    return Batch(role, cases, last)


# The sweep: every field of every inbound type, each replaced by one value of every JSON type
# (and removed), from the role that may send the type. Deterministic, so no field is left to
# chance.
SWEEP_VALUES: list[Any] = [None, True, 0, -1, 2**64, 1.5, "", "x" * 300, [], [1], {}, {"a": 1}]
NATURAL_ROLE = {
    "cache_update": ("agent",),
    "new_raw_message": ("agent",),
    "command_result": ("agent",),
    "keepalive": ("agent", "analyst"),
    "send_command": ("analyst",),
}


def sweep_batches(size: int) -> list[Batch]:
    out: dict[str, list[Case]] = {role: [] for role in ROLES}
    for name, template in TEMPLATES.items():
        for path in PATHS[name]:
            variants = [_delete(copy.deepcopy(template), path)]
            variants += [_set(copy.deepcopy(template), path, v) for v in SWEEP_VALUES]
            for role in NATURAL_ROLE[name]:
                kind = f"sweep:{name}:{'.'.join(map(str, path))}"
                out[role] += [Case(role, kind, _encode(v)) for v in variants]
    return [
        Batch(role, cases[i : i + size], None)
        for role, cases in out.items()
        for i in range(0, len(cases), size)
    ]


def draw_batches(count: int, size: int, seed: int = 0) -> list[Batch]:
    """`count` batches of `size` frames drawn by hypothesis (no shrinking, no database), one in
    five ending with a closer (1009 and 1007 in turn); the same ones every run unless `seed`."""
    out: list[Batch] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=not seed,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        out.append(data.draw(batches(size, CLOSERS[len(out) % len(CLOSERS)])))

    (hypothesis.seed(seed)(collect) if seed else collect)()
    return out
