"""Boilerplate rules: patterns and heuristics for lines that are not article text.

Each rule has a name that appears in the cleaning audit. Line rules decide on a whole line
(:data:`LINE_RULES`); transforms cut a piece off a line and keep the rest (date headers,
datelines, bullet markers, trailing photo credits). :func:`apply_line_rules` runs both on
one line until nothing changes, so running it again on its output changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from topickit.cleaning.bullets import BulletContext, strip_bullet
from topickit.cleaning.metadata import (
    ends_sentence,
    iter_dates,
    strip_date_header,
    strip_dateline,
    word_count,
)

__all__ = [
    "BULLET_SUMMARY_OVERLAP",
    "LINE_RULES",
    "RULE_NAMES",
    "BulletContext",
    "LineRule",
    "apply_line_rules",
    "is_fragment",
    "is_heading",
    "strip_bullet",
]

#: Share of a bullet's content words found in the body above which it is a summary.
BULLET_SUMMARY_OVERLAP = 0.6
#: Longest non-sentence paragraph removed as a fragment (longer ones up to the title
#: length are headings).
FRAGMENT_MAX_WORDS = 8
HEADING_MAX_WORDS = 20


@dataclass(frozen=True)
class LineRule:
    """A rule that removes a whole line.

    Attributes
    ----------
    name : str
        Name used in the audit.
    test : callable
        ``test(line) -> bool`` on a normalised, stripped line.
    """

    name: str
    test: Callable[[str], bool]


def _full(pattern: str) -> Callable[[str], bool]:
    """Case-insensitive full match after trimming non-word characters at both ends."""
    regex = re.compile(pattern, re.IGNORECASE)
    trim = re.compile(r"^[\W_]+|[\W_]+$")

    def test(line: str) -> bool:
        return len(line) < 200 and regex.fullmatch(trim.sub("", line)) is not None

    return test


def _starts(pattern: str, max_words: int | None = None) -> Callable[[str], bool]:
    """Case-insensitive match at the start of a line of at most ``max_words`` words."""
    regex = re.compile(pattern, re.IGNORECASE)

    def test(line: str) -> bool:
        if regex.match(line) is None:
            return False
        return max_words is None or word_count(line, max_words + 1) <= max_words

    return test


_PLATFORMS = (
    r"(?:twitter|x|instagram|youtube|facebook|tiktok|vimeo|spotify|soundcloud|telegram|threads"
    r"|bluesky|reddit|linkedin|pinterest|snapchat|whatsapp|flickr|dailymotion|giphy|google"
    r"|podcasts?|apple podcasts|scribd|datawrapper|flourish|infogram|mastodon|truth social)"
)
_SOCIAL_TEXT = (
    "facebook twitter x whatsapp email e-mail mail print linkedin telegram reddit pinterest "
    "messenger copy link share tumblr sms instagram youtube tiktok threads flipboard pocket "
    "viber line skype bluesky mastodon opens in new window tweet pin save comment comments"
)
_SOCIAL_WORDS = frozenset(_SOCIAL_TEXT.split())


def _social_only(line: str) -> bool:
    words = re.findall(r"[a-z-]+", line.lower())
    return 0 < len(words) <= 12 and all(w in _SOCIAL_WORDS for w in words)


_ADVERTISEMENT = _full(
    r"(?:advertisements?|advertising|ads?|adverts?|sponsored(?: (?:content|post|links?|stories))?"
    r"|promoted(?: (?:content|stories))?|paid (?:content|post|partnership|promotion)"
    r"|(?:story|article) continues(?: below)?(?: (?:this |the )?advertisement)?"
    r"|continue reading(?: below| the main story)?"
    r"|(?:advertisement\W+)?scroll to continue(?: with content)?)"
)
_EMBED_NOTICE = (
    _starts(
        r"(?:click|tap)(?: here)? to (?:display|view|load|show|see|play|watch|reveal|enable)\b"
        r".{0,60}?\b(?:content|" + _PLATFORMS + r"|tweet|post|video|embed)\b",
        max_words=20,
    ),
    _starts(r"learn more in .{1,60}privacy policy\W*$", max_words=15),
    _starts(r"(?:view|see|watch) (?:this|the) (?:post|video|photo|reel|profile) on ", 12),
    _starts(r"a (?:post|video|photo|reel) shared by ", 25),
    _starts(r"(?:watch|view|see|listen)(?: it| this)? on " + _PLATFORMS + r"\W*$", 8),
    _starts(r"(?:embedded|embed) (?:content|video|tweet|post|media)\W*$", 5),
    _starts(
        r"(?:this|the) (?:content|video|embed|post|tweet|media)\b.{0,40}\b(?:not available"
        r"|cannot be (?:displayed|shown|loaded)|is hosted|requires|privacy|cookies?|consent)",
        30,
    ),
    _starts(
        r"(?:to (?:view|see|display|load|watch) this (?:content|video|post|tweet|embed)"
        r"|you need to (?:accept|enable|consent to) "
        r"|please (?:accept|enable) (?:cookies|javascript))",
        35,
    ),
    # Signature line of an embedded post: "- Name (@handle) October 4, 2024".
    _starts(r"-\s.{0,80}\(@\w{1,30}\).{0,30}$", 20),
)
_SHARE_PROMPT = (
    _full(r"(?:spread|share) the (?:love|news|word)"),
    _full(
        r"(?:share|tweet|email|e-mail|print|pin|save|send)(?: (?:this|the))?"
        r"(?: (?:article|story|post|page|link|video|photo|gallery))?"
        r"(?: (?:on|via|with|to|by) [\w .-]{1,30})?"
    ),
    _starts(
        r"(?:click to share|share on|share via|share to|share with|follow us on|follow us at"
        r"|like us on|join us on|find us on|connect with us)\b",
        14,
    ),
    _social_only,
)
_SUBSCRIBE_PROMPT = _starts(
    r"(?:subscribe|sign up|signup|register)\b.{0,60}\b(?:newsletters?|updates|alerts|inbox"
    r"|channel|podcast)\b|(?:get|receive) (?:the latest|our|daily|breaking) .{0,50}"
    r"(?:newsletter|inbox|updates|alerts)",
    20,
)
_WIDGET_TEXT = _full(
    r"(?:translate|select language|powered by \S.{0,40}|verified by \S.{0,40}|skip to (?:main )?"
    r"content|loading|listen to (?:this )?(?:article|story)(?: .{0,20})?|\d+ ?min(?:ute)?s? read"
    r"|reading time\W*.{0,20}|back to top|scroll to top|toggle navigation|(?:main )?menu|search"
    r"|close|cookie (?:settings|preferences|policy)|accept(?: all)?(?: cookies)?"
    r"|print friendly.{0,30}|(?:font|text) size.{0,20}|comments?(?: \d+)?|\d+ comments?"
    r"|leave a (?:comment|reply)|views?\W*\d[\d,]*|\d[\d,]* views|tags?\s*:.{0,100}"
    r"|filed under\s*:?.{0,100}|categor(?:y|ies)\s*:.{0,100}|copyright\W*\d{4}.{0,80}"
    r"|.{0,80}\ball rights reserved)"
)
_RELATED_STUB = _full(
    r"(?:related(?: (?:posts?|articles?|stories|story|news|content|coverage|reading|topics"
    r"|videos?))?"
    r"|read more|read also|also read|see also|more (?:news|stories|from [\w .'-]{1,40}"
    r"|on (?:this|that) (?:topic|story))|you (?:may|might) (?:also )?like|recommended"
    r"(?: (?:for you|stories|articles))?|trending(?: (?:now|stories))?|most (?:read|popular|viewed)"
    r"|popular (?:posts|stories)|latest (?:news|posts|stories|updates)|top stories|don't miss"
    r"|editor'?s? picks?|in (?:other|related) news|(?:next|previous|prev) (?:article|post|story))"
)
_CROSS_LINK = _starts(
    r"[\W_]*(?:also read|read also|read more|see also|also see|also watch|related(?: (?:article"
    r"|story|post|coverage|news|content))?|must read|recommended|more|don't miss|watch|listen"
    r"|read|latest|trending|explained|in pictures|in photos|in video)\s*(?::|>>?|»|\|)\s*\S"
)
_CAPTION_LABEL = (
    r"(?:(?:file|main|featured|cover|header|top|lead) )?(?:image|photo|picture|pic|photograph"
    r"|video|graphic|illustration|screenshot|screengrab)s?(?: (?:credits?|courtesy|source|by))?"
    r"|credits?|courtesy(?: of)?|source|photos? by|images? by"
)
_CAPTION_START_RE = re.compile(rf"[\W_]*(?:{_CAPTION_LABEL})\s*:", re.IGNORECASE)
_CAPTION_BY_RE = re.compile(
    r"[\W_]*(?:photo|image|picture)s?\s+(?:by|courtesy(?: of)?|credit)\b", re.IGNORECASE
)
# A credit glued to the end of a line: "...Against IsraelImage Credits: brecorder".
_CAPTION_TAIL_RE = re.compile(
    r"(?:Image|IMAGE|Photo|PHOTO|Picture|Pic|Photograph)s?\s*"
    r"(?:[Cc]redits?|CREDITS?|[Cc]ourtesy|[Ss]ource|[Bb]y)?\s*:[^.!?:]{0,60}$"
)
_BYLINE_KEYWORD_RE = re.compile(
    r"(?:posted|written|published|reported|edited|compiled|updated|filed|last updated"
    r"|first published|story by|words by|text by|reporting by|report by)"
    r"(?:\s*:|\s+(?:by|on|at)\b|\s*$|\s+(?=(?-i:\d|[A-Z][a-z]{2})))",
    re.IGNORECASE,
)
_BYLINE_BY_RE = re.compile(r"(?:By|BY)\s+[A-Z]")
_TIME_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?")


def _caption(line: str) -> bool:
    if _CAPTION_START_RE.match(line) or (_CAPTION_BY_RE.match(line) and word_count(line, 13) <= 12):
        return True
    tail = _CAPTION_TAIL_RE.search(line)
    return tail is not None and not ends_sentence(line[: tail.start()].rstrip())


def _byline(line: str) -> bool:
    words = word_count(line, 13)
    if words > 12:
        return False
    if _BYLINE_KEYWORD_RE.match(line) and (not ends_sentence(line) or words <= 6):
        return True
    if ends_sentence(line):
        return False
    if _BYLINE_BY_RE.match(line) and words <= 8:
        return True
    # A short line carrying a date or a time: "Web DeskOctober 4, 2024 11:43 PMworld".
    rest, pieces = line, 0
    for start, end, _ in sorted(iter_dates(line), reverse=True):
        rest, pieces = rest[:start] + " " + rest[end:], pieces + 1
    rest, times = _TIME_RE.subn(" ", rest)
    return pieces + times > 0 and word_count(rest, 7) <= 6


#: Line rules in the order they are tried; the first that matches names the removal.
LINE_RULES: tuple[LineRule, ...] = (
    LineRule("punctuation_only", lambda line: not any(c.isalnum() for c in line)),
    LineRule("advertisement", _ADVERTISEMENT),
    LineRule("embed_notice", lambda line: any(test(line) for test in _EMBED_NOTICE)),
    LineRule("share_prompt", lambda line: any(test(line) for test in _SHARE_PROMPT)),
    LineRule("subscribe_prompt", _SUBSCRIBE_PROMPT),
    LineRule("widget_text", _WIDGET_TEXT),
    LineRule("related_stub", _RELATED_STUB),
    LineRule("cross_link", _CROSS_LINK),
    LineRule("caption", _caption),
    LineRule("byline", _byline),
)

#: Every rule name that can appear in the audit, line based or not.
RULE_NAMES: tuple[str, ...] = (
    "date_header",
    "dateline",
    "bullet_marker",
    "bullet_summary",
    "caption_tail",
    *(rule.name for rule in LINE_RULES),
    "title",
    "duplicate_title",
    "duplicate_line",
    "fragment",
    "heading",
)

# ---------------------------------------------------------------- transforms


def apply_line_rules(
    line: str, bullets: BulletContext | None = None
) -> tuple[str | None, list[tuple[str, str]]]:
    """Run the transforms and then the line rules on one line.

    Transforms (date header, dateline, bullet marker, trailing photo credit) are repeated
    until the line stops changing; then the first matching rule of :data:`LINE_RULES`
    removes the line. A bullet whose content words mostly occur in the rest of the article
    (``overlap >= BULLET_SUMMARY_OVERLAP``) is removed as ``"bullet_summary"``.

    Parameters
    ----------
    line : str
        A normalised, stripped, non-blank line (or a paragraph of joined lines).
    bullets : BulletContext or None
        Vocabulary of the article for the bullet-summary rule; ``None`` keeps all bullets.

    Returns
    -------
    text : str or None
        What is left of the line, or ``None`` when it was removed.
    removals : list of (rule, text)
        Every removed piece, in order.
    """
    removals: list[tuple[str, str]] = []
    for _ in range(100):
        before = line
        line, header, _date = strip_date_header(line)
        if header:
            removals.append(("date_header", header))
        line, dateline = strip_dateline(line)
        if dateline:
            removals.append(("dateline", dateline))
        rest, marker = strip_bullet(line)
        if marker:
            if rest and bullets is not None and bullets.overlap(rest) >= BULLET_SUMMARY_OVERLAP:
                removals.append(("bullet_summary", line))
                return None, removals
            removals.append(("bullet_marker", marker))
            line = rest
        tail = _CAPTION_TAIL_RE.search(line)
        if tail is not None and tail.start() > 0 and ends_sentence(line[: tail.start()].rstrip()):
            removals.append(("caption_tail", tail.group().strip()))
            line = line[: tail.start()].rstrip()
        if line == before or not line:
            break
    if not line:
        return None, removals
    for rule in LINE_RULES:
        if rule.test(line):
            removals.append((rule.name, line))
            return None, removals
    return line, removals


def is_fragment(text: str) -> bool:
    """Whether a paragraph is a short non-sentence (at most 8 words, no final punctuation)."""
    return not ends_sentence(text) and word_count(text, FRAGMENT_MAX_WORDS + 1) <= (
        FRAGMENT_MAX_WORDS
    )


def is_heading(text: str) -> bool:
    """Whether a paragraph is a headline-sized non-sentence (at most 20 words)."""
    return not ends_sentence(text) and word_count(text, HEADING_MAX_WORDS + 1) <= HEADING_MAX_WORDS
