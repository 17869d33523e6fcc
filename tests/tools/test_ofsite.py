"""Tests of tools.ofsite, the local onlyfans.com simulator, run as its CLI over HTTPS."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.tools.ofsite_site import (
    CREATOR,
    Site,
    fan_ids,
    next_frame,
    recv,
    socket,
    walk_strings,
)
from tools.ofsite import SiteState, create_app, sign

CHATS = 12


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    running = Site(tmp_path_factory.mktemp("ofsite-certs"), CHATS)
    yield running
    running.close()


# -- start, pages ------------------------------------------------------------------------


def test_the_cli_prints_one_ready_line_then_serves(site: Site) -> None:
    assert site.lines == [f"ofsite ready https://127.0.0.1:{site.port}\n"]
    assert site.sim("GET", "/state")["chats"] == CHATS


def test_root_redirects_to_the_chat_list(site: Site) -> None:
    reply = site.control.get("/")
    assert reply.status_code in {302, 307}
    assert reply.headers["location"] == "/my/chats/"


def test_the_chat_page_sets_the_session_cookies(site: Site) -> None:
    fan = fan_ids(site)[0]
    with httpx.Client(base_url=site.base, verify=False) as fresh:
        reply = fresh.get(f"/my/chats/chat/{fan}/")
    assert reply.status_code == 200
    cookies = {c.split("=", 1)[0]: c for c in reply.headers.get_list("set-cookie")}
    assert set(cookies) == {"sess", "auth_id", "fp"}
    assert "HttpOnly" in cookies["sess"]
    assert site.secrets["cookies"]["sess"] in cookies["sess"]


def test_the_shell_has_the_composer_and_list_hooks(site: Site) -> None:
    html = site.control.get("/my/chats/").text
    for hook in (
        'class="b-chats__list-dialogues"',
        'class="b-chat__messages-wrapper"',
        'class="b-chat__footer"',
        'id="make_post_form"',
        'class="tiptap ProseMirror b-text-editor js-text-editor" contenteditable="true"',
        'at-attr="message_input"',
        'class="b-chat__btn-submit g-btn m-rounded"',
        'at-attr="send_btn" disabled',
        'at-attr="price_btn"',
        'at-attr="msg_price"',
        'id="ModalPostPrice"',
        'id="priceInput"',
        'at-attr="price_save"',
        'id="app"',
    ):
        assert hook in html, hook
    assert "https://" not in html  # no CDN: every asset comes from the site itself


def test_the_app_script_signs_with_its_own_code_and_uses_both_transports(site: Site) -> None:
    script = site.control.get("/app.js").text
    assert site.secrets["signSecret"] in script
    assert 'crypto.subtle.digest("SHA-1"' in script
    assert "window.fetch(" in script
    assert "new window.XMLHttpRequest()" in script
    assert "new window.WebSocket(" in script
    assert "bcTokenSha" in script
    assert "history.pushState" in script
    assert 'addEventListener("popstate"' in script


# -- signing -----------------------------------------------------------------------------


def test_unsigned_requests_get_401(site: Site) -> None:
    bare = site.control.get("/api2/v2/users/me")
    assert bare.status_code == 401
    assert bare.json() == {"error": {"code": 401, "message": "unsigned"}}
    forged = site.api("GET", "/users/me", secret="not-the-secret")
    assert forged.status_code == 401
    with httpx.Client(base_url=site.base, verify=False) as no_cookie:
        stamp = str(int(time.time() * 1000))
        headers = {
            "app-token": site.secrets["appToken"],
            "x-bc": site.secrets["xbc"],
            "user-id": str(CREATOR),
            "time": stamp,
            "sign": site.sign("/api2/v2/users/me", stamp),
        }
        assert no_cookie.get("/api2/v2/users/me", headers=headers).status_code == 401


def test_a_stale_time_gets_400(site: Site) -> None:
    stale = site.api("GET", "/users/me", time_ms=int(time.time() * 1000) - 120_000)
    assert stale.status_code == 400


def test_the_signature_covers_the_query(site: Site) -> None:
    request = site.http.build_request("GET", "/api2/v2/chats", params={"limit": 2})
    stamp = str(int(time.time() * 1000))
    request.headers.update(
        {
            "app-token": site.secrets["appToken"],
            "x-bc": site.secrets["xbc"],
            "user-id": str(CREATOR),
            "time": stamp,
            "sign": site.sign("/api2/v2/chats", stamp),  # signed without the query
        }
    )
    assert site.http.send(request).status_code == 401


def test_secrets_report_every_sign_seen(site: Site) -> None:
    site.ok("GET", "/users/me")
    secrets = site.sim("GET", "/secrets")
    assert set(secrets) >= {"cookies", "appToken", "xbc", "signSecret", "wsToken", "media"}
    assert set(secrets["media"]) == {"Policy", "Signature", "Key-Pair-Id"}
    assert len(secrets["signatures"]) >= 2
    assert all(re.fullmatch(r"[0-9a-f]{40}", s) for s in secrets["signatures"][-2:])


# -- REST shapes -------------------------------------------------------------------------


def test_users_me_carries_the_socket_url_and_token(site: Site) -> None:
    me = site.ok("GET", "/users/me")
    assert me["id"] == CREATOR
    assert me["name"]
    assert me["username"]
    assert "avatar" in me
    assert me["wsUrl"] == "wss://onlyfans.com/ws3/24"
    assert me["wsAuthToken"] == site.secrets["wsToken"]


def test_the_chat_list_pages_with_has_more_and_next_offset(site: Site) -> None:
    seen: list[int] = []
    offset, pages = 0, 0
    while True:
        params = {"limit": 5, "offset": offset, "order": "recent", "skip_users": "all"}
        page = site.ok("GET", "/chats", params=params)
        pages += 1
        assert set(page) == {"list", "hasMore", "nextOffset"}
        for chat in page["list"]:
            assert chat["withUser"] == {"id": chat["withUser"]["id"], "_view": "m"}
            assert "unreadMessagesCount" in chat
            assert "canSendMessage" in chat
        seen += [c["withUser"]["id"] for c in page["list"]]
        assert page["nextOffset"] == offset + len(page["list"])
        offset = page["nextOffset"]
        if not page["hasMore"]:
            break
    assert pages == 3
    assert seen == fan_ids(site)


def test_the_unread_filter_keeps_only_unread_chats(site: Site) -> None:
    params = {"limit": 100, "offset": 0, "order": "recent", "skip_users": "all", "filter": "unread"}
    page = site.ok("GET", "/chats", params=params)
    assert all(c["unreadMessagesCount"] > 0 for c in page["list"])


def test_messages_page_newest_first_with_the_oldest_id_as_cursor(site: Site) -> None:
    counts = site.sim("GET", "/state")["messages"]
    fan = int(max(counts, key=lambda f: counts[f]))
    ids: list[int] = []
    cursor: int | None = None
    while True:
        params: dict[str, Any] = {"limit": 4, "order": "desc", "skip_users": "all"}
        if cursor is not None:
            params["id"] = cursor
        page = site.ok("GET", f"/chats/{fan}/messages", params=params)
        assert set(page) == {"list", "hasMore"}
        ids += [m["id"] for m in page["list"]]
        for m in page["list"]:
            assert m["fromUser"]["_view"] == "m"
        if not page["hasMore"]:
            break
        cursor = page["list"][-1]["id"]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids) == counts[str(fan)]


def test_users_list_returns_full_users_by_id(site: Site) -> None:
    fans = fan_ids(site)[:3]
    users = site.ok("GET", "/users/list", params=[("m[]", f) for f in fans])
    assert set(users) == {str(f) for f in fans}
    for user in users.values():
        assert {"id", "name", "username", "avatar"} <= set(user)
        assert "_view" not in user


def test_unknown_ids_get_404_json(site: Site) -> None:
    for method, path in (
        ("GET", "/chats/1/messages"),
        ("POST", "/chats/1/mark-as-read"),
        ("DELETE", "/messages/1"),
        ("POST", "/messages/1/like"),
        ("GET", "/no/such/endpoint"),
    ):
        reply = site.api(method, path)
        assert reply.status_code == 404, path
        assert reply.json()["error"]["code"] == 404


def test_media_urls_carry_this_runs_cloudfront_params(site: Site) -> None:
    media = site.secrets["media"]
    urls, drm = [], []
    for fan in fan_ids(site):
        page = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 100})
        for message in page["list"]:
            for item in message["media"]:
                urls += [s for s in walk_strings(item) if s.startswith("https://")]
                signature = item["files"].get("drm", {}).get("signature", {})
                drm += list(signature.values())
    signed = [u for u in urls if "Key-Pair-Id=" in u]
    assert signed
    for url in signed:
        assert f"Policy={media['Policy']}&" in url
        assert f"Signature={media['Signature']}&" in url
        assert url.endswith(f"Key-Pair-Id={media['Key-Pair-Id']}")
    for fields in drm:
        assert fields["CloudFront-Policy"] == media["Policy"]
        assert fields["CloudFront-Signature"] == media["Signature"]
        assert fields["CloudFront-Key-Pair-Id"] == media["Key-Pair-Id"]


def test_mark_as_read_like_and_unsend(site: Site) -> None:
    fan = fan_ids(site)[-1]
    assert site.ok("POST", f"/chats/{fan}/mark-as-read") == {"success": True}
    page = site.ok("GET", "/chats", params={"limit": 100, "filter": "unread"})
    assert fan not in [c["withUser"]["id"] for c in page["list"]]
    assert site.ok("DELETE", f"/chats/{fan}/mark-as-read") == {"success": True}
    newest = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 1})["list"][0]
    assert site.ok("POST", f"/messages/{newest['id']}/like")["success"] is True
    again = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 1})["list"][0]
    assert again["isLiked"] is True
    sent = site.ok("POST", f"/chats/{fan}/messages", body={"text": "<p>oops</p>"})
    assert site.ok("DELETE", f"/messages/{sent['id']}") == {"success": True}
    after = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 5})["list"]
    assert sent["id"] not in [m["id"] for m in after]


# -- WebSocket ---------------------------------------------------------------------------


async def test_the_socket_handshake_and_every_heartbeat_variant(site: Site) -> None:
    async with socket(site) as ws:
        assert await recv(ws) == {"connected": True, "v": "5.4.0"}
        for beat in (
            {"act": "get_onlines", "ids": []},
            {"act": "get_onlines"},
            {"act": "ping"},
            {"act": "get_onlines", "ids": fan_ids(site)},
        ):
            await ws.send(json.dumps(beat))
            online = await next_frame(ws, "online")
            assert isinstance(online["online"], list)
        assert online["online"]  # some fans are online
        await ws.send(json.dumps({"act": "typing", "typing_to": fan_ids(site)[0]}))
        await ws.send("not json")
        await ws.send(json.dumps({"act": "ping"}))
        await next_frame(ws, "online")  # still served
    assert fan_ids(site)[0] in site.sim("GET", "/state")["typing"]


async def test_the_older_ws2_path_speaks_the_same_protocol(site: Site) -> None:
    async with socket(site, path="/ws2/") as ws:
        assert await recv(ws) == {"connected": True, "v": "5.4.0"}
        await ws.send(json.dumps({"act": "get_onlines", "ids": []}))
        assert await next_frame(ws, "online") == {"online": []}


async def test_a_wrong_token_gets_an_error_and_no_events(site: Site) -> None:
    async with socket(site, token="stale.token.here") as ws:
        assert await recv(ws) == {"error": 1}
        site.sim("POST", "/fan_message", {"fanId": fan_ids(site)[0], "text": "hi"})
        with pytest.raises(TimeoutError):
            await recv(ws, 1)


async def test_a_fan_message_is_pushed_with_its_counters(site: Site) -> None:
    fan = fan_ids(site)[3]
    async with socket(site) as ws:
        await next_frame(ws, "connected")
        created = site.sim("POST", "/fan_message", {"fanId": fan, "text": "are you there? <3"})
        pushed = (await next_frame(ws, "api2_chat_message"))["api2_chat_message"]
        counters = await recv(ws)
        tip = site.sim("POST", "/fan_message", {"fanId": fan, "kind": "tip", "text": None})
        tipped = (await next_frame(ws, "api2_chat_message"))["api2_chat_message"]
    assert pushed == created
    assert pushed["text"] == "<p>are you there? &lt;3</p>"
    assert pushed["fromUser"]["id"] == fan
    assert {"name", "username", "avatar"} <= set(pushed["fromUser"])
    assert set(counters) == {"chat_messages", "count_priority_chat", "unread_tips"}
    assert counters["chat_messages"] >= 1
    assert tipped["isTip"] is True
    assert tipped["price"] > 0
    assert tip["id"] > created["id"]
    newest = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 2})["list"]
    assert [m["id"] for m in newest] == [tip["id"], created["id"]]
    first = site.ok("GET", "/chats", params={"limit": 1})["list"][0]
    assert first["withUser"]["id"] == fan


async def test_a_signed_send_is_recorded_and_pushed_without_a_recipient(site: Site) -> None:
    fan = fan_ids(site)[1]
    body = {
        "text": "<p>here it is</p>",
        "lockedText": False,
        "mediaFiles": [],
        "price": 12.5,
        "previews": [],
        "rfTag": [],
        "rfGuest": [],
        "rfPartner": [],
        "isForward": False,
    }
    async with socket(site) as ws:
        await next_frame(ws, "connected")
        created = site.ok("POST", f"/chats/{fan}/messages", body=body)
        pushed = (await next_frame(ws, "api2_chat_message"))["api2_chat_message"]
    assert created["text"] == "<p>here it is</p>"
    assert created["price"] == 12.5
    assert created["isFree"] is False
    assert created["fromUser"]["id"] == CREATOR
    assert pushed == created
    assert "wsAuthToken" not in json.dumps(pushed)
    last = site.sim("GET", "/sent")["sent"][-1]
    assert last == {"fanId": fan, "body": body, "message": created}
    newest = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 1})["list"][0]
    assert newest["id"] == created["id"]


def test_fail_sends_answers_429_then_recovers(site: Site) -> None:
    fan = fan_ids(site)[2]
    before = len(site.sim("GET", "/sent")["sent"])
    site.sim("POST", "/fail_sends", {"count": 2})
    for _ in range(2):
        reply = site.api("POST", f"/chats/{fan}/messages", body={"text": "<p>hey</p>"})
        assert reply.status_code == 429
        assert reply.json()["error"]["code"] == 429
    assert site.api("POST", f"/chats/{fan}/messages", body={"text": "<p>hey</p>"}).is_success
    log = site.sim("GET", "/sent")
    assert len(log["sent"]) == before + 1
    assert [r["status"] for r in log["rejected"][-2:]] == [429, 429]


def test_a_send_needs_text_or_media_and_a_valid_price(site: Site) -> None:
    fan = fan_ids(site)[2]
    assert site.api("POST", f"/chats/{fan}/messages", body={"text": "<p></p>"}).status_code == 400
    cheap = {"text": "<p>ppv</p>", "price": 1}
    assert site.api("POST", f"/chats/{fan}/messages", body=cheap).status_code == 400


async def test_the_app_runs_in_process_with_the_exported_sign_rule() -> None:
    state = SiteState(creator_id=CREATOR, n_chats=3, seed=2)
    s = state.secrets
    transport = httpx.ASGITransport(app=create_app(state))
    base = "https://onlyfans.com"
    async with httpx.AsyncClient(transport=transport, base_url=base, cookies=s.cookies()) as client:
        assert (await client.get("/api2/v2/users/me")).status_code == 401
        stamp = str(int(time.time() * 1000))
        headers = {
            "app-token": s.app_token,
            "x-bc": s.xbc,
            "user-id": str(CREATOR),
            "time": stamp,
            "sign": sign(s.sign_secret, stamp, "/api2/v2/chats?limit=2", CREATOR),
        }
        page = (await client.get("/api2/v2/chats?limit=2", headers=headers)).json()
    assert len(page["list"]) == 2
    assert page["hasMore"] is True
    assert page["nextOffset"] == 2
