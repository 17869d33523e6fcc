"""The simulated account as a backfill walks it: paging, the ground truth, fans that change,
and a large account."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.tools.ofsite_site import (
    CREATOR,
    Site,
    next_frame,
    recv,
    socket,
    walk_chats,
    walk_messages,
)
from tools.ofsite import SiteState, create_app, sign

CHATS = 23  # not a multiple of the page sizes below
MESSAGES = 700


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    running = Site(
        tmp_path_factory.mktemp("ofsite-account"),
        CHATS,
        seed=9,
        extra=("--messages", str(MESSAGES)),
    )
    yield running
    running.close()


def truth(site: Site, **params: int) -> dict[str, Any]:
    return dict(site.sim("GET", "/truth", params=params))


def test_messages_total_is_exact_and_spread_over_every_chat(site: Site) -> None:
    counts = site.sim("GET", "/state")["messages"]
    assert len(counts) == CHATS
    assert sum(counts.values()) == MESSAGES
    whole = truth(site)
    assert (whole["creatorId"], whole["totalChats"], whole["totalMessages"]) == (
        CREATOR,
        CHATS,
        MESSAGES,
    )


@pytest.mark.parametrize("limit", [1, 7, 10, 100])
def test_the_chat_list_walk_gives_every_chat_once_in_order(site: Site, limit: int) -> None:
    walked = [c["withUser"]["id"] for c in walk_chats(site, limit)]
    assert walked == [c["fanId"] for c in truth(site)["chats"]]
    assert len(set(walked)) == CHATS


def test_next_offset_past_the_end_is_an_empty_last_page(site: Site) -> None:
    page = site.ok("GET", "/chats", params={"limit": 10, "offset": CHATS})
    assert page == {"list": [], "hasMore": False, "nextOffset": CHATS}


@pytest.mark.parametrize("limit", [1, 10, 33, 100])
def test_the_id_cursor_walk_gives_every_message_once_newest_first(site: Site, limit: int) -> None:
    for chat in truth(site)["chats"][:6]:
        walked = walk_messages(site, chat["fanId"], limit)
        assert walked == chat["messageIds"][::-1]


def test_the_truth_equals_a_full_walk_and_pages_itself(site: Site) -> None:
    whole = truth(site)
    walked = {c["withUser"]["id"]: walk_messages(site, c["withUser"]["id"], 50)
              for c in walk_chats(site)}  # fmt: skip
    assert {c["fanId"]: c["messageIds"][::-1] for c in whole["chats"]} == walked
    users = site.ok("GET", "/users/list", params=[("m[]", f) for f in walked])
    for chat in whole["chats"]:
        assert chat["name"] == users[str(chat["fanId"])]["name"]
        assert chat["username"] == users[str(chat["fanId"])]["username"]
    paged: list[dict[str, Any]] = []
    offset = 0
    while True:
        part = truth(site, offset=offset, limit=10)
        paged += part["chats"]
        if not part["hasMore"]:
            break
        offset = part["nextOffset"]
    assert paged == whole["chats"]


def test_avatars_are_signed_cdn_urls(site: Site) -> None:
    media = site.secrets["media"]
    fans = [c["fanId"] for c in truth(site)["chats"]]
    users = site.ok("GET", "/users/list", params=[("m[]", f) for f in fans])
    avatars = [u["avatar"] for u in users.values() if u["avatar"]]
    avatars += [t for u in users.values() if u["avatarThumbs"] for t in u["avatarThumbs"].values()]
    assert avatars
    for url in avatars:
        assert f"Policy={media['Policy']}&Signature={media['Signature']}&" in url
        assert url.endswith(f"Key-Pair-Id={media['Key-Pair-Id']}")


async def test_fan_update_renames_sets_unread_and_pushes_counters(site: Site) -> None:
    fan = truth(site)["chats"][4]["fanId"]
    async with socket(site) as ws:
        await next_frame(ws, "connected")
        body = {"fanId": fan, "name": "Renamed Fan", "username": "renamed.fan", "unread": 3}
        changed = site.sim("POST", "/fan_update", body)
        counters = await recv(ws)
    assert changed["user"]["name"] == "Renamed Fan"
    assert changed["unreadMessagesCount"] == 3
    assert changed["delivered"] >= 1
    assert set(counters) == {"chat_messages", "count_priority_chat", "unread_tips"}
    assert counters["chat_messages"] == sum(1 for c in truth(site)["chats"] if c["unread"] > 0)
    user = site.ok("GET", "/users/list", params=[("m[]", fan)])[str(fan)]
    assert (user["name"], user["username"]) == ("Renamed Fan", "renamed.fan")
    item = next(c for c in walk_chats(site) if c["withUser"]["id"] == fan)
    assert item["unreadMessagesCount"] == 3
    full = site.ok("GET", f"/chats/{fan}/messages", params={"limit": 100})["list"]
    from_fan = [m["fromUser"] for m in full if m["fromUser"]["id"] == fan]
    assert all(u["name"] == "Renamed Fan" for u in from_fan)
    assert next(c for c in truth(site)["chats"] if c["fanId"] == fan)["unread"] == 3


async def test_fan_update_counts_unread_chats_in_the_frame(site: Site) -> None:
    fans = [c["fanId"] for c in truth(site)["chats"]]
    async with socket(site) as ws:
        await next_frame(ws, "connected")
        for fan in fans:
            site.sim("POST", "/fan_update", {"fanId": fan, "unread": 0})
        frames = [await recv(ws) for _ in fans]
        site.sim("POST", "/fan_update", {"fanId": fans[0], "unread": 2})
        last = await recv(ws)
    assert frames[-1]["chat_messages"] == 0
    assert last["chat_messages"] == 1


def test_fan_update_refuses_unknown_fans_and_bad_values(site: Site) -> None:
    fan = truth(site)["chats"][0]["fanId"]
    post = site.control.post
    assert post("/_sim/fan_update", json={"fanId": 1, "name": "x"}).status_code == 404
    for bad in ({"name": ""}, {"username": "has space"}, {"unread": -1}, {"unread": True}):
        assert post("/_sim/fan_update", json={"fanId": fan, **bad}).status_code == 400, bad


@pytest.mark.slow
async def test_a_2000_chat_200k_message_account_pages_completely() -> None:
    started = time.perf_counter()
    state = SiteState(creator_id=CREATOR, n_chats=2000, seed=3, total_messages=200_000)
    print(f"generated 2,000 chats / 200,000 messages in {time.perf_counter() - started:.1f}s")
    whole = state.truth()
    assert (whole["totalChats"], whole["totalMessages"]) == (2000, 200_000)
    assert sum(len(c["messageIds"]) for c in whole["chats"]) == 200_000
    ids = [i for c in whole["chats"] for i in c["messageIds"]]
    assert len(set(ids)) == len(ids)
    assert all(i < 2**53 for i in ids)
    s = state.secrets
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://onlyfans.com", cookies=s.cookies()
    ) as client:

        async def get(target: str) -> Any:
            stamp = str(int(time.time() * 1000))
            headers = {
                "app-token": s.app_token, "x-bc": s.xbc, "user-id": str(CREATOR), "time": stamp,
                "sign": sign(s.sign_secret, stamp, target, CREATOR),
            }  # fmt: skip
            reply = await client.get(target, headers=headers)
            assert reply.status_code == 200, reply.text
            return reply.json()

        listed: list[int] = []
        offset = 0
        while True:
            page = await get(f"/api2/v2/chats?limit=100&offset={offset}&skip_users=all")
            listed += [c["withUser"]["id"] for c in page["list"]]
            if not page["hasMore"]:
                break
            offset = page["nextOffset"]
        assert listed == [c["fanId"] for c in whole["chats"]]
        for chat in whole["chats"][::250]:  # eight chats walked through, 100 a page
            walked: list[int] = []
            cursor = ""
            while True:
                page = await get(f"/api2/v2/chats/{chat['fanId']}/messages?limit=100{cursor}")
                walked += [m["id"] for m in page["list"]]
                if not page["hasMore"]:
                    break
                cursor = f"&id={page['list'][-1]['id']}"
            assert walked == chat["messageIds"][::-1]
