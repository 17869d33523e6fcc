"""Sliding one-minute windows of issued commands, per creator and per fan.

A human approving a burst of drafts, or an auto-send gone wrong, must not flood fans: beyond
the limit a command is rejected (with the reason), not queued, because a queued message to a
fan goes stale.
"""

from collections import deque

WINDOW_MS = 60_000


class RateLimiter:
    def __init__(self, per_creator: int, per_fan: int) -> None:
        self.per_creator = per_creator
        self.per_fan = per_fan
        self._creator: dict[str, deque[int]] = {}
        self._fan: dict[tuple[str, str], deque[int]] = {}

    @staticmethod
    def _count(window: deque[int] | None, now_ms: int) -> int:
        if window is None:
            return 0
        while window and window[0] <= now_ms - WINDOW_MS:
            window.popleft()
        return len(window)

    def refusal(self, user_id: str, chat_id: str, now_ms: int) -> str | None:
        """Why a command for this fan may not be issued now, or None if it may."""
        if self._count(self._creator.get(user_id), now_ms) >= self.per_creator:
            return f"rate limit: {self.per_creator} commands per minute for this creator"
        if self._count(self._fan.get((user_id, chat_id)), now_ms) >= self.per_fan:
            return f"rate limit: {self.per_fan} commands per minute to this fan"
        return None

    def record(self, user_id: str, chat_id: str, at_ms: int) -> None:
        self._creator.setdefault(user_id, deque()).append(at_ms)
        self._fan.setdefault((user_id, chat_id), deque()).append(at_ms)

    def forget(self, user_id: str) -> None:
        self._creator.pop(user_id, None)
        for key in [k for k in self._fan if k[0] == user_id]:
            del self._fan[key]
