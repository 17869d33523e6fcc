"""Chats as the Agent (the browser extension) stores them, for code that plays the Agent.

The page asks for the chat list with ``skip_users=all``, so a chat's ``withUser`` is a
``{id, _view}`` stub; the page then asks ``/users/list`` for the full users, and the
extension lays each full user over the stored stub (the stub's keys stay) after removing
credentials, among them CloudFront's signed-URL parameters (``Policy``, ``Signature``,
``Key-Pair-Id``). ``stored_chats`` gives the inbox's chats in that form, so a snapshot fed
to the Brain names its fans as the real extension's does.
"""

from __future__ import annotations

import re
from typing import Any

from tools.ofsim.model import Inbox, JsonObj

_SIGNED = re.compile(r"([?&])(?:Policy|Signature|Key-Pair-Id)=[^&#\s]*", re.IGNORECASE)


def without_signed_params(url: str) -> str:
    """``url`` without CloudFront's ``Policy`` / ``Signature`` / ``Key-Pair-Id`` parameters."""
    stripped = _SIGNED.sub(lambda m: "?" if m[1] == "?" else "", url)
    return re.sub(r"\?(?:&)+", "?", stripped).removesuffix("?")


def _strip(value: Any) -> Any:
    if isinstance(value, str):
        return without_signed_params(value)
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()}
    return value


def public_user(user: JsonObj) -> JsonObj:
    """A full user as the extension keeps it: a copy with signed URL parameters removed."""
    return {k: _strip(v) for k, v in user.items()}


def stored_chats(inbox: Inbox) -> list[JsonObj]:
    """Every chat item (list order) with ``withUser`` = stub + the fan's full public user."""
    out = []
    for chat in inbox.chats:
        stub = chat["withUser"]
        fan = inbox.fans.get(int(stub["id"]))
        with_user = {**stub, **public_user(fan)} if fan is not None else dict(stub)
        out.append({**chat, "withUser": with_user})
    return out
