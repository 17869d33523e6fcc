"""A hand-computed conversation through the real stack gives the numbers docs/metrics.md says."""

import asyncio

import pytest

from ofca.agent_protocol import AgentClient, new_raw_message
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, get, new_creator
from tests.ingest.stack import IngestProcess

pytestmark = pytest.mark.nats
FAN = 400_001


def message(
    creator: int, mid: int, sender: int, at: str, text: str, **extra: object
) -> dict[str, object]:
    return {"id": mid, "fromUser": {"id": sender}, "createdAt": at, "text": f"<p>{text}</p>",
            "price": 0, "isFree": True, "isTip": False, "mediaCount": 0, **extra}  # fmt: skip


async def test_hand_computed_conversation(
    gateway: Gateway, services: tuple[IngestProcess, GraphProcess]
) -> None:
    creator = new_creator()
    user = str(creator)
    # 10:00 fan asks, 10:07 creator answers (a 7-minute first response, bucket 5-15m),
    # 10:20 creator sends a $9.99 PPV which the fan buys, 13:00 the fan tips $5 and waits.
    conversation = [
        message(creator, 1, FAN, "2024-05-06T10:00:00+00:00", "hi there"),
        message(creator, 2, creator, "2024-05-06T10:07:00+00:00", "hey you"),
        message(creator, 3, creator, "2024-05-06T10:20:00+00:00", "new set", price=9.99,
                isFree=False, mediaCount=1, canPurchase=False, isOpened=True),
        message(creator, 4, FAN, "2024-05-06T13:00:00+00:00", "for you", price=5, isTip=True),
    ]  # fmt: skip
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    for item in conversation:
        await agent.send_and_wait(new_raw_message(FAN, item))
    window = {"from": "2024-05-06T00:00:00+00:00", "to": "2024-05-07T00:00:00+00:00"}
    for _ in range(100):
        analytics = (await get(gateway, user, "/analytics", **window)).json()
        if analytics.get("money") and analytics["money"]["tipsTotal"]:
            break
        await asyncio.sleep(0.2)
    buckets = {b["label"]: b["count"] for b in analytics["responses"]["frtBuckets"]}
    assert buckets["5-15m"] == 1 and sum(buckets.values()) == 2 and buckets["never"] == 1
    assert analytics["responses"]["medianReplyMinutes"] == 7.0
    assert analytics["responses"]["unansweredShare"] == 0.5
    money = analytics["money"]
    assert (money["tipsTotal"], money["ppvTotal"], money["revenueTotal"]) == (5.0, 9.99, 14.99)
    assert (money["ppvSent"], money["ppvPurchased"], money["ppvConversion"]) == (1, 1, 1.0)
    day = next(d for d in analytics["activity"]["messagesByDay"] if d["day"] == "2024-05-06")
    assert (day["inbound"], day["outbound"]) == (2, 2)
    heat = analytics["activity"]["heatmap"]
    assert heat[0][10] == 1 and heat[0][13] == 1  # Monday 10:00 and 13:00 UTC, inbound only
    node = (await get(gateway, user, "/chats")).json()["items"][0]
    assert node["revenue"] == {"tips": 5.0, "ppv": 9.99, "total": 14.99}
    assert node["awaitingReplySince"].startswith("2024-05-06T13:00")
    await agent.close()
