"""Clean one raw article: normalise, take out metadata and boilerplate, rebuild paragraphs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from itertools import pairwise

from topickit.cleaning.bullets import BulletContext
from topickit.cleaning.metadata import ends_sentence, find_head_date, find_title
from topickit.cleaning.normalize import normalize_lines
from topickit.cleaning.rules import apply_line_rules, is_fragment, is_heading
from topickit.cleaning.types import CleanedText, Removal
from topickit.exceptions import DataTypeError

__all__ = ["clean_article"]

logger = logging.getLogger(__name__)

#: A line shorter than this share of the block's longest line was not hard-wrapped.
_WRAP_FILL = 0.8
#: A line ending in one of these continues on the next line.
_CONTINUING_ENDS = ",;:-(/&"
_KEY_RE = re.compile(r"[\W_]+")


@dataclass
class _Line:
    number: int
    text: str


def _key(text: str) -> str:
    return _KEY_RE.sub(" ", text.lower()).strip()


def _continues(line: str, following: str, width: int) -> bool:
    """Whether ``line`` is hard-wrapped, i.e. its sentence goes on in ``following``."""
    if ends_sentence(line):
        return False
    if line[-1] in _CONTINUING_ENDS or following[0].islower():
        return True
    first_word = following.split(" ", 1)[0]
    return len(line) + 1 + len(first_word) > _WRAP_FILL * width


def _split_block(block: list[_Line], uses_blank_lines: bool) -> list[list[_Line]]:
    """Group the lines of one block (no blank lines inside) into paragraphs.

    A line that is hard-wrapped continues into the next one. In a file that separates
    paragraphs by blank lines, a block with hard-wrapped lines is one paragraph except for
    stand-alone headings inside it; otherwise every line that ends a sentence ends a
    paragraph (one paragraph per line, as in files without blank lines).
    """
    if len(block) == 1:
        return [block]
    width = max(len(line.text) for line in block)
    flags = [_continues(a.text, b.text, width) for a, b in pairwise(block)]
    wrapped = uses_blank_lines and any(flags)
    standalone = [
        not flag and not ends_sentence(line.text) for line, flag in zip(block, flags, strict=False)
    ]
    paragraphs: list[list[_Line]] = [[block[0]]]
    for i, line in enumerate(block[1:]):
        if wrapped:
            new = standalone[i] or (i + 1 < len(standalone) and standalone[i + 1])
        else:
            new = not flags[i]
        if new:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _blocks(lines: list[_Line | None]) -> list[list[_Line]]:
    """Split kept lines into blocks at blank lines; ``None`` (removed lines) is skipped."""
    blocks: list[list[_Line]] = [[]]
    for line in lines:
        if line is None:
            continue
        if line.text:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _uses_blank_lines(lines: list[str]) -> bool:
    seen_text = pending_blank = False
    for line in lines:
        if not line:
            pending_blank = seen_text
        elif pending_blank:
            return True
        else:
            seen_text = True
    return False


def clean_article(raw: str, *, extract_metadata: bool = True) -> CleanedText:
    """Clean one raw news article.

    Steps: Unicode normalisation (:func:`~topickit.cleaning.normalize.normalize_text`);
    a ``date YYYY-MM-DD`` header and datelines are cut off; boilerplate lines are removed
    by the rules of :mod:`topickit.cleaning.rules`; with ``extract_metadata`` the headline
    (first line, if headline-like) becomes the title and a date near the top the date;
    the remaining lines are assembled into paragraphs (hard-wrapped lines are joined,
    sentence-per-line files keep one paragraph per line); finally duplicate paragraphs,
    paragraphs equal to the title, and short non-sentences (fragments up to 8 words and
    headings up to 20 words without final punctuation) are removed.

    Cleaning its own output changes nothing: ``clean_article(c.text).text == c.text``.

    Parameters
    ----------
    raw : str
        The article as read from its file or table cell.
    extract_metadata : bool, default True
        Detect the title and the date. When ``False`` both are ``None``, and a headline at
        the top is removed as a heading instead of being returned as the title; the text is
        otherwise cleaned the same way.

    Returns
    -------
    CleanedText
        Text with paragraphs separated by ``"\\n\\n"``, title, date and the audit of
        removals (rule, normalised text, 1-based raw line number) in order of position.

    Raises
    ------
    TypeError
        If ``raw`` is not a string.
    """
    if not isinstance(raw, str):
        raise DataTypeError.expected("clean_article's text", "str", raw)
    lines = normalize_lines(raw)
    bullets = BulletContext(lines)
    removals: list[Removal] = []

    kept: list[_Line | None] = []
    for number, text in enumerate(lines, start=1):
        if not text:
            kept.append(_Line(number, ""))
            continue
        rest, removed = apply_line_rules(text, bullets)
        removals.extend(Removal(rule, piece, number) for rule, piece in removed)
        kept.append(None if rest is None else _Line(number, rest))

    title = date = None
    if extract_metadata:
        date = find_head_date("\n".join(lines))
        present = [line for line in kept if line is not None]
        index = find_title([line.text for line in present[:50]])
        if index is not None:
            title_line = present[index]
            title = title_line.text
            removals.append(Removal("title", title, title_line.number))
            kept[title_line.number - 1] = None

    paragraphs: list[str] = []
    seen: set[str] = set()
    title_key = _key(title) if title else None
    uses_blank_lines = _uses_blank_lines(lines)
    for block in _blocks(kept):
        for group in _split_block(block, uses_blank_lines):
            number = group[0].number
            text: str | None = " ".join(line.text for line in group)
            if len(group) > 1:
                text, removed = apply_line_rules(text, bullets)
                removals.extend(Removal(rule, piece, number) for rule, piece in removed)
                if text is None:
                    continue
            rule = _paragraph_rule(text, title_key, seen)
            if rule is not None:
                removals.append(Removal(rule, text, number))
                continue
            seen.add(_key(text))
            paragraphs.append(text)

    removals.sort(key=lambda removal: removal.line)
    logger.debug("cleaned article: %d paragraphs, %d removals", len(paragraphs), len(removals))
    return CleanedText(text="\n\n".join(paragraphs), title=title, date=date, removals=removals)


def _paragraph_rule(text: str, title_key: str | None, seen: set[str]) -> str | None:
    """Name of the rule that removes a whole assembled paragraph, or ``None`` to keep it."""
    key = _key(text)
    if title_key and key == title_key:
        return "duplicate_title"
    if is_fragment(text):
        return "fragment"
    if is_heading(text):
        return "heading"
    if key in seen:
        return "duplicate_line"
    return None
