"""The simulator's rate limit, forced failures and request log, over HTTPS (its CLI)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.tools.ofsite_site import Site, fan_ids

RATE = 5
BUSY = {"error": {"code": 429, "message": "Too many requests"}}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    running = Site(tmp_path_factory.mktemp("ofsite-traffic"), 6, extra=("--rate-limit", str(RATE)))
    yield running
    running.close()


@pytest.fixture
def unlimited(site: Site) -> Iterator[Site]:
    """The same site with the limit lifted for one test (restored afterwards)."""
    site.sim("POST", "/rate_limit", {"limit": None})
    yield site
    site.sim("POST", "/rate_limit", {"limit": RATE, "window": 1})


def test_a_burst_over_the_rate_limit_gets_429_with_retry_after(site: Site) -> None:
    time.sleep(1.1)  # an empty window to start from
    replies = [site.api("GET", "/users/me") for _ in range(RATE + 4)]
    served = [r for r in replies if r.status_code == 200]
    refused = [r for r in replies if r.status_code == 429]
    assert len(served) <= RATE
    assert len(served) + len(refused) == len(replies)
    assert refused, "a burst over the limit was never refused"
    for reply in refused:
        assert reply.json() == BUSY
        assert int(reply.headers["retry-after"]) >= 1
    time.sleep(int(refused[-1].headers["retry-after"]) + 0.1)  # as the header says
    assert site.api("GET", "/users/me").status_code == 200


def test_the_rate_limit_can_be_lifted_and_set_again(site: Site) -> None:
    site.sim("POST", "/rate_limit", {"limit": None})
    try:
        assert all(site.api("GET", "/users/me").status_code == 200 for _ in range(3 * RATE))
    finally:
        site.sim("POST", "/rate_limit", {"limit": RATE, "window": 1})
    statuses = {site.api("GET", "/users/me").status_code for _ in range(2 * RATE)}
    assert 429 in statuses


def test_throttle_answers_429_with_its_retry_after_then_recovers(unlimited: Site) -> None:
    site = unlimited
    site.sim("POST", "/throttle", {"count": 2, "retryAfter": 7})
    first, second = site.api("GET", "/chats"), site.api("GET", "/users/me")
    for reply in (first, second):
        assert reply.status_code == 429
        assert reply.headers["retry-after"] == "7"
        assert reply.json() == BUSY
    assert site.api("GET", "/chats").status_code == 200


def test_throttle_answers_a_5xx_with_or_without_retry_after(unlimited: Site) -> None:
    site = unlimited
    site.sim("POST", "/throttle", {"count": 1, "status": 503})
    bare = site.api("GET", "/chats")
    assert bare.status_code == 503
    assert "retry-after" not in bare.headers
    assert bare.json()["error"]["code"] == 503
    site.sim("POST", "/throttle", {"count": 1, "status": 503, "retryAfter": 3})
    told = site.api("GET", "/chats")
    assert (told.status_code, told.headers["retry-after"]) == (503, "3")


def test_throttle_leaves_sends_alone(unlimited: Site) -> None:
    site = unlimited
    site.sim("POST", "/throttle", {"count": 1})
    fan = fan_ids(site)[0]
    sent = site.api("POST", f"/chats/{fan}/messages", body={"text": "<p>still sent</p>"})
    assert sent.status_code == 200
    assert site.api("GET", "/users/me").status_code == 429  # the throttle was still waiting


def test_bad_control_bodies_are_refused(site: Site) -> None:
    for path, body in (
        ("/throttle", {"count": -1}),
        ("/throttle", {"count": 1, "status": 404}),
        ("/throttle", {"count": 1, "retryAfter": "soon"}),
        ("/rate_limit", {"limit": 0}),
        ("/rate_limit", {"limit": 3, "window": 0}),
    ):
        assert site.control.post("/_sim" + path, json=body).status_code == 400, body


def test_the_request_log_has_times_targets_and_pages_with_since(unlimited: Site) -> None:
    site = unlimited
    mark = site.log_size()
    fan = fan_ids(site)[0]
    site.api("GET", "/chats", params={"limit": 3, "offset": 0})
    site.api("GET", f"/chats/{fan}/messages", params={"limit": 2, "order": "desc"})
    entries = site.sim("GET", "/requests", params={"since": mark})
    assert [e["index"] for e in entries] == [mark, mark + 1]
    chats, messages = entries
    assert chats["target"] == "/api2/v2/chats?limit=3&offset=0"
    assert chats["path"] == "/api2/v2/chats"
    assert chats["endpoint"] == "GET /chats"
    assert messages["endpoint"] == "GET /chats/{id}/messages"
    assert messages["target"] == f"/api2/v2/chats/{fan}/messages?limit=2&order=desc"
    assert chats["status"] == messages["status"] == 200
    assert abs(chats["at"] / 1000 - time.time()) < 60  # epoch milliseconds
    assert chats["at"] <= messages["at"]
    assert site.sim("GET", "/requests", params={"since": mark + 1, "limit": 1}) == [messages]


def test_request_stats_count_endpoints_statuses_windows_and_duplicates(unlimited: Site) -> None:
    site = unlimited
    mark = site.log_size()
    for _ in range(3):
        site.api("GET", "/chats", params={"limit": 2, "offset": 2})
    site.api("GET", "/chats", params={"limit": 2, "offset": 4})
    site.sim("POST", "/throttle", {"count": 1})
    site.api("GET", "/users/me")  # 429
    site.api("GET", "/users/me")  # 200: asked twice, served once
    wide = site.sim("GET", "/request_stats", params={"window": 3600, "since": mark})
    assert wide["total"] == 6
    assert wide["byEndpoint"] == {"GET /chats": 4, "GET /users/me": 2}
    assert wide["statuses"] == {"200": 5, "429": 1}
    assert wide["maxInWindow"] == 6  # all of them within an hour
    assert wide["duplicates"] == {
        "/api2/v2/chats?limit=2&offset=2": 3,
        "/api2/v2/users/me": 2,
    }
    assert wide["duplicatesServed"] == {"/api2/v2/chats?limit=2&offset=2": 3}
    narrow = site.sim("GET", "/request_stats", params={"window": 1e-9, "since": mark})
    assert narrow["maxInWindow"] == 1
