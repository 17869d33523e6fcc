"""Shared builders for the agency-network tests: events per creator, views, edges."""

from contracts.events import (
    Event,
    FanProfileSeen,
    MessageAdded,
    MessageDeleted,
    MessageScored,
    PpvPurchased,
    PpvSent,
    TipReceived,
)
from contracts.models.graph import GraphView
from services.graph.network import MAX_LIMIT, Network, subgraph_view
from services.graph.state import CreatorState

ANNA, BELLA = 300000, 300001
SHARED, GYM_FAN, BELLA_FAN = 400001, 400002, 400003
T0 = 1_700_000_000_000


class Chats:
    """Events for one creator, with ids and times filled in."""

    def __init__(self, creator: int) -> None:
        self.creator = creator
        self.events: list[Event] = []
        self.next_id = creator * 1000

    def _id(self, *parts: object) -> str:
        return ":".join(str(p) for p in (self.creator, *parts))

    def message(
        self,
        fan: int,
        direction: str = "in",
        *,
        topics: tuple[str, ...] = (),
        tip: float = 0.0,
        ppv: float = 0.0,
        bought: bool = False,
        deleted: bool = False,
    ) -> int:
        self.next_id += 1
        mid = self.next_id
        self.events.append(
            MessageAdded(
                event_id=self._id(fan, mid, "added"),
                creator_id=self.creator,
                chat_id=fan,
                message_id=mid,
                direction="in" if direction == "in" else "out",
                sender_id=fan if direction == "in" else self.creator,
                created_at=T0 + mid,
                text_html="hello",
                text_plain="hello",
                price=tip or ppv,
                is_free=not (tip or ppv),
                is_tip=bool(tip),
                media_count=0,
                media_types=(),
                is_ppv=bool(ppv),
                is_opened=False,
                source="snapshot",
            )
        )
        if tip:
            self.events.append(
                TipReceived(
                    event_id=self._id(fan, mid, "tip"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    fan_id=fan,
                    amount=tip,
                    created_at=T0 + mid,
                )
            )
        if ppv:
            self.events.append(
                PpvSent(
                    event_id=self._id(fan, mid, "ppv"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    price=ppv,
                    media_count=1,
                    created_at=T0 + mid,
                )
            )
        if bought:
            self.events.append(
                PpvPurchased(
                    event_id=self._id(fan, mid, "bought"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    fan_id=fan,
                    price=ppv,
                )
            )
        if topics:
            self.events.append(
                MessageScored(
                    event_id=self._id(fan, mid, "scored"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    sentiment=0.6,
                    topics=topics,
                    model="test-1",
                )
            )
        if deleted:
            self.events.append(
                MessageDeleted(
                    event_id=self._id(fan, mid, "deleted"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                )
            )
        return mid

    def profile(self, fan: int, name: str | None, username: str | None = None) -> None:
        self.events.append(
            FanProfileSeen(
                event_id=self._id(fan, "profile"),
                creator_id=self.creator,
                fan_id=fan,
                name=name,
                username=username,
            )
        )

    def state(self, events: list[Event] | None = None) -> CreatorState:
        state = CreatorState(self.creator)
        for event in self.events if events is None else events:
            state.apply(event)
        return state


def agency() -> tuple[Chats, Chats]:
    """Anna: the shared fan (feet; a $20 tip; a deleted gym message) and a gym fan who bought a
    $15 PPV. Bella: the shared fan again (feet) and a gym fan."""
    anna, bella = Chats(ANNA), Chats(BELLA)
    anna.profile(SHARED, "Sam", "sam")
    anna.message(SHARED, topics=("feet",))
    anna.message(SHARED, "out")
    anna.message(SHARED, topics=("feet",), tip=20.0)
    anna.message(SHARED, topics=("gym",), deleted=True)
    anna.message(GYM_FAN, topics=("gym",))
    anna.message(GYM_FAN, "out", ppv=15.0, bought=True)
    anna.message(GYM_FAN, topics=("gym", "gym"))
    bella.message(SHARED, topics=("feet",))
    bella.message(SHARED, "out")
    bella.message(BELLA_FAN, topics=("gym",))
    bella.message(BELLA_FAN, topics=("gym",))
    return anna, bella


def full(network: Network) -> GraphView:
    return subgraph_view(network, limit=MAX_LIMIT)


def edge_between(view: GraphView, source: str, target: str) -> dict[str, object]:
    [edge] = [e for e in view.edges if (e.source, e.target) == (source, target)]
    return edge.model_dump(by_alias=False)
