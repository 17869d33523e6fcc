"""HTML → plain text and the three timestamp forms OnlyFans uses."""

import html
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.text import _unescape, html_to_text, timestamp_ms

# 2022-11-05T14:02:24Z
INSTANT_MS = 1_667_656_944_000


@pytest.mark.parametrize(
    ("text_html", "plain"),
    [
        ("<p>see you tonight?</p>", "see you tonight?"),
        ("no markup at all", "no markup at all"),
        ("<p>first</p><p>second</p>", "first\nsecond"),
        ("<p>first</p>\n<p class='x'>second</p>", "first\nsecond"),
        ("one<br>two<br/>three<BR />four", "one\ntwo\nthree\nfour"),
        ("<p><strong>bold</strong> and <em>em</em></p>", "bold and em"),
        ("<p>tom &amp; jerry &lt;3 &gt;</p>", "tom & jerry <3 >"),
        ("<p>it&#39;s &quot;fine&quot; &eacute;</p>", 'it\'s "fine" é'),
        ("<p>&amp;lt; stays literal</p>", "&lt; stays literal"),
        ("<p>a&nbsp;b</p>", "a b"),
        ("<p>just tipped you 🙂🔥</p>", "just tipped you 🙂🔥"),
        ("I <3 you", "I <3 you"),
        ("<p>x<!-- comment -->y</p>", "xy"),
        ("<p></p>", ""),
        ("", ""),
    ],
)
def test_html_to_text_strips_tags_keeps_breaks_unescapes(text_html: str, plain: str) -> None:
    assert html_to_text(text_html) == plain


@given(st.text())
def test_html_to_text_of_escaped_text_gives_the_text_back(text: str) -> None:
    expected = text.replace("\xa0", " ").strip()
    assert html_to_text(f"<p>{html.escape(text)}</p>") == expected


@given(st.text(alphabet="&;amplgtquos#x0123 <>aé"))
def test_fast_unescape_agrees_with_html_unescape(text: str) -> None:
    assert _unescape(text) == html.unescape(text)


@pytest.mark.parametrize(
    "value",
    [
        "2022-11-05T14:02:24+00:00",
        "2022-11-05T14:02:24Z",
        "2022-11-05T16:02:24+02:00",
        "2022-11-05T09:02:24-05:00",
        "2022-11-05T14:02:24",
        "2022-11-05T14:02:24.000+00:00",
        1_667_656_944,
        1_667_656_944.0,
        1_667_656_944_000,
        1_667_656_944_000.0,
        "1667656944",
        "1667656944000",
        "1667656944.0",
    ],
)
def test_timestamp_forms_give_epoch_ms_utc(value: str | float) -> None:
    assert timestamp_ms(value) == INSTANT_MS


def test_timestamp_keeps_milliseconds() -> None:
    assert timestamp_ms("2022-11-05T14:02:24.123Z") == INSTANT_MS + 123
    assert timestamp_ms(1_667_656_944.123) == INSTANT_MS + 123


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "2022-13-45T00:00:00Z", "1e5x", "-5", -1, float("nan"), float("inf"),
     10**20, "1969-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00"],
)  # fmt: skip
def test_timestamp_refuses_what_is_not_an_instant(value: str | float) -> None:
    with pytest.raises(ValueError):
        timestamp_ms(value)


def test_timestamp_refuses_a_boolean() -> None:
    with pytest.raises(TypeError):
        timestamp_ms(True)


instants = st.integers(
    min_value=int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000),
    max_value=int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000),
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))


@given(instants, offsets)
def test_iso_epoch_seconds_and_epoch_ms_agree(ms: int, offset: timedelta) -> None:
    instant = datetime.fromtimestamp(ms / 1000, UTC).replace(microsecond=(ms % 1000) * 1000)
    forms: list[str | float] = [
        instant.astimezone(timezone(offset)).isoformat(),
        instant.isoformat().replace("+00:00", "Z"),
        ms / 1000,
        ms,
        float(ms),
        str(ms),
    ]
    if ms % 1000 == 0:
        forms += [ms // 1000, str(ms // 1000)]
    assert {timestamp_ms(form) for form in forms} == {ms}
