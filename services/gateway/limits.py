"""Per-token limits on one gateway process: open sockets, and frames per second.

A token (its `jti`) may hold `OFCA_SOCKETS_PER_TOKEN` sockets on this gateway; the next
handshake is refused. Its sockets share one token bucket of `OFCA_FRAMES_PER_SECOND` with room
for `OFCA_FRAME_BURST` frames at once: a frame beyond it is dropped and answered with
`system_error` `rate_limited`. Refused frames draw on a second bucket of the same size and rate,
so a client may overshoot for a while (up to twice the rate, sustained); one that keeps sending
after that is flooding, and its socket is closed with 1013 (try again later).

A token's buckets outlive its sockets until they have refilled, so reconnecting does not reset
them. Limits are per process: behind a load balancer each gateway applies its own.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class TokenBucket:
    """`rate` tokens per second up to `burst`; `take` spends one if there is one."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self._clock = clock
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def take(self, amount: float = 1) -> bool:
        self._refill()
        if self.tokens >= amount:
            self.tokens -= amount
            return True
        return False

    def seconds_to_full(self) -> float:
        self._refill()
        return (self.burst - self.tokens) / self.rate

    def retry_after(self, amount: float = 1) -> float:
        """Seconds until `amount` (one frame, or a frame's bytes) may pass."""
        self._refill()
        return max(0.0, (min(amount, self.burst) - self.tokens) / self.rate)


class Admission(Enum):
    ACCEPT = "accept"
    LIMITED = "limited"  # drop the frame, answer `rate_limited`
    FLOODING = "flooding"  # drop the frame, close the socket with 1013


@dataclass
class _TokenState:
    sockets: int = 0
    frames: TokenBucket | None = None
    refused: TokenBucket | None = None
    bytes: TokenBucket | None = None
    waiting_for: float = 0.0  # the bytes of the last frame refused for its size
    forget: asyncio.TimerHandle | None = field(default=None, repr=False)


class TokenLimits:
    def __init__(
        self,
        sockets_per_token: int,
        frames_per_second: float,
        frame_burst: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        bytes_per_second: float = 0,
        byte_burst: int = 0,
    ) -> None:
        self.sockets_per_token = sockets_per_token
        self.frames_per_second = frames_per_second
        self.frame_burst = max(1, frame_burst)
        self.bytes_per_second = bytes_per_second
        self.byte_burst = max(1, byte_burst)
        self._clock = clock
        self._tokens: dict[str, _TokenState] = {}

    def open_socket(self, token_id: str) -> bool:
        """Count one more socket of `token_id`; False (nothing counted) when it has enough."""
        state = self._tokens.setdefault(token_id, _TokenState())
        if 0 < self.sockets_per_token <= state.sockets:
            return False
        if state.forget is not None:
            state.forget.cancel()
            state.forget = None
        state.sockets += 1
        return True

    def close_socket(self, token_id: str) -> None:
        state = self._tokens.get(token_id)
        if state is None:
            return
        state.sockets = max(0, state.sockets - 1)
        if state.sockets:
            return
        buckets = (state.frames, state.refused, state.bytes)
        wait = max((b.seconds_to_full() for b in buckets if b is not None), default=0.0)
        if wait <= 0:
            del self._tokens[token_id]
            return
        state.forget = asyncio.get_running_loop().call_later(wait, self._forget, token_id)

    def _forget(self, token_id: str) -> None:
        state = self._tokens.get(token_id)
        if state is not None and state.sockets == 0:
            del self._tokens[token_id]

    def admit(self, token_id: str, size: int = 0) -> Admission:
        """Whether one more frame of `token_id`, of `size` bytes, may be handled."""
        if self.frames_per_second <= 0 and self.bytes_per_second <= 0:
            return Admission.ACCEPT
        state = self._tokens.setdefault(token_id, _TokenState())
        if state.refused is None:
            rate = self.frames_per_second if self.frames_per_second > 0 else 1_000_000.0
            state.refused = TokenBucket(rate, self.frame_burst, self._clock)
            if self.frames_per_second > 0:
                state.frames = TokenBucket(self.frames_per_second, self.frame_burst, self._clock)
            if self.bytes_per_second > 0:
                state.bytes = TokenBucket(self.bytes_per_second, self.byte_burst, self._clock)
        sized = state.bytes is None or state.bytes.take(size)
        state.waiting_for = 0.0 if sized else float(size)
        if sized and (state.frames is None or state.frames.take()):
            return Admission.ACCEPT
        return Admission.LIMITED if state.refused.take() else Admission.FLOODING

    def retry_after(self, token_id: str) -> float:
        state = self._tokens.get(token_id)
        if state is None:
            return 0.0
        waits = [state.frames.retry_after()] if state.frames is not None else []
        if state.bytes is not None and state.waiting_for:
            waits.append(state.bytes.retry_after(state.waiting_for))
        return max(waits, default=0.0)

    def tracked(self) -> int:
        """Tokens with open sockets or buckets still refilling (for tests and metrics)."""
        return len(self._tokens)


class RequestLimits:
    """REST requests per token (its `jti`): `rate` per second with room for `burst` at once.

    A token over it gets 429 with `Retry-After`, so one analyst's script cannot queue heavy
    queries in front of every other creator's. Buckets that refilled are dropped as the table
    grows, so tokens that stopped calling cost nothing."""

    PRUNE_AT = 10_000

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def admit(self, token_id: str) -> float | None:
        """None when the request may go on, else the seconds to wait before the next."""
        if self.rate <= 0:
            return None
        bucket = self._buckets.get(token_id)
        if bucket is None:
            if len(self._buckets) >= self.PRUNE_AT:
                self._buckets = {k: b for k, b in self._buckets.items() if b.seconds_to_full() > 0}
            bucket = self._buckets[token_id] = TokenBucket(self.rate, self.burst, self._clock)
        return None if bucket.take() else max(0.001, bucket.retry_after())
