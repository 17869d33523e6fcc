"""What the Brain's data covers for a creator (`Coverage`), from the Agent's capture reports.

A figure computed on part of an inbox must say so. The Agent reports whether it walked the
whole chat list and, per chat, whether its backfill captured the history back to the first
message (or to the date the creator picked); the Brain counts what it holds. From these:

- `share_complete`: chats with their whole history / chats known;
- `complete_since`: the instant after which every known chat is captured: the latest of, per
  chat not complete, the oldest message of its unbroken captured run (the backfill's walk), or
  its newest message when the backfill has not read it yet; for complete chats the backfill's
  `since` (when the creator chose one). Unknown (null) while the chat list is not walked whole.
- `whole`: the list and every chat are complete: figures cover everything.
"""

from datetime import UTC, datetime

from contracts.models.insights import BackfillStatus, Coverage
from services.graph.state import CreatorState


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def coverage_of(state: CreatorState | None) -> Coverage:
    """The coverage of `state` (an empty `Coverage` when the Brain holds nothing)."""
    if state is None:
        return Coverage()
    capture = state.capture
    known = max(len(state.chats), capture.chats_known if capture else 0)
    list_complete = capture is not None and capture.list_complete
    complete = 0
    messages = 0
    bound: int | None = None  # complete_since, in epoch ms
    for chat in state.chats.values():
        messages += len(chat.messages)
        covered = chat.coverage
        if covered is not None and covered.complete:
            complete += 1
            edge = capture.since if capture else None
        elif covered is not None and covered.oldest_at is not None:
            edge = covered.oldest_at
        else:
            edge = chat.order[-1][0] if chat.order else None
        if edge is not None and (bound is None or edge > bound):
            bound = edge
    whole = list_complete and known > 0 and complete == known
    backfill = None
    if capture is not None:
        backfill = BackfillStatus(
            state=capture.backfill_state,
            chats_done=capture.chats_done,
            chats_total=capture.chats_total,
            since=_dt(capture.since),
            rate_limited_until=_dt(capture.rate_limited_until),
            requests=capture.requests,
            started_at=_dt(capture.started_at),
            reported_at=_dt(capture.at),
        )
    return Coverage(
        chats_known=known,
        chat_list_complete=list_complete,
        chats_complete=complete,
        share_complete=round(complete / known, 4) if known else None,
        messages_captured=messages,
        complete_since=_dt(bound) if list_complete else None,
        whole=whole,
        last_capture_at=_dt(capture.last_capture_at) if capture else None,
        backfill=backfill,
    )
