"""The rules behind the simulator's rate limit and request log, without a server."""

from __future__ import annotations

from tools.ofsite.traffic import RateLimit, RequestLog, Throttle, endpoint, max_in_window


def test_the_rate_limit_admits_n_per_sliding_window_and_says_when_to_come_back() -> None:
    limit = RateLimit(3, 1.0)
    assert [limit.take(t) is None for t in (0.0, 0.1, 0.2)] == [True, True, True]
    refused = limit.take(0.3)
    assert refused is not None
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"  # the first slot frees at 1.0
    assert limit.take(1.0) is None  # 0.0 has left the window
    assert limit.take(1.05) is not None
    assert limit.take(1.1) is None


def test_refused_requests_do_not_fill_the_window() -> None:
    limit = RateLimit(1, 1.0)
    assert limit.take(0.0) is None
    assert all(limit.take(0.1 * i) is not None for i in range(1, 10))
    assert limit.take(1.0) is None


def test_a_long_window_tells_the_whole_wait() -> None:
    limit = RateLimit(1, 60.0)
    assert limit.take(0.0) is None
    refused = limit.take(10.0)
    assert refused is not None
    assert refused.headers["retry-after"] == "50"


def test_no_limit_admits_everything() -> None:
    limit = RateLimit(None)
    assert all(limit.take(0.0) is None for _ in range(1000))


def test_the_throttle_counts_down_gets_only() -> None:
    throttle = Throttle(2, 503, None)
    assert throttle.take("POST") is None
    first = throttle.take("GET")
    assert first is not None
    assert first.status_code == 503
    assert "retry-after" not in first.headers
    assert throttle.take("GET") is not None
    assert throttle.take("GET") is None


def test_the_log_keeps_every_request_and_pages_with_since() -> None:
    log = RequestLog()
    for i in range(12_000):
        log.add("GET", f"/api2/v2/chats?offset={i}", 200, 1_000.0 + i)
    assert len(log.since(0)) == 12_000
    tail = log.since(11_990)
    assert [e["index"] for e in tail] == list(range(11_990, 12_000))
    assert log.since(5, 2)[0]["target"] == "/api2/v2/chats?offset=5"


def test_stats_find_the_busiest_window() -> None:
    log = RequestLog()
    for at in (0, 100, 900, 1000, 1050, 1080, 3000):  # milliseconds
        log.add("GET", "/api2/v2/users/me", 200, at)
    stats = log.stats(1.0)
    assert stats["maxInWindow"] == 5  # [100, 1100): 100, 900, 1000, 1050, 1080
    assert log.stats(0.5)["maxInWindow"] == 4  # [900, 1400): 900, 1000, 1050, 1080
    assert log.stats(10.0)["maxInWindow"] == 7
    assert stats["duplicates"] == {"/api2/v2/users/me": 7}


def test_max_in_window_is_half_open() -> None:
    assert max_in_window([0.0, 1000.0, 2000.0], 1000.0) == 1  # exactly one second apart
    assert max_in_window([0.0, 999.0, 1998.0], 1000.0) == 2
    assert max_in_window([], 1000.0) == 0


def test_endpoints_name_the_route_without_ids() -> None:
    assert endpoint("GET", "/api2/v2/chats/123/messages") == "GET /chats/{id}/messages"
    assert endpoint("POST", "/api2/v2/messages/55/like") == "POST /messages/{id}/like"
    assert endpoint("GET", "/api2/v2/users/list") == "GET /users/list"
