"""Tests for topickit.cleaning: normalisation, metadata, boilerplate rules, paragraphs, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topickit.cleaning import CleanedText, Removal, clean_article, normalize_text
from topickit.cleaning.metadata import find_head_date, iter_dates, strip_dateline
from topickit.cleaning.rules import RULE_NAMES, apply_line_rules

BOILERPLATE = (
    "ADVERTISEMENT",
    "Spread the love",
    "Posted by",
    "Click here to display content from",
    "privacy policy",
    "Translate",
    "MonsterInsights",
    "Related Post",
    "Also Read",
    "Image Credits",
    "brecorder",
    "Web Desk",
    "11:43 PM",
    ", ,",
    "•",
    "date 2023-",
    "(WAI)",
)


@pytest.fixture(scope="module")
def cleaned(seed_texts: dict[str, str]) -> dict[str, CleanedText]:
    return {key: clean_article(raw) for key, raw in seed_texts.items()}


def _paragraphs(result: CleanedText) -> list[str]:
    return result.text.split("\n\n")


# ---------------------------------------------------------------- normalisation


def test_normalize_quotes_dashes_spaces() -> None:
    assert normalize_text("Iran’s") == normalize_text("Iran's") == "Iran's"
    assert normalize_text("“genocide” ‘x’ «y» „z“ ´a` ") == '"genocide" \'x\' "y" "z" \'a\''
    assert normalize_text("the holy site—known to Jews") == "the holy site - known to Jews"
    assert normalize_text("2010–2012, −5 and a – b") == "2010-2012, -5 and a - b"
    assert normalize_text("Also Read:\u00a0Iran\u2009and\u3000India") == "Also Read: Iran and India"
    assert normalize_text("zero\u200bwidth\u00adsoft\ufeff") == "zerowidthsoft"
    assert normalize_text("wait…") == "wait..."
    assert normalize_text("bell\x07 tab\there") == "bell tab here"


def test_normalize_line_breaks_and_bullets() -> None:
    assert normalize_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert normalize_text("  • point one  \n\n\n  ▪ two ") == "• point one\n\n\n▪ two"


def test_normalize_is_idempotent_on_seeds(seed_texts: dict[str, str]) -> None:
    for raw in seed_texts.values():
        once = normalize_text(raw)
        assert normalize_text(once) == once
        assert "’" not in once and "“" not in once and "\u00a0" not in once


# ---------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Web DeskOctober 4, 2024 11:43 PMworld", dt.date(2024, 10, 4)),
        ("Posted Oct. 4, 2024", dt.date(2024, 10, 4)),
        ("Tehran, 5 November 2023 (WAI): text", dt.date(2023, 11, 5)),
        ("updated 2023-11-08T10:00", dt.date(2023, 11, 8)),
        ("the 1st of March 2022 was", dt.date(2022, 3, 1)),
    ],
)
def test_iter_dates_forms(text: str, expected: dt.date) -> None:
    assert [date for _, _, date in iter_dates(text)] == [expected]


def test_iter_dates_ignores_dates_without_year_and_impossible_dates() -> None:
    assert list(iter_dates("on October 7 and Oct. 7 (the group), 31 February 2023")) == []


def test_head_date_only_near_top() -> None:
    body = "A first sentence that goes on. " * 30
    assert find_head_date(body + "It happened on 5 November 2023.") is None
    assert find_head_date("It happened on 5 November 2023. " + body) == dt.date(2023, 11, 5)


def test_strip_dateline() -> None:
    assert strip_dateline("Tehran, 5 November 2023 (WAI): Iranian leader met.") == (
        "Iranian leader met.",
        "Tehran, 5 November 2023 (WAI):",
    )
    assert strip_dateline("WASHINGTON (Reuters) - The U.S. said.")[0] == "The U.S. said."
    # A sentence with a colon is not a dateline.
    line = "Khamenei said: we must respond."
    assert strip_dateline(line) == (line, "")


# ---------------------------------------------------------------- seeds


def test_seed_boilerplate_removed(cleaned: dict[str, CleanedText]) -> None:
    for key, result in cleaned.items():
        for needle in BOILERPLATE:
            assert needle not in result.text, (key, needle)


@pytest.mark.parametrize(
    ("key", "date", "title"),
    [
        ("000", dt.date(2023, 11, 8), None),
        ("001", None, None),
        (
            "002",
            dt.date(2024, 10, 4),
            "Khamenei Asserts Iran's Allies Will Stand Firm Against Israel",
        ),
        ("003", dt.date(2023, 11, 11), None),
        ("004", dt.date(2023, 11, 5), "Iranian leader Khamenei meets with Hamas' Haniyeh"),
    ],
)
def test_seed_metadata(
    cleaned: dict[str, CleanedText], key: str, date: dt.date | None, title: str | None
) -> None:
    assert cleaned[key].date == date
    assert cleaned[key].title == title


# Counted by reading the files (cat -A):
# 000: five blank-line separated paragraphs, the first carries the date header -> 5.
# 001: 15 lines, no blank lines, every line ends a sentence; one is ADVERTISEMENT -> 14.
# 002: headline, byline, three summary bullets, headline+"Image Credits", then the standfirst
#      sentence (kept), seven body paragraphs and "Related Post" -> 1 + 7 = 8.
# 003: seven blank-line separated paragraphs -> 7.
# 004: ", ,", headline, "Posted by", "Spread the love", the dateline paragraph (kept without
#      its dateline), 3 paragraphs, the two-line Twitter notice, 3 paragraphs, "Also Read",
#      3 paragraphs, "Translate >>", "Verified by MonsterInsights" -> 1 + 3 + 3 + 3 = 10.
@pytest.mark.parametrize(
    ("key", "count"), [("000", 5), ("001", 14), ("002", 8), ("003", 7), ("004", 10)]
)
def test_seed_paragraph_counts(cleaned: dict[str, CleanedText], key: str, count: int) -> None:
    assert len(_paragraphs(cleaned[key])) == count


KEPT_SENTENCES = {
    "000": [
        "Iran's Supreme Leader Ayatollah Ali Khamenei has warned of potential global implications",
        'Khamenei dismissed Israeli actions as a "scandalous failure."',
        "have raised concerns about potential entanglements in the conflict.",
    ],
    "001": [
        "called for an immediate end to Israel's attacks on Gaza",
        '"The US must be held responsible for this situation."',
        "The fighting at the holy site - known to Jews as the Temple Mount - had earlier",
        'as must all allegations of serious violations of international humanitarian law."',
    ],
    "002": [
        "Khamenei declares Iran's allies will not back down in the ongoing conflict with Israel "
        "amid escalating tensions and humanitarian crises.",
        '"The resistance in the region will not back down with these martyrdoms, and will win."',
        'stating, "This war is going to be long."',
        "impacting the stability of the entire region.",
    ],
    "003": [
        "Iran's Foreign Minister, Hossein Amir-Abdollahian, has expressed concern",
        "their actions moving forward.",
    ],
    "004": [
        "Iranian supreme leader, Ayatollah Ali Khamenei, met with Ismail Haniyeh",
        '"The actions of the Zionist regime are culpable for this anarchy," declared Khamenei.',
        'It will lead to even worse tragedy," Khamenei warned.',
    ],
}


@pytest.mark.parametrize("key", sorted(KEPT_SENTENCES))
def test_seed_real_sentences_kept(cleaned: dict[str, CleanedText], key: str) -> None:
    for sentence in KEPT_SENTENCES[key]:
        assert sentence in cleaned[key].text


def test_seed_every_sentence_line_kept(
    seed_texts: dict[str, str], cleaned: dict[str, CleanedText]
) -> None:
    """Each raw line that is a long sentence (or several) survives whole, up to datelines."""
    for key, raw in seed_texts.items():
        for line in normalize_text(raw).split("\n"):
            if len(line.split()) > 12 and line.endswith((".", '."')):
                tail = line.split(": ", 1)[-1] if key == "004" else line.removeprefix("date ")
                assert tail[12:] in cleaned[key].text, (key, line[:60])


def test_seed_002_headline_and_000_header(cleaned: dict[str, CleanedText]) -> None:
    headline = "Khamenei Asserts Iran's Allies Will Stand Firm Against Israel"
    assert headline not in cleaned["002"].text
    assert _paragraphs(cleaned["002"])[0].startswith("Khamenei declares Iran's allies")
    assert "date 2023-11-08" not in cleaned["000"].text
    assert _paragraphs(cleaned["000"])[0].startswith("Iran's Supreme Leader")
    assert cleaned["001"].text.startswith("Iran's Supreme Leader")


def test_seed_audit(cleaned: dict[str, CleanedText]) -> None:
    audit = cleaned["004"].removals
    assert Removal("embed_notice", "Click here to display content from Twitter.", 17) in audit
    assert Removal("embed_notice", "Learn more in Twitter's privacy policy.", 18) in audit
    assert Removal("punctuation_only", ", ,", 1) in audit
    assert Removal("title", "Iranian leader Khamenei meets with Hamas' Haniyeh", 3) in audit
    assert Removal("dateline", "Tehran, 5 November 2023 (WAI):", 9) in audit
    assert [r.rule for r in audit] == [
        "punctuation_only",
        "title",
        "byline",
        "share_prompt",
        "dateline",
        "embed_notice",
        "embed_notice",
        "cross_link",
        "widget_text",
        "widget_text",
    ]
    rules_002 = [(r.rule, r.line) for r in cleaned["002"].removals]
    assert rules_002 == [
        ("title", 1),
        ("byline", 3),
        ("bullet_summary", 4),
        ("bullet_summary", 5),
        ("bullet_summary", 6),
        ("caption", 7),
        ("related_stub", 24),
    ]
    assert cleaned["001"].removals == [Removal("advertisement", "ADVERTISEMENT", 4)]
    assert cleaned["000"].removals == [Removal("date_header", "date 2023-11-08", 1)]
    for result in cleaned.values():
        assert all(r.rule in RULE_NAMES for r in result.removals)
        assert [r.line for r in result.removals] == sorted(r.line for r in result.removals)


def test_seed_cleaning_is_idempotent(cleaned: dict[str, CleanedText]) -> None:
    for result in cleaned.values():
        again = clean_article(result.text)
        assert again.text == result.text
        assert again.removals == []


# ---------------------------------------------------------------- generalisation

SYNTHETIC = """Iran Warns of Wider War in the Region

By Jane Smith
Published on Nov. 12, 2023

BEIRUT (Reuters) - Iran warned on Sunday that the war could spread across the region.

Photo: Reuters

Share this article

Officials in Tehran said they were watching events closely.
ADVERTISEMENT
They gave no further details.

Click here to display content from Instagram.
Learn more in Instagram's privacy policy.
Tap to load YouTube content

The foreign ministry repeated its call for a ceasefire in Gaza.

Read more: Iran and Saudi Arabia restore ties
See also
Follow us on Telegram
Subscribe to our newsletter
Story continues below advertisement
Facebook Twitter WhatsApp Email

Analysts said the statement was aimed at Washington.

Analysts said the statement was aimed at Washington.
"""


def test_synthetic_boilerplate() -> None:
    result = clean_article(SYNTHETIC)
    assert result.title == "Iran Warns of Wider War in the Region"
    assert result.date == dt.date(2023, 11, 12)
    assert _paragraphs(result) == [
        "Iran warned on Sunday that the war could spread across the region.",
        "Officials in Tehran said they were watching events closely.",
        "They gave no further details.",
        "The foreign ministry repeated its call for a ceasefire in Gaza.",
        "Analysts said the statement was aimed at Washington.",
    ]
    rules = {r.text: r.rule for r in result.removals}
    assert rules["ADVERTISEMENT"] == "advertisement"
    assert rules["Click here to display content from Instagram."] == "embed_notice"
    assert rules["Tap to load YouTube content"] == "embed_notice"
    assert rules["Photo: Reuters"] == "caption"
    assert rules["Share this article"] == "share_prompt"
    assert rules["Facebook Twitter WhatsApp Email"] == "share_prompt"
    assert rules["Read more: Iran and Saudi Arabia restore ties"] == "cross_link"
    assert rules["See also"] == "related_stub"
    assert rules["By Jane Smith"] == "byline"
    assert rules["BEIRUT (Reuters) -"] == "dateline"
    assert rules["Story continues below advertisement"] == "advertisement"
    assert rules["Analysts said the statement was aimed at Washington."] == "duplicate_line"


def test_plain_sentences_lose_nothing() -> None:
    raw = (
        "The ministry said the talks would resume next week.\n\n"
        "Officials declined to comment on the report. Share prices rose.\n\n"
        '"We will respond," he said.\n\n'
        "Related talks in Vienna ended without a deal, diplomats said.\n\n"
        "Photo exhibitions about the war opened in Tehran on Sunday.\n"
    )
    result = clean_article(raw)
    assert result.text == normalize_text(raw).replace("\n\n\n", "\n\n")
    assert result.removals == []
    assert result.title is None and result.date is None


def test_hard_wrapped_blocks_are_joined() -> None:
    raw = (
        "Iran's foreign minister said on Monday that the country would\n"
        "respond to any attack on its territory, adding that the region was\n"
        "close to a wider war.\n\n"
        "President Biden said the United States\n"
        "did not seek a conflict with Iran. He added that\n"
        "Washington would defend its forces.\n"
    )
    assert _paragraphs(clean_article(raw)) == [
        "Iran's foreign minister said on Monday that the country would respond to any attack "
        "on its territory, adding that the region was close to a wider war.",
        "President Biden said the United States did not seek a conflict with Iran. He added "
        "that Washington would defend its forces.",
    ]


def test_wrapped_first_line_is_not_a_title() -> None:
    raw = (
        "Iran's foreign minister said on Monday that the country would\n"
        "respond to any attack on its territory, adding that the region was\n"
        "close to a wider war.\n"
    )
    result = clean_article(raw)
    assert result.title is None
    assert result.text == " ".join(raw.split())


def test_bullets_that_add_content_are_kept() -> None:
    raw = (
        "Iran and the region\n\n"
        "• Turkey offered to mediate between the parties on Tuesday.\n"
        "Israel struck targets in Gaza overnight, officials in Gaza said.\n"
        "• Israel struck targets in Gaza overnight.\n"
    )
    result = clean_article(raw)
    assert "Turkey offered to mediate between the parties on Tuesday." in result.text
    assert "Israel struck targets in Gaza overnight." not in _paragraphs(result)
    assert [r.rule for r in result.removals if r.line == 5] == ["bullet_summary"]


def test_extract_metadata_false() -> None:
    result = clean_article(SYNTHETIC, extract_metadata=False)
    assert result.title is None and result.date is None
    assert result.text == clean_article(SYNTHETIC).text
    # Eight words: a fragment, so the headline goes as a fragment rather than as the title.
    assert Removal("fragment", "Iran Warns of Wider War in the Region", 1) in result.removals


def test_caption_tail_after_sentence() -> None:
    text, removed = apply_line_rules("Khamenei spoke in Tehran. Photo credit: AFP")
    assert text == "Khamenei spoke in Tehran."
    assert removed == [("caption_tail", "Photo credit: AFP")]


def test_rejects_non_string() -> None:
    with pytest.raises(TypeError):
        clean_article(b"bytes")  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties

_PIECES = st.sampled_from(
    [
        "Iran", "said", "the", "war", "Gaza", "Khamenei", "A", "by", "and", "in", ".", "?",
        ",", ":", '"', "'", "”", "—", "•", "-", "\n", "\n\n", " \n ", "\r\n", "\u00a0",
        "\u200b", "\u0301", "e\u0301", "ADVERTISEMENT", "Photo:", "Image Credits:",
        "Read more:", "Also Read:", "Posted by", "By", "Tehran,", "WASHINGTON", "(Reuters)",
        "5 November 2023", "October 4, 2024", "date 2023-11-08", "Share",
        "Click here to display content from", "Twitter.", "Learn more in", "privacy policy.",
    ]
)  # fmt: skip
_LINES = st.tuples(
    st.lists(_PIECES, min_size=1, max_size=25).map(" ".join),
    st.sampled_from(["", ".", '."', ",", ":", "?"]),
    st.sampled_from(["\n", "\n\n", "\n \n\n"]),
).map("".join)
_ARTICLES = st.one_of(
    st.text(),
    st.lists(_PIECES, max_size=60).map(" ".join),
    st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=60).map("".join),
    st.lists(_LINES, max_size=12).map("".join),
)
_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.text())
def test_normalize_never_crashes_and_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\r" not in once and "\u200b" not in once


@_SETTINGS
@given(_ARTICLES, st.booleans())
def test_clean_article_properties(raw: str, extract_metadata: bool) -> None:
    result = clean_article(raw, extract_metadata=extract_metadata)
    text = result.text
    assert "\n\n\n" not in text
    assert text == text.strip()
    if text:
        assert all(p and p == p.strip() and "\n" not in p for p in text.split("\n\n"))
    assert all(r.rule in RULE_NAMES and r.line >= 0 for r in result.removals)
    again = clean_article(text, extract_metadata=extract_metadata)
    assert again.text == text
