"""New reply drafts, pushed to the creator's Bridges as `reply_suggestion` frames."""

import contextlib

from nats.aio.client import Client
from nats.errors import Error as NatsError

from contracts import subjects
from contracts.drafts import suggestion_of
from contracts.events import ReplySuggested
from contracts.wire import ReplySuggestionMessage


async def push_suggestions(nc: Client, user_id: str, events: list[ReplySuggested]) -> None:
    for event in events:
        frame = ReplySuggestionMessage(payload=suggestion_of(user_id, event))
        with contextlib.suppress(NatsError):
            await nc.publish(
                subjects.bridge(user_id),
                frame.model_dump_json(by_alias=True).encode(),
                headers={subjects.HEADER_FRAME_TYPE: "reply_suggestion"},
            )
