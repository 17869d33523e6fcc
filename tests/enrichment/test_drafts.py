"""Reply drafts: retrieval, adaptation, templates, safety, the drafter's source order, and the
optional model path against a real local HTTP server that speaks the OpenAI chat API."""

import asyncio
import contextlib
import json
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofca.natsd import free_port
from services.enrichment.drafts import llm as llm_mod
from services.enrichment.drafts import templates
from services.enrichment.drafts.adapt import adapt, replace_name, skip_reason
from services.enrichment.drafts.drafter import (
    GENERIC_CONFIDENCE,
    TEMPLATE_CONFIDENCE,
    Drafter,
)
from services.enrichment.drafts.llm import LlmDrafter, build_messages
from services.enrichment.drafts.retrieval import STOPWORDS, ReplyIndex, terms, tokenize
from services.enrichment.drafts.safety import SafetyPolicy, check
from services.enrichment.nlp.taxonomy import (
    COMPLAINT,
    CONTENT_REQUEST,
    GREETING,
    PRICING,
    TIP,
    TOPICS,
)

POLICY = SafetyPolicy()


# --- retrieval -------------------------------------------------------------------------------


def test_tokenize_lowercases_strips_punctuation_keeps_emoji() -> None:
    assert tokenize("Don't STOP, babe!!! 😍😍 🔥") == ["dont", "stop", "babe", "😍", "😍", "🔥"]
    assert tokenize("so hot 👍🏽") == ["so", "hot", "👍"]  # the skin-tone modifier is dropped
    weights = terms("send me more pics 😍")
    assert "me" in STOPWORDS
    assert set(weights) == {"send", "more", "pics", "😍", "send more", "more pics", "pics 😍"}


def test_query_finds_the_reply_to_a_similar_message() -> None:
    idx = ReplyIndex()
    idx.add("good morning gorgeous", "Morning sunshine ☀️ did you sleep well?", 1)
    idx.add("how much for a custom video", "Tell me what you have in mind and I'll price it 😘", 2)
    idx.add("you look amazing in red", "Red is my favourite colour on me 😏", 3)
    idx.add("can you send more feet pics", "Mmm I have a whole set just for you 🦶", 4)
    best = idx.query("how much would a custom video be?", k=2)
    assert best[0].reply.startswith("Tell me what you have in mind")
    assert best[0].fan_text == "how much for a custom video"
    assert 0.35 < best[0].score <= 1.0
    assert all(0.0 < m.score <= 1.0 for m in best)
    assert idx.query("Good morning gorgeous")[0].score == pytest.approx(1.0)
    assert idx.query("completely unrelated words xyzzy") == []
    assert len(idx) == 4


def test_short_empty_replies_and_empty_fan_texts_are_ignored() -> None:
    idx = ReplyIndex()
    idx.add("hey", "ok", 1)
    idx.add("hey", "😘", 2)
    idx.add("hey", "   ", 3)
    idx.add("?!", "a real reply here", 4)  # nothing indexable on the fan side
    assert len(idx) == 0
    idx.add("hey", "hey you 😘", 5)
    assert len(idx) == 1


def test_duplicate_replies_are_returned_once_and_ties_go_to_newer() -> None:
    idx = ReplyIndex()
    idx.add("hey babe", "Hey you 😘", 1)
    idx.add("hey babe", "hey   you 😘", 2)
    idx.add("hey babe", "Hi handsome 💕", 3)
    got = idx.query("hey babe", k=3)
    assert [m.reply for m in got] == ["Hi handsome 💕", "hey   you 😘"]


def test_eviction_drops_the_oldest_and_idf_matches_a_fresh_index() -> None:
    pairs = [
        ("red dress tonight", "You'll love the red one 😍", 1),
        ("blue dress pics", "Blue is so me 💙", 2),
        ("red lingerie set", "The lace one? 😏", 3),
        ("gym pics please", "Just got back from the gym 💪", 4),
        ("red shoes or blue shoes", "Both, obviously 👠", 5),
    ]
    idx = ReplyIndex(capacity=3)
    for fan, reply, at in pairs:
        idx.add(fan, reply, at)
    fresh = ReplyIndex(capacity=3)
    for fan, reply, at in pairs[2:]:
        fresh.add(fan, reply, at)
    assert len(idx) == 3
    assert idx.document_frequency("dress") == 0  # only in the evicted pairs
    assert idx.document_frequency("red dress") == 0
    assert idx.document_frequency("red") == fresh.document_frequency("red") == 2
    assert idx.vocabulary_size == fresh.vocabulary_size
    for q in ["red dress", "blue shoes", "gym", "red lingerie pics", "pics"]:
        a, b = idx.query(q, k=3), fresh.query(q, k=3)
        assert [m.reply for m in a] == [m.reply for m in b]
        assert [m.score for m in a] == pytest.approx([m.score for m in b], abs=1e-12)
    assert all("dress" not in m.fan_text for m in idx.query("red dress blue dress", k=3))


def test_eviction_is_by_at_ms_not_arrival() -> None:
    idx = ReplyIndex(capacity=2)
    idx.add("new message one", "newest reply here", 300)
    idx.add("old message two", "older reply here", 100)
    idx.add("middle message three", "middle reply here", 200)  # evicts at_ms=100
    assert {m.reply for m in idx.query("message", k=5)} == {
        "newest reply here",
        "middle reply here",
    }
    idx.add("ancient message", "ancient reply here", 50)  # older than all: not added
    assert len(idx) == 2
    assert idx.document_frequency("ancient") == 0


def _reference_scores(pairs: list[tuple[str, str]], query: str) -> dict[str, float]:
    """Brute-force TF-IDF cosine over the pairs, same formulas, no incremental state."""
    docs = [terms(fan) for fan, _ in pairs]
    n = len(docs)
    df = Counter(t for d in docs for t in d)

    def idf(t: str) -> float:
        return math.log((1 + n) / (1 + df.get(t, 0))) + 1

    q = {t: w * idf(t) for t, w in terms(query).items()}
    qn = math.sqrt(sum(v * v for v in q.values()))
    out: dict[str, float] = {}
    for (_, reply), d in zip(pairs, docs, strict=True):
        dv = {t: w * idf(t) for t, w in d.items()}
        dot = sum(v * dv.get(t, 0.0) for t, v in q.items())
        if dot > 0:
            out[reply] = dot / (qn * math.sqrt(sum(v * v for v in dv.values())))
    return out


_WORDS = st.sampled_from(["red", "blue", "pics", "gym", "😍", "babe", "video", "custom", "tonight"])
_TEXT = st.lists(_WORDS, min_size=1, max_size=6).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    fans=st.lists(_TEXT, min_size=1, max_size=25),
    capacity=st.integers(min_value=1, max_value=8),
    query=_TEXT,
)
def test_incremental_index_equals_brute_force(fans: list[str], capacity: int, query: str) -> None:
    idx = ReplyIndex(capacity=capacity)
    pairs = [(fan, f"reply number {i}") for i, fan in enumerate(fans)]
    for i, (fan, reply) in enumerate(pairs):
        idx.add(fan, reply, i)
        idx.query(query)  # interleave queries so cached norms are exercised
    kept = pairs[-capacity:]
    expected = _reference_scores(kept, query)
    got = {m.reply: m.score for m in idx.query(query, k=len(kept))}
    assert got.keys() == expected.keys()
    for reply, score in expected.items():
        assert got[reply] == pytest.approx(min(score, 1.0), abs=1e-9)


def test_query_speed_at_capacity() -> None:
    """Loose guard only (10x the 2 ms target); the real numbers are in the drafts README."""
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(1500)] + list("😍😘🔥🥰😏💋")
    weights = [1 / (i + 1) for i in range(len(vocab))]

    def text() -> str:
        return " ".join(rng.choices(vocab, weights, k=rng.randint(3, 15)))

    idx = ReplyIndex(2000)
    for i in range(2000):
        idx.add(text(), text() + " reply", i)
    queries = [text() for _ in range(300)]
    timings = []
    for q in queries:
        t = time.perf_counter()
        idx.query(q)
        timings.append(time.perf_counter() - t)
    assert statistics.mean(timings) < 0.02


# --- adapt -----------------------------------------------------------------------------------


def test_adapt_replaces_the_old_name_and_handle() -> None:
    got = adapt(
        "Hey John Smith, thanks John 😘 @john_s you're sweet",
        old_name="John Smith",
        new_name="mike jones",
    )
    assert got is not None
    assert got.text == "Hey Mike, thanks Mike 😘 @john_s you're sweet"
    assert "name_replaced" in got.notes
    handle = adapt("thank you @john_s 💕", old_name="@john_s", new_name=None)
    assert handle is not None
    assert handle.text == "thank you babe 💕"


def test_adapt_single_word_names_match_only_as_names() -> None:
    text, changed = replace_name("I will send it, Will 😘", "Will", "Sam")
    assert (text, changed) == ("I will send it, Sam 😘", True)
    text, changed = replace_name("I hope you like it", "Hope", "Sam")
    assert (text, changed) == ("I hope you like it", False)


@pytest.mark.parametrize(
    "reply",
    [
        "It's only $25 for the full video 😘",
        "20$ and it's yours",
        "£15 tonight only",
        "send 30 bucks and I'll make it",
        "unlock it for 15 babe",
        "50% off today 🔥",
        "it's 10 dollars",
    ],
)
def test_adapt_never_carries_a_price(reply: str) -> None:
    assert skip_reason(reply) == "price"
    assert adapt(reply, old_name=None, new_name="Mike") is None


def test_adapt_skips_absolute_dates_and_lowers_confidence_for_relative_ones() -> None:
    assert adapt("I'll post it on 12/05 babe", old_name=None, new_name=None) is None
    assert adapt("live at 9pm 😘", old_name=None, new_name=None) is None
    assert adapt("new set on May 3rd", old_name=None, new_name=None) is None
    rel = adapt("I'll be online tonight 😘", old_name=None, new_name=None)
    assert rel is not None
    assert rel.factor < 1.0
    assert "relative_time" in rel.notes
    plain = adapt("  so   sweet of you \n\n\n\n 💕  ", old_name=None, new_name=None)
    assert plain is not None
    assert (plain.text, plain.factor) == ("so sweet of you\n\n💕", 1.0)


# --- templates -------------------------------------------------------------------------------


def test_every_topic_has_several_templates_with_the_name_placeholder() -> None:
    assert set(templates.TEMPLATES) == set(TOPICS)
    for options in (*templates.TEMPLATES.values(), templates.GENERIC):
        assert len(options) >= 3
        assert all("{name}" in t and len(t) <= 120 for t in options)


def test_templates_are_deterministic_per_seed_and_vary_across_seeds() -> None:
    a = templates.render(GREETING, seed="msg-1", fan_name="john")
    assert a == templates.render(GREETING, seed="msg-1", fan_name="john")
    assert "John" in a
    assert "{name}" not in a
    seen = {templates.pick(GREETING, f"msg-{i}") for i in range(50)}
    assert seen == set(templates.TEMPLATES[GREETING])
    assert templates.pick(None, "x") in templates.GENERIC
    assert templates.pick("no_such_topic", "x") in templates.GENERIC


def test_first_name_fallback() -> None:
    assert templates.first_name("john smith") == "John"
    assert templates.first_name("@u123456") == "babe"
    assert templates.first_name("x_x") == "babe"
    assert templates.first_name("   ") == "babe"
    assert templates.first_name(None) == "babe"
    assert templates.first_name("Zoë") == "Zoë"


def test_all_templates_pass_the_default_safety_check() -> None:
    for options in (*templates.TEMPLATES.values(), templates.GENERIC):
        for t in options:
            verdict = check(templates.fill(t, "Mike"), POLICY)
            assert not verdict.blocked, (t, verdict.reasons)


# --- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("my card is 4111 1111 1111 1111", "payment_details"),
        ("4111-1111-1111-1111 exp 12/29", "payment_details"),
        ("IBAN GB82 WEST 1234 5698 7654 32 thanks", "payment_details"),
        ("send it to DE89370400440532013000", "payment_details"),
        ("just paypal me babe", "payment_details"),
        ("my cashapp is $janedoe", "payment_details"),
        ("send to $janedoe 💕", "payment_details"),
        ("Venmo works too", "payment_details"),
        ("zelle me", "payment_details"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "payment_details"),
        ("btc: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "payment_details"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "payment_details"),
        ("see https://linktr.ee/jane", "off_platform_link"),
        ("go to www.mysite.com", "off_platform_link"),
        ("fansly.com/jane has more", "off_platform_link"),
        ("t.me/jane", "off_platform_link"),
        ("onlyfans.com.evil.io/jane", "off_platform_link"),
        ("jane dot com", "off_platform_link"),
        ("add me on snap 😘", "off_platform_contact"),
        ("my sc: jane_x", "off_platform_contact"),
        ("dm me on instagram", "off_platform_contact"),
        ("i'm on telegram", "off_platform_contact"),
        ("whatsapp me", "off_platform_contact"),
        ("kik me babe", "off_platform_contact"),
        ("find me on discord", "off_platform_contact"),
        ("text me +44 7700 900123", "off_platform_contact"),
        ("call me at (212) 555-0100", "off_platform_contact"),
        ("email jane.doe@example.org", "off_platform_contact"),
        ("my gmail is janedoe", "off_platform_contact"),
        ("".join(chr(ord(c) + 0xFEE0) for c in "INSTAGRAM"), "off_platform_contact"),  # fullwidth
        ("insta\u200bgram", "off_platform_contact"),  # zero-width space
        ("let's meet up sometime", "restricted_word:meet up"),
        ("we could meet-up", "restricted_word:meet up"),
        ("I'm not an escort", "restricted_word:escort"),
        ("so much BLOOD", "restricted_word:blood"),
        ("got any weed?", "restricted_word:weed"),
        ("dressed like a schoolgirl", "restricted_word:schoolgirl"),
    ],
)
def test_safety_blocks(text: str, reason: str) -> None:
    verdict = check(text, POLICY)
    assert verdict.blocked
    assert reason in verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Hey babe 😘 so happy to see you here!",
        "check my page onlyfans.com/jane 😏",
        "https://onlyfans.com/jane and https://www.onlyfans.com/my/chats",
        "oh snap, that's hot 🔥",
        "snap some pics for me",
        "no kidding 😂",
        "it's $20 babe",  # a price is not payment *details*
        "thanks.me too",
        "I'll be online at 10:30 on 2024-05-12",
        "I'm 5'4 and I love the gym 💪",
        "e.g. this one",
        "@janedoe is my best friend on here",
        "4111 1111 1111 1112",  # fails Luhn
    ],
)
def test_safety_passes_clean_text(text: str) -> None:
    verdict = check(text, POLICY)
    assert not verdict.blocked, verdict.reasons
    assert verdict.reasons == ()


def test_safety_reasons_are_ordered_and_deduplicated() -> None:
    verdict = check("paypal or venmo, insta jane@x.io, https://x.io, meet up, meet up", POLICY)
    assert verdict.reasons == (
        "payment_details",
        "off_platform_link",
        "off_platform_contact",
        "restricted_word:meet up",
    )


def test_per_creator_restricted_words_and_allowed_domains() -> None:
    strict = SafetyPolicy(restricted_words=("Good Boy", "c*ck"), allowed_domains=("janedoe.com",))
    assert check("such a good   boy 😏", strict).reasons == ("restricted_word:good boy",)
    assert check("GOOD BOY", strict).blocked
    assert check("a good boyfriend", strict).reasons == ()  # word boundaries
    assert check("nice c*ck", strict).reasons == ("restricted_word:c*ck",)
    assert not check("shop at janedoe.com/store", strict).blocked
    assert check("onlyfans.com/jane", strict).reasons == ("off_platform_link",)
    assert not check("such a good boy", POLICY).blocked  # another creator's policy


# --- drafter ---------------------------------------------------------------------------------


def _drafter(**kwargs: Any) -> Drafter:
    d = Drafter(**kwargs)
    d.learn(
        1,
        "how much for a custom video",
        "Tell me what you have in mind first 😘",
        1,
        fan_name="John",
    )
    d.learn(1, "good morning gorgeous", "Morning John ☀️ did you sleep well?", 2, fan_name="John")
    return d


def _offline(
    d: Drafter,
    creator: int,
    msg: str,
    *,
    intent: str | None = GREETING,
    policy: SafetyPolicy = POLICY,
    name: str | None = "mike",
) -> Any:
    return d.suggest_offline(
        creator,
        fan_message=msg,
        intent=intent,
        fan_name=name,
        history=[],
        seed="m-1",
        policy=policy,
    )


def test_drafter_uses_retrieval_above_the_threshold_and_adapts_names() -> None:
    d = _drafter()
    draft = _offline(d, 1, "good morning gorgeous!!")
    assert draft.source == "retrieval"
    assert draft.text == "Morning Mike ☀️ did you sleep well?"
    assert draft.confidence == pytest.approx(1.0)
    assert draft.intent == GREETING
    assert not draft.verdict.blocked


def test_drafter_falls_back_to_templates_below_the_threshold() -> None:
    d = _drafter()
    draft = _offline(d, 1, "hey there stranger", intent=GREETING)
    assert draft.source == "template"
    assert draft.text in {templates.fill(t, "mike") for t in templates.TEMPLATES[GREETING]}
    assert draft.confidence == TEMPLATE_CONFIDENCE
    generic = _offline(d, 1, "hey there stranger", intent=None)
    assert generic.source == "template"
    assert generic.text in {templates.fill(t, "mike") for t in templates.GENERIC}
    assert generic.confidence == GENERIC_CONFIDENCE
    assert generic.intent is None


def test_drafter_threshold_is_configurable() -> None:
    msg = "morning, how was your night"  # partly like "good morning gorgeous"
    score = _drafter().index(1).query(msg)[0].score
    assert 0.0 < score < 0.99
    assert _offline(_drafter(retrieval_threshold=score), 1, msg).source == "retrieval"
    assert _offline(_drafter(retrieval_threshold=score + 1e-6), 1, msg).source == "template"


def test_drafter_is_per_creator() -> None:
    d = _drafter()
    assert _offline(d, 2, "good morning gorgeous").source == "template"


def test_drafter_skips_a_priced_reply_and_a_blocked_one() -> None:
    d = Drafter()
    d.learn(1, "how much is the shower video", "It's $25 babe, unlock it now 😘", 1)
    d.learn(1, "how much for the shower video", "Add me on snap and I'll tell you 😘", 2)
    draft = _offline(d, 1, "how much is the shower video?", intent=PRICING)
    assert draft.source == "template"
    assert "$" not in draft.text
    assert draft.text in {templates.fill(t, "mike") for t in templates.TEMPLATES[PRICING]}
    d.learn(1, "how much is the shower video", "Let me check what I can do for you 😘", 0)
    assert _offline(d, 1, "how much is the shower video?", intent=PRICING).source == "retrieval"


def test_drafter_blocked_template_is_returned_with_reasons() -> None:
    policy = SafetyPolicy(
        restricted_words=tuple(w for t in templates.TEMPLATES[TIP] for w in t.split()[:1])
    )
    draft = _offline(Drafter(), 1, "sent you a tip", intent=TIP, policy=policy)
    assert draft.source == "template"
    assert draft.verdict.blocked
    assert draft.verdict.reasons[0].startswith("restricted_word:")
    assert draft.confidence == 0.0


# --- the model path, against a real local HTTP server ------------------------------------------


@dataclass
class FakeOpenAI:
    """A minimal HTTP/1.1 server answering POST /v1/chat/completions like an OpenAI server."""

    port: int
    mode: str = "ok"  # ok | error | slow | empty | garbage
    reply: str = "Hey Mike 😘 you always know how to make me smile"
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode().split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {
                k.strip().lower(): v.strip()
                for k, v in (h.split(":", 1) for h in header_lines if h)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(
                {"method": method, "path": path, "headers": headers, "json": json.loads(body)}
            )
            if self.mode == "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.release.wait(), 5)
                return
            status, payload = 200, b""
            if self.mode == "error":
                status, payload = 500, b'{"error": "boom"}'
            elif self.mode == "garbage":
                payload = b"not json"
            else:
                content = "" if self.mode == "empty" else self.reply
                payload = json.dumps(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "model": self.requests[-1]["json"]["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                ).encode()
            reason = "OK" if status == 200 else "Internal Server Error"
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        finally:
            writer.close()


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI(port=free_port())
    server = await asyncio.start_server(fake.handle, "127.0.0.1", fake.port)
    try:
        yield fake
    finally:
        fake.release.set()
        server.close()
        await server.wait_closed()


class LogRecorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def warning(self, event: str, **kw: Any) -> None:
        self.events.append((event, kw))


@pytest.fixture
def llm_log(monkeypatch: pytest.MonkeyPatch) -> LogRecorder:
    rec = LogRecorder()
    monkeypatch.setattr(llm_mod, "log", rec)
    return rec


async def _suggest(d: Drafter, msg: str, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "fan_message": msg,
        "intent": GREETING,
        "fan_name": "Mike",
        "history": [("fan", "hi"), ("creator", "hey you 😘")],
        "seed": "msg-42",
        "policy": POLICY,
    }
    args.update(kw)
    return await d.suggest(1, **args)


async def test_llm_draft_sends_model_and_messages(
    fake_llm: FakeOpenAI, llm_log: LogRecorder
) -> None:
    d = _drafter(llm=LlmDrafter(fake_llm.url, "tiny-chat", "sk-test", timeout_s=5))
    try:
        draft = await _suggest(d, "good morning gorgeous, how are you?")
    finally:
        await d.aclose()
    assert draft.source == "llm"
    assert draft.text == fake_llm.reply
    assert not draft.verdict.blocked
    assert draft.confidence > 0
    (req,) = fake_llm.requests
    assert req["method"] == "POST"
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["authorization"] == "Bearer sk-test"
    body = req["json"]
    assert body["model"] == "tiny-chat"
    messages = body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    system = messages[0]["content"]
    assert "human chatter" in system
    assert "off the platform" in system
    assert "Mike" in system
    assert "Morning Mike ☀️ did you sleep well?" in system  # a retrieved example, adapted
    assert messages[1:3] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hey you 😘"},
    ]
    assert messages[-1] == {"role": "user", "content": "good morning gorgeous, how are you?"}
    assert llm_log.events == []


async def test_llm_server_error_falls_back(fake_llm: FakeOpenAI, llm_log: LogRecorder) -> None:
    fake_llm.mode = "error"
    d = _drafter(llm=LlmDrafter(fake_llm.url, "tiny-chat", None))
    try:
        draft = await _suggest(d, "good morning gorgeous")
    finally:
        await d.aclose()
    assert draft.source == "retrieval"
    assert "authorization" not in fake_llm.requests[0]["headers"]
    assert llm_log.events == [("llm_failed", {"error": "http_500"})]


async def test_llm_timeout_falls_back_quickly(fake_llm: FakeOpenAI, llm_log: LogRecorder) -> None:
    fake_llm.mode = "slow"
    d = Drafter(llm=LlmDrafter(fake_llm.url, "tiny-chat", None, timeout_s=0.3))
    started = time.monotonic()
    try:
        draft = await _suggest(d, "hey you, secret message text")
    finally:
        await d.aclose()
    assert time.monotonic() - started < 2.0
    assert draft.source == "template"
    assert llm_log.events == [("llm_failed", {"error": "timeout"})]
    assert "secret" not in repr(llm_log.events)


@pytest.mark.parametrize(("mode", "error"), [("empty", "empty"), ("garbage", "bad_response")])
async def test_llm_empty_or_bad_answer_falls_back(
    fake_llm: FakeOpenAI, llm_log: LogRecorder, mode: str, error: str
) -> None:
    fake_llm.mode = mode
    d = Drafter(llm=LlmDrafter(fake_llm.url, "tiny-chat", None))
    try:
        draft = await _suggest(d, "send me something", intent=CONTENT_REQUEST)
    finally:
        await d.aclose()
    assert draft.source == "template"
    assert len(llm_log.events) == 1
    assert llm_log.events[0][1]["error"].startswith(error)


async def test_llm_unreachable_falls_back(llm_log: LogRecorder) -> None:
    d = Drafter(llm=LlmDrafter(f"http://127.0.0.1:{free_port()}/v1", "m", None, timeout_s=2))
    try:
        draft = await _suggest(d, "hello", intent=COMPLAINT)
    finally:
        await d.aclose()
    assert draft.source == "template"
    assert llm_log.events == [("llm_failed", {"error": "ConnectError"})]


async def test_llm_text_the_safety_filter_blocks(fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "Add me on snap babe, or paypal me at jane@mail.com 😘"
    d = Drafter(llm=LlmDrafter(fake_llm.url, "tiny-chat", None))
    try:
        draft = await _suggest(d, "how can I pay you")
    finally:
        await d.aclose()
    assert draft.source == "llm"
    assert draft.text == fake_llm.reply
    assert draft.verdict.blocked
    assert draft.verdict.reasons == ("payment_details", "off_platform_contact")
    assert draft.confidence == 0.0


async def test_llm_strips_wrapping_quotes(fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = '  "Hey you 😘"  '
    drafter = LlmDrafter(fake_llm.url, "tiny-chat", None)
    try:
        text = await drafter.draft(
            fan_message="hi", history=[], intent=None, fan_name=None, examples=[]
        )
    finally:
        await drafter.aclose()
    assert text == "Hey you 😘"


def test_build_messages_keeps_recent_history_only() -> None:
    history = [("fan" if i % 2 else "creator", f"turn {i}") for i in range(30)]
    messages = build_messages(
        fan_message="now", history=history, intent=TIP, fan_name=None, examples=[]
    )
    assert len(messages) == 1 + llm_mod.MAX_HISTORY_TURNS + 1
    assert messages[1]["content"] == f"turn {30 - llm_mod.MAX_HISTORY_TURNS}"
    assert "tipping" in messages[0]["content"]
    assert all(a["role"] != b["role"] for a, b in pairwise(messages[1:-1]))
