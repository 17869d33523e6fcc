"""Tokens: what verifies, and everything that must not."""

from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from contracts.tokens import (
    TokenError,
    issue_token,
    key_id,
    load_or_create_secret,
    load_previous_secrets,
    rotate_secret,
    verify_token,
)

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


def test_tokens_name_their_key_and_a_rotation_logs_no_one_out(tmp_path: Path) -> None:
    old = load_or_create_secret(tmp_path)
    before = issue_token(old, "analyst", ["42"])
    assert jwt.get_unverified_header(before)["kid"] == key_id(old)
    new_kid = rotate_secret(tmp_path)
    new = load_or_create_secret(tmp_path)
    assert key_id(new) == new_kid != key_id(old)
    previous = load_previous_secrets(tmp_path)
    assert previous == [old]
    after = issue_token(new, "analyst", ["42"])
    # Both verify while the old key is honoured; the old one alone no longer does once retired.
    assert verify_token(new, before, previous).user_ids == ("42",)
    assert verify_token(new, after, previous).user_ids == ("42",)
    with pytest.raises(TokenError, match="retired or unknown key"):
        verify_token(new, before)


def test_a_token_from_before_key_ids_is_tried_against_every_honoured_key() -> None:
    old, new = "o" * 40 + "x", "n" * 40 + "y"
    claims = {"iss": "ofca", "role": "analyst", "users": ["7"], "jti": "j"}
    claims |= {"iat": 1_700_000_000, "exp": 4_000_000_000}
    legacy = jwt.encode(claims, old, algorithm="HS256")
    assert verify_token(new, legacy, [old]).user_ids == ("7",)
    with pytest.raises(TokenError):
        verify_token(new, legacy)


def test_a_kid_naming_one_key_cannot_be_checked_against_another() -> None:
    old, new = "o" * 40 + "x", "n" * 40 + "y"
    claims = {"iss": "ofca", "role": "analyst", "users": ["7"], "jti": "j"}
    claims |= {"iat": 1_700_000_000, "exp": 4_000_000_000}
    forged = jwt.encode(
        claims, "attacker-key-" * 4, algorithm="HS256", headers={"kid": key_id(old)}
    )
    with pytest.raises(TokenError, match="invalid token"):
        verify_token(new, forged, [old])
