"""Signed access tokens for Agents (one creator) and analysts (one or more creators).

HS256 JWTs keyed by `OFCA_SECRET`. The same module is used by `ofca token create`, the gateway
and any service that checks a token, so issuing and checking can never disagree.

Key rotation: every token names its key in the `kid` header (a digest of the secret, never the
secret). A checker holds the current secret and the previous ones still honoured
(`OFCA_PREVIOUS_SECRETS`, or `secret.previous` in the data directory: `ofca token
rotate-secret`), so a new secret signs new tokens while tokens signed before keep working until
their key is retired or they expire: no one is logged out at once.
"""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

import jwt

from contracts.subjects import InvalidUserIdError, check_user_id

Role = Literal["agent", "analyst"]
ROLES: tuple[Role, ...] = ("agent", "analyst")
ISSUER = "ofca"
MIN_SECRET_LEN = 32
_PLACEHOLDERS = {"changeme", "changethis", "secret", "ofca", "password"}


class TokenError(Exception):
    """A missing, forged, expired or malformed token."""


@dataclass(frozen=True)
class Principal:
    role: Role
    user_ids: tuple[str, ...]
    token_id: str

    def may_access(self, user_id: str) -> bool:
        return user_id in self.user_ids


def check_secret(secret: str) -> str:
    """Refuse secrets that are short or obviously placeholders."""
    if len(secret) < MIN_SECRET_LEN or secret.lower() in _PLACEHOLDERS:
        raise ValueError(f"OFCA_SECRET must be a random string of at least {MIN_SECRET_LEN} chars")
    return secret


def key_id(secret: str) -> str:
    """The `kid` of tokens signed with `secret`: 16 hex digits of its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


PREVIOUS_FILE = "secret.previous"


def load_previous_secrets(data_dir: Path) -> list[str]:
    """The retired secrets still honoured, one a line in `data_dir/secret.previous`."""
    path = data_dir / PREVIOUS_FILE
    if not path.exists():
        return []
    return [check_secret(line.strip()) for line in path.read_text().splitlines() if line.strip()]


def rotate_secret(data_dir: Path, keep: int = 3) -> str:
    """A new secret in `data_dir/secret`; the old one joins the honoured previous ones (the
    newest `keep`). Returns the new secret's key id."""
    current = load_or_create_secret(data_dir)
    previous = [current, *load_previous_secrets(data_dir)][:keep]
    fresh = secrets.token_urlsafe(48)
    for name, text in ((PREVIOUS_FILE, "\n".join(previous)), ("secret", fresh)):
        path = data_dir / name
        path.touch(mode=0o600)
        path.write_text(text + "\n")
    return key_id(fresh)


def load_or_create_secret(data_dir: Path) -> str:
    """The secret stored in `data_dir/secret`, created (mode 0600) on first use."""
    path = data_dir / "secret"
    if path.exists():
        return check_secret(path.read_text().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret + "\n")
    return secret


def issue_token(
    secret: str, role: Role, user_ids: list[str], ttl: timedelta = timedelta(days=30)
) -> str:
    """A signed token for `role` bound to `user_ids` (exactly one for an agent)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not user_ids:
        raise ValueError("a token needs at least one user id")
    if role == "agent" and len(user_ids) != 1:
        raise ValueError("an agent token is bound to exactly one creator")
    for user_id in user_ids:
        check_user_id(user_id)
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "role": role,
        "users": list(dict.fromkeys(user_ids)),
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    signing = check_secret(secret)
    return jwt.encode(claims, signing, algorithm="HS256", headers={"kid": key_id(signing)})


def _keys_for(token: str, secret: str, previous: Sequence[str]) -> list[str]:
    """The secrets to check `token` with: the one its `kid` names, or (a token from before
    key ids) each honoured one."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise TokenError("invalid token") from exc
    keys = [secret, *previous]
    if kid is None:
        return keys
    named = [k for k in keys if key_id(k) == kid]
    if not named:
        raise TokenError("token signed with a retired or unknown key")
    return named


def verify_token(secret: str, token: str | None, previous: Sequence[str] = ()) -> Principal:
    """The principal a token stands for; TokenError when it is missing, forged or expired.

    `previous`: retired secrets whose tokens are still honoured (key rotation)."""
    if not token:
        raise TokenError("missing token")
    claims: dict[str, Any] | None = None
    for key in _keys_for(token, secret, previous):
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "role", "users", "jti"]},
            )
            break
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("expired token") from exc
        except jwt.PyJWTError:
            continue
    if claims is None:
        raise TokenError("invalid token")
    role, users = claims.get("role"), claims.get("users")
    if role not in ROLES or not isinstance(users, list) or not users:
        raise TokenError("invalid token claims")
    try:
        user_ids = tuple(check_user_id(str(u)) for u in users)
    except InvalidUserIdError as exc:
        raise TokenError("invalid token claims") from exc
    if role == "agent" and len(user_ids) != 1:
        raise TokenError("invalid token claims")
    return Principal(role=cast(Role, role), user_ids=user_ids, token_id=str(claims["jti"]))
