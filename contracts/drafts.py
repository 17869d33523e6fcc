"""A `reply_suggested` event as the Bridge and REST see it (`ReplySuggestion`).

Shared because two services show drafts: enrichment pushes new ones live, graph serves the
current ones over REST.
"""

from datetime import UTC, datetime
from typing import Literal, cast

from contracts.events import ReplySuggested
from contracts.models.commands import ReplySuggestion

DraftSource = Literal["retrieval", "template", "llm"]


def suggestion_of(user_id: str, event: ReplySuggested) -> ReplySuggestion:
    return ReplySuggestion(
        draft_id=event.draft_id,
        user_id=user_id,
        chat_id=str(event.chat_id),
        reply_to_message_id=str(event.reply_to),
        text=event.text,
        intent=event.intent,
        source=cast(DraftSource, event.source),
        confidence=event.confidence,
        blocked=event.blocked,
        block_reasons=list(event.block_reasons),
        model=event.model,
        created_at=datetime.fromtimestamp(event.at / 1000, UTC),
    )
