"""ofsim: deterministic OnlyFans-shaped data for the demo, tests and the local simulator.

Typical use::

    from tools.ofsim import generate_inbox, fan_message, ws_frame_chat_message

    inbox = generate_inbox(n_chats=50, seed=1)
    msg = fan_message(inbox, next(iter(inbox.fans)), kind="tip")
    frame = ws_frame_chat_message(msg)

See ``tools.ofsim.generator`` for the data conventions (ids, tips, PPV purchase state).
"""

from tools.ofsim.generator import DEFAULT_END, generate_inbox
from tools.ofsim.live import (
    creator_message,
    fan_message,
    iter_messages,
    mark_purchased,
    ws_frame_chat_message,
    ws_frame_counters,
)
from tools.ofsim.media import CloudFront
from tools.ofsim.model import Inbox, JsonObj
from tools.ofsim.texts import html_to_text, topic_of

__all__ = [
    "DEFAULT_END",
    "CloudFront",
    "Inbox",
    "JsonObj",
    "creator_message",
    "fan_message",
    "generate_inbox",
    "html_to_text",
    "iter_messages",
    "mark_purchased",
    "topic_of",
    "ws_frame_chat_message",
    "ws_frame_counters",
]
