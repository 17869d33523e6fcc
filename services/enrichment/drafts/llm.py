"""Optional drafting through any OpenAI-compatible chat endpoint (a local llama.cpp, vLLM, ...).

Off by default: OFCA works offline, and a creator or agency decides whether her chats may be
sent to a model at all. When configured, the model only writes a *suggestion* for a human
chatter, who reviews and sends it; OnlyFans does not allow a bot to chat with fans on its own,
and nothing here sends a message anywhere but to the model.

Any failure (connection, timeout, non-200, malformed or empty answer) returns None so the
drafter falls back to retrieval or a template; it is logged with a short error code and never
with the chat text, which is the fans' and the creator's private data.
"""

import asyncio
from typing import Any, Final

import httpx
import structlog

from services.enrichment.nlp.taxonomy import DESCRIPTIONS

log = structlog.get_logger()

MAX_HISTORY_TURNS: Final = 12
MAX_TURN_CHARS: Final = 1000
MAX_EXAMPLES: Final = 5

SYSTEM_PROMPT: Final = (
    "You write a short suggested reply for a human chatter to review and edit before it is sent;"
    " you never send anything yourself. Write in the creator's voice: warm, playful, flirty but"
    " tasteful, one to three short sentences, emojis welcome but sparing. Never ask for or"
    " mention payment outside OnlyFans (no PayPal, Cash App, Venmo, crypto, bank details or"
    " gift cards) and never share or ask for contact off the platform (no social media,"
    " messaging apps, phone numbers, emails or links). Never quote a price, never promise to"
    " meet in person, and do not invent facts about the creator. Reply with the message text"
    " only, without quotes."
)

_CREATOR_ROLES: Final = frozenset({"creator", "assistant", "out"})


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TURN_CHARS else text[:MAX_TURN_CHARS]


def _system(intent: str | None, fan_name: str | None, examples: list[str]) -> str:
    parts = [SYSTEM_PROMPT]
    if fan_name:
        parts.append(f"The fan's name is {_clip(fan_name.strip())}.")
    if intent:
        parts.append(f"The fan's message is about: {DESCRIPTIONS.get(intent, intent)}.")
    if examples:
        shown = "\n".join(f"- {_clip(e.strip())}" for e in examples[:MAX_EXAMPLES])
        parts.append(f"Replies the creator has written before, for tone only:\n{shown}")
    return "\n\n".join(parts)


def build_messages(
    *,
    fan_message: str,
    history: list[tuple[str, str]],
    intent: str | None,
    fan_name: str | None,
    examples: list[str],
) -> list[dict[str, str]]:
    """The chat-completions ``messages``: system prompt, recent history, the fan's message.

    ``history`` is earlier turns, oldest first, not including ``fan_message``, as
    ``(who, text)`` with ``who`` "creator" (also "assistant" / "out") or anything else for the
    fan. Only the last ``MAX_HISTORY_TURNS`` turns are sent.
    """
    messages = [{"role": "system", "content": _system(intent, fan_name, examples)}]
    for who, text in history[-MAX_HISTORY_TURNS:]:
        role = "assistant" if who.lower() in _CREATOR_ROLES else "user"
        messages.append({"role": role, "content": _clip(text)})
    messages.append({"role": "user", "content": _clip(fan_message)})
    return messages


def _content(body: Any) -> str | None:
    content = body["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        return None
    text = content.strip()
    if len(text) >= 2 and text[0] in '"“' and text[-1] in '"”':
        text = text[1:-1].strip()
    return text or None


class LlmDrafter:
    """Drafts through ``POST {url}/chat/completions``; ``url`` like ``http://127.0.0.1:9999/v1``.

    ``timeout_s`` bounds the whole request, not each network phase.
    """

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None,
        timeout_s: float = 10.0,
        *,
        temperature: float = 0.7,
        max_tokens: int = 120,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        self.temperature = temperature
        self.max_tokens = max_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(timeout=timeout_s, headers=headers)

    async def draft(
        self,
        *,
        fan_message: str,
        history: list[tuple[str, str]],
        intent: str | None,
        fan_name: str | None,
        examples: list[str],
    ) -> str | None:
        """A suggested reply, or None on any error, timeout, non-200 or empty answer."""
        payload = {
            "model": self.model,
            "messages": build_messages(
                fan_message=fan_message,
                history=history,
                intent=intent,
                fan_name=fan_name,
                examples=examples,
            ),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": False,
        }
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.post(self.endpoint, json=payload)
            if response.status_code != httpx.codes.OK:
                log.warning("llm_failed", error=f"http_{response.status_code}")
                return None
            text = _content(response.json())
        except (TimeoutError, httpx.TimeoutException):
            log.warning("llm_failed", error="timeout")
            return None
        except httpx.HTTPError as exc:
            log.warning("llm_failed", error=type(exc).__name__)
            return None
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("llm_failed", error=f"bad_response:{type(exc).__name__}")
            return None
        if text is None:
            log.warning("llm_failed", error="empty")
        return text

    async def aclose(self) -> None:
        await self._client.aclose()
