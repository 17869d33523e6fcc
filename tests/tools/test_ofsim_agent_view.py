"""Chats as the Agent stores them (tools.ofsim.agent_view)."""

from __future__ import annotations

from tools.ofsim import generate_inbox
from tools.ofsim.agent_view import public_user, stored_chats, without_signed_params
from tools.ofsite.credentials import Secrets

BASE = "https://public.onlyfans.com/files/a/ab/abc/avatar.jpg"


def test_signed_params_are_removed_and_the_rest_kept() -> None:
    signed = Secrets.generate(300000).signed_url(BASE, 300000)
    assert "Key-Pair-Id=" in signed
    assert without_signed_params(signed) == BASE + "?Tag=2&u=300000"
    only = f"{BASE}?Policy=p&Signature=s&Key-Pair-Id=k"
    assert without_signed_params(only) == BASE
    assert without_signed_params(f"{BASE}?Policy=p&x=1") == BASE + "?x=1"
    assert without_signed_params(BASE) == BASE


def test_a_public_user_keeps_its_fields_without_signatures() -> None:
    user = {"id": 1, "name": "Ann", "avatar": f"{BASE}?Policy=p&Signature=s",
            "avatarThumbs": {"c50": f"{BASE}?Key-Pair-Id=k"}, "canEarn": False}  # fmt: skip
    assert public_user(user) == {
        "id": 1, "name": "Ann", "avatar": BASE, "avatarThumbs": {"c50": BASE}, "canEarn": False
    }  # fmt: skip
    assert user["avatar"].endswith("Signature=s")  # the input is left alone


def test_stored_chats_lay_the_full_user_over_the_stub() -> None:
    inbox = generate_inbox(n_chats=6, seed=4)
    chats = stored_chats(inbox)
    assert [c["withUser"]["id"] for c in chats] == [c["withUser"]["id"] for c in inbox.chats]
    for chat, original in zip(chats, inbox.chats, strict=True):
        fan = inbox.fans[original["withUser"]["id"]]
        assert chat["withUser"] == {"_view": "m", **fan}
        assert chat["lastMessage"] is original["lastMessage"]
        assert original["withUser"] == {"id": fan["id"], "_view": "m"}
