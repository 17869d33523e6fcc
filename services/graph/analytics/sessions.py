"""Sessions, turns and inbound runs of one chat: the building blocks of `docs/metrics.md`.

`scan_chat` walks a chat's live messages once, from the start of the session that contains the
window's first message to the point where every session and run that begins in the window has
ended, so a short window over a long history costs only the window.
"""

from bisect import bisect_left
from dataclasses import dataclass, field
from operator import attrgetter

from services.graph.state import Chat, Message

MINUTE_MS = 60_000
DAY_MS = 86_400_000
SESSION_GAP_MS = 30 * MINUTE_MS  # a gap this long or longer starts a new session
SILENCE_AFTER_MS = 24 * 60 * MINUTE_MS  # an inbound run unanswered this long is silent

_created_at = attrgetter("created_at")


@dataclass(slots=True, frozen=True)
class Session:
    start_ms: int
    end_ms: int
    turns: int
    topics: frozenset[str]  # mentioned by its inbound messages

    @property
    def minutes(self) -> float:
        return (self.end_ms - self.start_ms) / MINUTE_MS


@dataclass(slots=True, frozen=True)
class InboundRun:
    start_ms: int  # the run's first message
    response_ms: int | None  # the first outbound message after the run; None: unanswered
    opens_session: bool  # its first message is the first inbound message of its session
    topics: frozenset[str]

    @property
    def response_minutes(self) -> float | None:
        if self.response_ms is None:
            return None
        return (self.response_ms - self.start_ms) / MINUTE_MS

    def silent(self, now_ms: int) -> bool | None:
        """True: unanswered for more than 24 h; False: answered within 24 h; None: pending."""
        if self.response_ms is not None:
            return self.response_ms - self.start_ms > SILENCE_AFTER_MS
        if now_ms - self.start_ms > SILENCE_AFTER_MS:
            return True
        return None


@dataclass(slots=True)
class ChatScan:
    """The sessions and inbound runs of one chat that belong to the window."""

    sessions: list[Session] = field(default_factory=list)
    runs: list[InboundRun] = field(default_factory=list)


def live_messages(chat: Chat) -> list[Message]:
    """The chat's messages oldest first, deleted ones left out."""
    messages = chat.messages
    return [m for _, message_id in chat.order if not (m := messages[message_id]).deleted]


def window_bounds(messages: list[Message], from_ms: int, to_ms: int) -> tuple[int, int]:
    """Indexes [lo, hi) of the messages whose time is in [from_ms, to_ms)."""
    lo = bisect_left(messages, from_ms, key=_created_at)
    return lo, bisect_left(messages, to_ms, lo=lo, key=_created_at)


def _session_start(messages: list[Message], index: int) -> int:
    while (
        index > 0 and messages[index].created_at - messages[index - 1].created_at < SESSION_GAP_MS
    ):
        index -= 1
    return index


def scan_chat(messages: list[Message], lo: int, hi: int) -> ChatScan:
    """Sessions and inbound runs whose first message has an index in [lo, hi)."""
    scan = ChatScan()
    if lo >= hi:
        return scan
    start = _session_start(messages, lo)
    # A run already open at `start` began before the window: it continues, untracked.
    prev_dir = messages[start - 1].direction if start > 0 else "out"
    prev_ms = 0
    session_first = -1  # index of the current session's first message; -1: none yet
    session_start_ms = turns = 0
    session_topics: set[str] = set()
    session_has_inbound = False
    run_open = False  # a tracked run (begun in the window) awaits its response
    run_start_ms, run_opens = 0, False
    run_topics: set[str] = set()
    for index in range(start, len(messages)):
        message = messages[index]
        at, direction = message.created_at, message.direction
        if session_first < 0 or at - prev_ms >= SESSION_GAP_MS:
            if lo <= session_first < hi:
                scan.sessions.append(
                    Session(session_start_ms, prev_ms, turns, frozenset(session_topics))
                )
            if index >= hi and not run_open:
                break
            session_first, session_start_ms, turns = index, at, 1
            session_topics = set()
            session_has_inbound = False
        elif direction != prev_dir:
            turns += 1
        if direction == "in":
            if prev_dir == "out":
                run_open = lo <= index < hi
                run_start_ms, run_opens = at, not session_has_inbound
                run_topics = set(message.topics)
            elif run_open:
                run_topics.update(message.topics)
            session_has_inbound = True
            session_topics.update(message.topics)
        elif run_open:
            scan.runs.append(InboundRun(run_start_ms, at, run_opens, frozenset(run_topics)))
            run_open = False
        prev_dir, prev_ms = direction, at
    else:
        if lo <= session_first < hi:
            scan.sessions.append(
                Session(session_start_ms, prev_ms, turns, frozenset(session_topics))
            )
        if run_open:
            scan.runs.append(InboundRun(run_start_ms, None, run_opens, frozenset(run_topics)))
    return scan


def waiting_since(messages: list[Message]) -> int | None:
    """Epoch ms of the first message of the trailing inbound run; None if the fan is not waiting."""
    since = None
    for message in reversed(messages):
        if message.direction == "out":
            break
        since = message.created_at
    return since
