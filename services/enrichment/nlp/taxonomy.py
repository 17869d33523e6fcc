"""The topic taxonomy: what creators' chats are about, as an analyst sorts them.

Fitted to OnlyFans-style chats rather than generic customer service: the topics are the ones a
chatter acts on differently (a content request wants an offer, a complaint wants care, a
leaving fan wants a retention move). A message may carry several topics, or none.
"""

from typing import Final

GREETING: Final = "greeting"
COMPLIMENT: Final = "compliment_flirt"
CONTENT_REQUEST: Final = "content_request"
CUSTOM_REQUEST: Final = "custom_request"
PRICING: Final = "pricing_negotiation"
PURCHASE_INTENT: Final = "purchase_intent"
TIP: Final = "tip"
COMPLAINT: Final = "complaint_refund"
SCHEDULING: Final = "scheduling"
SMALL_TALK: Final = "small_talk"
LEAVING: Final = "leaving_unsubscribe"

TOPICS: Final[tuple[str, ...]] = (
    GREETING,
    COMPLIMENT,
    CONTENT_REQUEST,
    CUSTOM_REQUEST,
    PRICING,
    PURCHASE_INTENT,
    TIP,
    COMPLAINT,
    SCHEDULING,
    SMALL_TALK,
    LEAVING,
)

DESCRIPTIONS: Final[dict[str, str]] = {
    GREETING: "hello, hey, good morning, first message of a visit",
    COMPLIMENT: "praise of the creator's looks or content, flirting",
    CONTENT_REQUEST: "asks for existing content: pics, videos, sets, 'send me more'",
    CUSTOM_REQUEST: "asks for something made for them: a custom video, a name, an outfit",
    PRICING: "asks what something costs, haggles, asks for a discount or bundle",
    PURCHASE_INTENT: "says they will buy, unlock or subscribe; 'how do I get it', 'unlocking now'",
    TIP: "mentions tipping or a tip they sent",
    COMPLAINT: "unhappy with content or price, asks for a refund, reports a problem",
    SCHEDULING: "times and availability: when are you online, tonight, this weekend, a call",
    SMALL_TALK: "everyday chat: how was your day, weather, work, hobbies",
    LEAVING: "unsubscribing, not renewing, saying goodbye for good",
}
