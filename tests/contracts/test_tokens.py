"""Tokens: what verifies, and everything that must not."""

from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from contracts.tokens import TokenError, issue_token, load_or_create_secret, verify_token

SECRET = "s" * 40


def test_round_trip_keeps_role_and_users() -> None:
    principal = verify_token(SECRET, issue_token(SECRET, "analyst", ["1", "2"]))
    assert principal.role == "analyst" and principal.user_ids == ("1", "2")
    assert principal.may_access("2") and not principal.may_access("3")


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "abc.def.ghi",
        issue_token("t" * 40, "agent", ["1"]),  # signed with another secret
        issue_token(SECRET, "agent", ["1"], ttl=timedelta(seconds=-1)),  # expired
        jwt.encode({"role": "agent", "users": ["1"]}, SECRET, algorithm="HS256"),  # no exp/iss
        jwt.encode({"role": "agent", "users": ["1"]}, "", algorithm="none"),  # unsigned
    ],
)
def test_missing_forged_expired_and_unsigned_tokens_fail(token: str | None) -> None:
    with pytest.raises(TokenError):
        verify_token(SECRET, token)


def test_agent_tokens_cover_exactly_one_creator() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        issue_token(SECRET, "agent", ["1", "2"])


def test_user_ids_must_be_subject_safe() -> None:
    with pytest.raises(ValueError, match="user id"):
        issue_token(SECRET, "analyst", ["a.b"])


def test_placeholder_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="OFCA_SECRET"):
        issue_token("changeme", "agent", ["1"])


def test_secret_is_created_once_private(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path)
    assert load_or_create_secret(tmp_path) == first
    assert (tmp_path / "secret").stat().st_mode & 0o077 == 0
