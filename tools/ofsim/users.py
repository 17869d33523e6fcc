"""OnlyFans user objects: the creator's ``/users/me`` and fans' full user objects."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from typing import Any

from tools.ofsim import texts

JsonObj = dict[str, Any]

PUBLIC = "https://public.onlyfans.com/files"
THUMBS = "https://thumbs.onlyfans.com/public/files/thumbs"
WS_URL = "wss://ws2.onlyfans.com/ws3/24"
CREATOR_NAMES = ("Mia Rose", "Luna Skye", "Ava Blake", "Chloe Vega", "Ivy Monroe", "Nova Lane")


def stub(user_id: int) -> JsonObj:
    """A user as ``skip_users=all`` returns it."""
    return {"id": user_id, "_view": "m"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def fake_jwt(subject: int, issued_at: int, seed: int) -> str:
    """A JWT-shaped token (``header.payload.signature``), valid for 24 h; not signed."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": str(subject), "iat": issued_at, "exp": issued_at + 86400, "scope": "ws"}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = _b64url(hashlib.sha256(f"{seed}.{header}.{payload}".encode()).digest())
    return f"{header}.{payload}.{sig}"


def _avatar(rng: random.Random, user_id: int) -> tuple[str, JsonObj]:
    h = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=40))
    path = f"{h[0]}/{h[:2]}/{h[:3]}/{h}/{user_id}/avatar.jpg"
    return f"{PUBLIC}/{path}", {"c50": f"{THUMBS}/c50/{path}", "c144": f"{THUMBS}/c144/{path}"}


def creator_me(rng: random.Random, creator_id: int, seed: int, now: int, iso: str) -> JsonObj:
    """A ``/api2/v2/users/me`` response for the creator."""
    name = rng.choice(CREATOR_NAMES)
    avatar, thumbs = _avatar(rng, creator_id)
    return {
        "id": creator_id,
        "name": name,
        "username": name.lower().replace(" ", ""),
        "avatar": avatar,
        "avatarThumbs": thumbs,
        "header": avatar.replace("avatar.jpg", "header.jpg"),
        "isVerified": True,
        "canEarn": True,
        "isPerformer": True,
        "subscribePrice": rng.choice((0, 4.99, 9.99, 14.99)),
        "tipsEnabled": True,
        "tipsMin": 5,
        "tipsMax": 200,
        "lastSeen": iso,
        "wsUrl": WS_URL,
        "wsAuthToken": fake_jwt(creator_id, now - 3600, seed),
    }


def make_fan(rng: random.Random, fan_id: int, taken: set[str]) -> JsonObj:
    """A fan's full user object (``lastSeen`` and ``subscribedOn`` are set later)."""
    first = rng.choice(texts.FIRST_NAMES)
    if rng.random() < 0.35:
        username = f"u{fan_id}"  # OnlyFans' default username
        name = username if rng.random() < 0.5 else first
    else:
        name = first if rng.random() < 0.6 else f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
        username = f"{first.lower()}{rng.choice(('', '_', '.'))}{rng.choice(texts.USER_WORDS)}"
        if username in taken or rng.random() < 0.5:
            username += str(fan_id % 1000)
        if username in taken:
            username = f"u{fan_id}"
    taken.add(username)
    avatar: str | None = None
    thumbs: JsonObj | None = None
    if rng.random() < 0.6:
        avatar, thumbs = _avatar(rng, fan_id)
    return {
        "id": fan_id,
        "name": name,
        "username": username,
        "avatar": avatar,
        "avatarThumbs": thumbs,
        "isVerified": False,
        "canEarn": rng.random() < 0.02,
        "subscribedBy": False,
        "subscribedOn": True,
        "lastSeen": None,
    }
