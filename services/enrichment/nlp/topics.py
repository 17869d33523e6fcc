"""Multi-label topic rules over the taxonomy (``taxonomy.TOPICS``).

Why rules and not a trained classifier: there is no labelled corpus of creator chats to train
on (and the one we could collect is private by nature), the service must run offline on one
core at thousands of messages a second, and an analyst must be able to read why a message got
a topic and fix a miss with one line. The rules are regular expressions over the lower-cased
message, one alternation per topic, written for how fans actually type: slang and
abbreviations ("u", "ur", "pls", "vid", "pic", "sub", "unsub", "rn", "tmrw", "ppv", "dm"),
stretched words ("heyyy", "hiii"), common misspellings, and emoji (🔥😍💦 flirt, 💸💰 money).

Some cues mean the opposite when negated: "not leaving", "I don't want a refund", "never
unsubscribing", "wasn't a scam". Those cues are in the ``negatable`` list of their topic; a
match counts only when none of the three words before it (within the same clause) is a
negator. Phrases whose meaning *is* the negation ("not renewing", "won't load") are ordinary
cues.

Known blind spots are listed in docs/enrichment.md ("What they cannot do").
"""

import re
from dataclasses import dataclass
from typing import Final

from services.enrichment.nlp import taxonomy as tx

_MAX_CHARS: Final = 2_000

# Building blocks, reused across topics.
_YOU: Final = r"(?:you|u|ya|yu)"
_YOUR: Final = r"(?:your|ur|yur|youre|you're|yr)"
_PIC: Final = r"(?:pics?|pix|pictures?|photos?|selfies?|nudes?|sets?|album)"
_VID: Final = r"(?:vids?|videos?|clips?|reels?|content|ppvs?|stuff|bts|replay|footage|pics?)"
_MEDIA: Final = rf"(?:{_PIC}|{_VID})"
_DAY: Final = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_NUM_MONEY: Final = r"(?:\$\s?\d+(?:\.\d\d)?|\d+(?:\.\d\d)?\s?(?:\$|bucks|dollars|usd))"

# Negators looked for in the three words before a negatable cue.
_NEGATORS: Final = frozenset(
    {
        "not",
        "never",
        "no",
        "dont",
        "don't",
        "doesnt",
        "doesn't",
        "didnt",
        "didn't",
        "wont",
        "won't",
        "aint",
        "ain't",
        "isnt",
        "isn't",
        "wasnt",
        "wasn't",
        "wouldnt",
        "wouldn't",
        "cant",
        "can't",
        "cannot",
        "shouldnt",
        "shouldn't",
        "without",
        "nor",
        "stop",
        "nothing",
    }
)
_CLAUSE_BREAK: Final = re.compile(r"[.!?;,:]|\bbut\b")


@dataclass(frozen=True, slots=True)
class _Rules:
    plain: tuple[str, ...] = ()
    negatable: tuple[str, ...] = ()


_RULES: Final[dict[str, _Rules]] = {
    tx.GREETING: _Rules(
        plain=(
            # a greeting word opening the message (after any emoji or punctuation)
            r"^[^a-z0-9]*(?:oh\s+|well\s+)?(?:h+e+y+a?|h+i+(?:y+a+)?|hel+o+|henlo|hai|heya|yo+"
            r"|su+p|wass?up|whats+\s?up|what'?s\s+(?:up|good)|sup|gm|howdy|hola|greetings"
            r"|morning|evening|afternoon|hiya|ello)\b",
            r"\bgood\s+(?:morning|mornin|afternoon|evening|night)\b(?!\s+(?:voice|video|vid|"
            r"message|text|msg|note))",
            r"\b(?:gm|gn)\s+(?:beautiful|gorgeous|babe|baby|love|sexy|cutie|queen|hun|hon)\b",
            r"\bhappy\s+(?:" + _DAY + r"|weekend|new year|holidays|hump day)\b",
            r"\b(?:i'?m|im|i am)\s+new\b|\bnew here\b",
            r"\bjust\s+(?:subbed|subscribed|joined|found\s+" + _YOUR + r"?\s?(?:page|account))\b",
            r"\b(?:just\s+)?re-?(?:subbed|subscribed)\b",
            r"\b(?:missed|miss)\s+(?:you|u|ya|chatting|talking)\b",
            r"\blong time no\b|\bhey stranger\b|\b(?:i'?m|im) back\b",
        ),
    ),
    tx.COMPLIMENT: _Rules(
        plain=(
            r"\b(?:beautiful+|beautifull|beauty|gorgeous|gorgous|stunning|stunner|pretty|prettiest"
            r"|cute|cutest|cutie|sexy|sexiest|hot|hottest|hawt|fine af|so fine|r fine|are fine"
            r"|perfection|flawless|adorable|lovely|babe?y? ?girl|goddess|queen"
            r"|angel|majesty|unreal|obsessed|breathtaking|irresistible|wifey|dream girl"
            r"|slay(?:ing|ed)?|top tier|10\s?/\s?10|chef'?s kiss|legit|fire)\b",
            r"\b(?:love|loved|luv|adore|obsessed with)\s+(?:" + _YOUR + r"|you|u|ya|this|that)\b"
            r"(?!\s+(?:money|tips?))|\b(?:love|loved|luv)\s+the\s+(?:\w+\s+)?" + _MEDIA + r"\b",
            r"\b(?:i'?m|im)\s+(?:in love|crushing)\b|\bcrush on\b|\bmarry me\b",
            r"\b(?:" + _YOUR + r"|those|that|dem|them)\s+(?:\w+\s+)?(?:legs|curves|body|eyes|smile"
            r"|lips|laugh|voice|hair|face|booty|ass|figure|abs|thighs|style|vibe)\b",
            r"\b(?:cutest|prettiest|sweetest|best)\s+(?:laugh|smile|girl|creator|account|page|"
            r"sub|model)\b|\bbest (?:account|creator|page|content|girl)\b",
            r"\bmy\s+(?:fav(?:ou?rite)?|fave)\s+(?:creator|girl|model|account|page)\b",
            r"\b(?:can'?t|cant)\s+stop\s+(?:watching|thinking|looking|staring)\b",
            r"\bthink(?:ing)? about " + _YOU + r"\b",
            r"\b(?:should be illegal|(?:made|make|makes|making) my (?:whole )?(?:day|week|night"
            r"|year)|never disappoint\w*|(?:you|u) (?:earned|deserve) it"
            r"|worth every (?:penny|cent|dollar)|killin[g']? it|killed it|you'?re the best"
            r"|ur the best|so sweet|too sweet|making me blush|damn girl|dayum|sheesh)\b",
            r"^\W*(?:wow|perfect)\b",
            r"\b(?:you'?re|ur|u r|you are|so|being|look|looks|looking|just|absolutely)\s+(?:so\s+)?"
            r"(?:amazing|awesome|incredible|gorgeous|beautiful|perfect)\b",
            r"\b(?:the way|how)\s+" + _YOU + r"\s+(?:smile|look|laugh|move|talk|dance)\b",
            r"\btake\s+" + _YOU + r"\s+out\b",
            r"[😍🔥💦🥵😘🥰❤💋😻🤤💖💘😮]",
        ),
    ),
    tx.CONTENT_REQUEST: _Rules(
        plain=(
            r"\b(?:send|snd|sned|show|post|upload|drop|share)\s+(?:me\s+|us\s+)?(?:\w+\s+){0,4}?"
            r"(?:" + _MEDIA + r"|more|the rest|part\s?\d|the full|another)\b",
            r"\b(?:any|got|have|has|get)\s+(?:any\s?)?(?:\w+\s+){0,2}?" + _MEDIA + r"\b",
            r"\bgot any(?:thing)?\b|\b(?:do|d)\s+" + _YOU + r"\s+have\s+anything\b",
            r"\bshow\s+(?:me|us)\b",
            r"\b(?:can|could|may)\s+i\s+(?:see|get|have|watch)\s+(?:the|" + _YOUR + r"|more|that|"
            r"those|some|a)\b(?:\s+\w+){0,3}?\s+" + _MEDIA + r"\b",
            r"\b(?:can|could|may)\s+i\s+see\b",
            r"\bmore\s+(?:of|" + _MEDIA + r"|\w+\s+" + _MEDIA + r")\b",
            r"\b(?:wanna|want to|love to|like to|tryna|trying to|dying to|need to)\s+see\b",
            r"\b(?<!a )(?:longer|full|extended|uncut|uncensored)\s+(?:version|one|"
            + _MEDIA
            + r")\b",
            r"\bpart\s?(?:2|two|ii)\b|\breplay\b|\bnext drop\b",
            r"\b(?:what'?s|whats|anything|new)\s+(?:\w+\s+){0,2}?vault\b",
            r"\bwhat\s+(?:kind of|sort of)?\s*(?:stuff|content)\b|\bmost popular\b",
            r"\bwhere\s+(?:can|do)\s+i\s+(?:find|see|watch)\b",
            r"\bis\s+the\s+(?:\w+\s+){0,2}" + _MEDIA + r"\s+still\s+(?:up|there|available)\b",
            r"\b(?:new|more)\s+content\b|\bnew\s+(?:pics|vids|videos|photos|sets?)\b",
            r"\bppv\s+(?:pls|plz|please)\b|\b(?:pls|plz|please)\s+(?:send|post)\b",
            r"\b(?:send|snd)\s+(?:me\s+)?(?:the one|a vid|a pic|vid|pic)\b",
        ),
    ),
    tx.CUSTOM_REQUEST: _Rules(
        plain=(
            r"\bcustoms?\b|\bpersonali[sz]ed\b|\bpersonal (?:video|vid|clip|message|pic)\b",
            r"\b(?:say|saying|says|read|reading)\s+my\s+name\b|\bby\s+(?:my\s+)?name\b",
            r"\bwith\s+my\s+(?:name|username|user|initials|handle)\b",
            r"\b(?:just|made|make\s+it|especially)\s+for\s+me\b",
            r"\b(?:would|could|can|will|if|wud|cud)\s+" + _YOU + r"\s+(?:ever\s+)?(?:wear|wore|"
            r"dress|put on|do\s+a|do\s+one|make|record|film|shoot)\b",
            r"\b(?:make|record|film|shoot)\s+(?:me\s+)?(?:a|an|one)\b",
            r"\bmake\s+me\b",
            r"\b(?:take|taking|accept|accepting|do|doing)\s+requests\b|\brequests?\b",
            r"\b(?:shout\s?out|roleplay|role play|sexting|dick rating|rating of|rate my"
            r"|voice (?:note|message|memo|msg)|happy birthday to|birthday (?:video|vid|message)"
            r"|sign(?:ed)? (?:a |my )?(?:polaroid|photo|pic)s?|polaroids?)\b",
            r"\bvideo of " + _YOU + r" saying\b|\bin (?:a|the|my|that)\s+(?:\w+\s+)?outfit\b",
        ),
    ),
    tx.PRICING: _Rules(
        plain=(
            r"\bhow\s+(?:much|mutch|mch)\b|\bhm+\s+for\b",
            r"\b(?:price|prices|pricing|priced|cost|costs|charge|rates?)\b(?!\s+(?:my|me))",
            r"\b(?:discount|discounts|sale|sales|promo|promos|coupon|bundle deal|deal on"
            r"|any deals?|a deal|cheaper|cheap|expensive|overpriced|pricey|steep|half off|% off"
            r"|free or|free trial|for free|is it free|too much for)\b",
            r"\d\s?%\s?off\b",
            r"\b(?:would|will|could|can)\s+" + _YOU + r"\s+(?:take|do|accept|go)\s+\$?\d+",
            r"\binstead of\s+\$?\d+|\bis\s+\$?\d+\s+(?:ok|okay|enough|fine|good)\b",
            r"(?<!\w)(?<!sent )(?<!sending )(?<!here's )(?<!heres )"
            + _NUM_MONEY
            + r"\s*(?:to unlock|for (?:all|the|a|\d))",
            r"\bstart(?:s|ing)?\s+(?:at|from)\s+\$?\d",
            r"\bwhy\s+(?:is|are|does|do)\s+(?:\w+\s+){0,3}?(?:\$\d|cost|so much|more)",
            r"\b(?:is it|it'?s|is that)\s+" + _NUM_MONEY + r"\s+or\b",
            r"\bminimum\b",
            r"\bprice keeps\b|\bgoing up\b",
        ),
    ),
    tx.PURCHASE_INTENT: _Rules(
        plain=(
            r"\bhow\s+(?:do|can|would|d)\s+i\s+(?:buy|get|unlock|pay|purchase|subscribe|sub|"
            r"order|open)\b",
            r"\bwhere\s+(?:do|can|should)\s+i\s+(?:pay|buy|purchase|send the money)\b",
            r"\btake my money\b|\bsign me up\b|\bcount me in\b|\b(?:i'?m|im)\s+in\s*(?:$|[,.!])"
            r"|^\W*sold\b|\badd(?:ed|ing)? funds\b|\bpay with\b",
            r"\b(?:yes|ok|okay|ya|yeah|yep)\W+(?:\w+\W+){0,2}send (?:it|the|me the)\b",
            r"\bi want (?:it|them|that|all)\b",
        ),
        negatable=(
            r"\b(?:i'?ll|i will|ill|i'?d|i would|gonna|going to|about to|wanna|want to|let me"
            r"|lemme|def(?:initely)?)\s+(?:\w+\s+){0,2}?(?:buy|unlock|purchase|get|grab|take"
            r"|sub|subscribe|resub|renew|pay|open|order|getting|buying|grabbing|taking)\b",
            r"^\W*(?:unlock|buy|grab|open)\s+(?:it|this|that|now|the|me)\b",
            r"\b(?:buying|unlocking|purchasing|ordering)\b",
            r"\b(?:purchased|unlocked|renewed|renewing|re-?subbed|re-?subscribed)\b"
            r"|\bbought\s+(?:it|the|that|this|all|them|a|your|ur)\b"
            r"|\bjust\s+(?:subbed|subscribed)\b",
        ),
    ),
    tx.TIP: _Rules(
        plain=(
            r"\btip(?:s|ped|ping|per|jar|menu)?\b|\btipp?\b",
            r"[💸💰]",
            r"\b(?:little|lil|small)\s+something\b|\bgift for\b|\btreat yourself\b",
            r"\b(?:sent|sending|send|here'?s|heres|here is)\s+(?:you\s+)?(?:a\s+)?"
            + _NUM_MONEY
            + r"|\b(?:sent|sending)\s+\$?\d+\s+(?:your way|for)\b",
            r"\b" + _NUM_MONEY + r"\s+(?:go|went)\s+(?:thru|through)\b",
        ),
    ),
    tx.COMPLAINT: _Rules(
        plain=(
            r"\bwaste of (?:money|time|cash)\b|\b(?:not|isn'?t|wasn'?t|never) worth\b"
            r"|\bworthless\b|\bripoff\b|\brip[\s-]off\b",
            r"\b(?:won'?t|wont|doesn'?t|doesnt|didn'?t|didnt|can'?t|cant|wouldn'?t|wouldnt"
            r"|isn'?t|isnt|not|never)\s+(?:even\s+)?(?:load|play|open|work|show|showing|loading"
            r"|playing|working|see|view|watch|access|download)\b",
            r"\b(?:cuts? off|dead link|link (?:is|was) dead|is dead|no sound|no audio)\b",
            r"\b(?:charged|billed)\s+(?:me\s+)?(?:twice|two times|double|again|\d+ times)\b"
            r"|\bdouble[\s-]?charged\b|\bget charged\b|\bgot charged\b|\bchargeback\b",
            r"\b(?:misleading|false advertising|clickbait|catfish\w*|bait and switch|recycled"
            r"|overpriced|too expensive|too pricey|so expensive|not happy|not cool|not fair"
            r"|unacceptable|ridiculous|downhill|fell off|mid|meh|declined|spamm?ing|spam)\b",
            r"\bnothing like (?:the|your|ur)\b|\b(?:you|u)\s+(?:said|promised)\b|\bpromised\b",
            r"\bnever\s+(?:received|got|get|sent|answer\w*|reply|replies|replied|respond\w*)\b"
            r"|\bstill (?:waiting|no|haven'?t|hasn'?t|nothing)\b|\bno (?:answer|reply|response)\b",
            r"\bwrong\s+(?:video|vid|pic|file|one|thing|link)\b|\bsame as the one\b",
            r"\bchatters?\b|\bis (?:this|it) (?:a )?bot\b|\bdo (?:you|u) even read\b",
            r"\btoo many ppvs\b|\bevery message is\b|\bover it\b|\bpaying for nothing\b"
            r"|\bcan'?t justify\b|\bwhy did i get\b|\bwhy(?:'d| did) (?:you|u) cancel\b",
            r"\bnothing new\b|\bwhy am i (?:even )?(?:subbed|subscribed|paying)\b",
            r"\bkeeps? going up\b|\bkeep raising\b|\braised (?:the|your|ur) prices?\b",
            r"\b(?:report|reporting)\s+(?:you|u|this)\b",
            r"\b(?:my|our|the)\s+money\s+back\b",
        ),
        negatable=(
            r"\brefund\w*\b",
            r"\bscam\w*\b",
            r"\bdisappoint\w*\b",
            r"\b(?:mad|angry|upset|annoyed|pissed)\b",
            r"\bproblem\b|\bissue\b|\bcomplain\w*\b",
            r"\b(?:broken|blurry|pixelated|glitch\w*|bugged|crash\w*|error|froze|frozen)\b",
        ),
    ),
    tx.SCHEDULING: _Rules(
        plain=(
            r"\b(?:online|offline|avail(?:able)?|streaming|stream|go(?:ing)? live|be live"
            r"|next live|on live|facetime|video chat|video call|vc|call|skype|zoom)\b",
            r"\b(?:are|r|if|when|wen|you|u|ur|you'?re|i'?m|im|i am|is|be|free)\s+(?:\w+\s+)?"
            r"free\b(?!\s+(?:or|trial|link|content|pics?|vids?|videos?|stuff|ppv))",
            r"\b(?:be|are|r|you|u)\s+around\b|\baround (?:this|tonight|later|after)\b",
            r"\b(?:back\s+(?:online|from|on)|when\s+(?:r|are|will)\s+" + _YOU + r"\s+back"
            r"|how long (?:till|until|til))\b",
            r"\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b|\bat\s+\d{1,2}(?::\d\d)?\b(?!\s?%)",
            r"\b(?:what|which)\s+time\b|\btime\s?zone\b|\b(?:your|ur|my) time\b"
            r"|\b(?:est|pst|cst|mst|gmt|cet|bst)\b",
            r"\b(?:this|next|on|by)\s+(?:" + _DAY + r"|weekend|morning|afternoon|evening)\b"
            r"|\bnext\s+(?:week|month)\b",
            r"\b(?:tmrw|tmr|tmrow|tomorrow|tomorow|tommorow|2moro|2morrow)\b",
            r"\b(?:talk|chat|text|catch\s+" + _YOU + r"|see\s+" + _YOU + r")\s+(?:later|tonight"
            r"|soon)\b",
            r"\bwhen(?:'?s|s)?\s+(?:\w+\s+){0,3}?(?:online|live|back|free|around|post|posting"
            r"|drop|stream|available|next|on|up|upload)\b|\bwhen\?",
            r"\b(?:what days|how often|usually)\s+(?:\w+\s+){0,3}?(?:post|upload|stream|live)\b",
            r"\bturnaround\b|\bschedul\w*\b|\bappointment\b",
        ),
    ),
    tx.SMALL_TALK: _Rules(
        plain=(
            r"\bhow\s*(?:'?s|was|is|were|did|'?d|are|r|has)\s+(?:\w+\s+)?(?:day|night|week"
            r"|weekend|morning|trip|vacation|exam|work|school|class|job|shift|apartment|holiday"
            r"|thanksgiving|christmas|life|things|everything|it going|u doing|you doing|ur day)\b",
            r"\bhow\s+(?:are|r)\s+(?:you|u|ya)\b|\bhow\s+(?:you|u|ya)\s+(?:doing|been)\b"
            r"|\b(?:hru|hyd|wyd|hbu|wbu|whatcha|wuu2|wud)\b",
            r"\bwhat\s+(?:are|r)\s+(?:you|u)\s+(?:up to|doing|having|watching|eating|cooking)\b",
            r"\b(?:your|ur)\s+day\b|\blong day\b",
            r"\b(?:weather|rain\w*|snow\w*|sunny|freezing|heatwave|traffic|netflix|movie|movies"
            r"|shows|series|music|song|concert|gym|workout|hike|hiking|dog|cat|puppy|kitty"
            r"|pets?|coffee|dinner|lunch|breakfast|cooking|pasta|pizza|food|game|games|gaming"
            r"|team(?!'s)|football|soccer|nba|nfl|vacation|trip|travel\w*|holiday|thanksgiving"
            r"|christmas|xmas|exam|exams|school|college|class|homework|apartment|promotion"
            r"|mondays?|tired|exhausted|sleep\w*|slept|nap|hobby|hobbies|for fun|been to"
            r"|phone died|rent|broke|happy b(?:irth)?day|b(?:irth)?day (?:party|cake|plans)|shift"
            r"|boss|coworkers?|hangover|(?:a|my|morning|for a) run)\b",
            r"\b(?:at|from|after|before|to|leave|off|was|for)\s+work\b|\bwork\s+(?:was|is|today"
            r"|sucks|tomorrow)\b|\bhow was work\b",
        ),
    ),
    tx.LEAVING: _Rules(
        plain=(
            r"\b(?:not|won'?t|wont|never|no longer|don'?t|dont|can'?t|cant|cannot)\s+(?:\w+\s+)"
            r"{0,3}?(?:renew\w*|re-?sub\w*|coming back|be back|stay\w*)\b",
            r"\b(?:auto[\s-]?renew|rebill|renewal)\s+(?:is\s+)?off\b|\bturn\w*\s+off\s+(?:my\s+|the"
            r"\s+)?(?:auto[\s-]?renew|rebill|renewal)\b",
            r"\b(?:goodbye|bye)\s+(?:for good|forever)\b|\bthis is goodbye\b|\bfarewell\b",
            r"\bfor good\b|\bmy last (?:month|renewal|sub|time|message|payment)\b"
            r"|\blast (?:month|time|renewal) (?:here|i'?ll)\b|\bthis was my last\b",
            r"\b(?:i'?m|im|i am)\s+(?:done|out)\b(?!\s+(?:with work|of))",
            r"\bdelet\w*\s+my\s+(?:account|acc|of|sub)\b",
            r"\blet\s+(?:my\s+)?sub\w*\s+(?:run out|expire|lapse|end)\b",
            r"\btaking a break from (?:of|onlyfans|here|this|the app|subs?|everything)\b",
            r"\bsad to see (?:you|u) go\b",
        ),
        negatable=(
            r"\bun-?sub\w*\b|\bunsucribe\b",
            r"\bcancel\w*\b(?!\s+(?:our|the|my|a|that|this)?\s*(?:call|session|stream|live|order"
            r"|chat|date|custom|plans?))",
            r"\b(?:i'?m|im|i am|i'?ll be|gonna be)\s+(?:\w+\s+)?leaving\b"
            r"|\b(?<!ur )(?<!you're )(?<!youre )(?<!u r )(?<!are you )(?<!r u )"
            r"leaving\s+(?:of|onlyfans|this|here|for good)\b",
            r"\b(?:i'?m|im|i am|gonna|going to|will)\s+(?:\w+\s+)?(?:leave|quit)\b(?!\s+work)",
        ),
    ),
}


def _alternatives(pattern: str) -> list[str]:
    """Split ``pattern`` at its top-level ``|`` (not inside groups, classes or escapes)."""
    out: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def _compile(parts: tuple[str, ...]) -> re.Pattern[str] | None:
    r"""One regex for a topic's cues, shaped for speed.

    Python's ``re`` tries every alternative at every character. Nearly every cue starts at a
    word boundary, so those cues share one leading ``\b``: inside a word the search fails once
    instead of once per cue. Cues that start otherwise (emoji, ``^``) are tried as they are.
    """
    if not parts:
        return None
    worded: list[str] = []
    other: list[str] = []
    for part in parts:
        for alt in _alternatives(part):
            if alt.startswith(r"\b"):
                worded.append(alt[2:])
            else:
                other.append(alt)
    branches = [r"\b(?:" + "|".join(worded) + ")"] if worded else []
    branches.extend(other)
    return re.compile("|".join(branches))


_COMPILED: Final[tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None], ...]] = tuple(
    (t, _compile(_RULES[t].plain), _compile(_RULES[t].negatable)) for t in tx.TOPICS
)


def _negated(text: str, start: int) -> bool:
    """True if one of the three words before ``start`` (same clause) is a negator."""
    window = text[max(0, start - 40) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return any(word in _NEGATORS for word in window.split()[-3:])


def normalise(text: str) -> str:
    """The form rules match on: lower case, straight apostrophes, first 2,000 characters."""
    return text[:_MAX_CHARS].lower().replace("\u2019", "'").replace("\u2018", "'")


def topics_of_normalised(text: str) -> tuple[str, ...]:
    """Topics of a text already passed through :func:`normalise`, in ``TOPICS`` order."""
    found: list[str] = []
    for topic, plain, negatable in _COMPILED:
        if (plain is not None and plain.search(text)) or (
            negatable is not None
            and any(not _negated(text, m.start()) for m in negatable.finditer(text))
        ):
            found.append(topic)
    return tuple(found)


def topics(text: str) -> tuple[str, ...]:
    """The topics of one message, in ``taxonomy.TOPICS`` order, each once; maybe none."""
    if not text or text.isspace():
        return ()
    return topics_of_normalised(normalise(text))
