"""Stop-word lists: English function words and words common to news wire copy.

Both lists are plain sets that a user can inspect, extend or switch off in the pipeline.
"""

from __future__ import annotations

__all__ = ["ENGLISH_STOP_WORDS", "NEWS_STOP_WORDS", "build_stopwords"]

#: Function words of English (articles, pronouns, auxiliaries, prepositions, conjunctions,
#: common adverbs and determiners), in lemma and inflected forms.
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst an and another any anyhow anyone anything anyway anywhere
    are aren't around as at be became because become becomes becoming been before beforehand
    behind being below beside besides between beyond both but by can cannot can't could
    couldn't did didn't do does doesn't doing don't done down during each either else
    elsewhere enough etc even ever every everyone everything everywhere except few for former
    formerly from further had hadn't has hasn't have haven't having he he'd he'll her here
    hereafter hereby herein hers herself him himself his how however i i'd i'll i'm i've if in
    indeed into is isn't it it's its itself just least less let's may me meanwhile might mine
    more moreover most mostly much must mustn't my myself namely neither never nevertheless
    next no nobody none noone nor not nothing now nowhere of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps rather re same several
    shall she she'd she'll should shouldn't since so some somehow someone something sometime
    sometimes somewhere still such than that that's the their theirs them themselves then
    thence there thereafter thereby therefore therein thereupon there's these they they'd
    they'll they're they've this those though through throughout thru thus to together too
    toward towards under until up upon us very via was wasn't we we'd we'll we're we've were
    weren't what what's whatever when whence whenever where whereafter whereas whereby wherein
    whereupon wherever whether which while whither who who's whoever whole whom whose why will
    with within without won't would wouldn't yet you you'd you'll you're you've your yours
    yourself yourselves
    """.split()
)

#: Words frequent in wire copy that carry no theme: reporting verbs, weekdays, months,
#: titles, and vague quantifiers. Switch off with ``news_stopwords=False``.
NEWS_STOP_WORDS: frozenset[str] = frozenset(
    """
    say said says saying tell told according report reported reports reportedly add added
    claim claimed statement announce announced note noted also would could
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week
    weekend day month year time recent recently late later earlier ago
    january february march april may june july august september october november december
    mr mrs ms dr
    include including new make made take took get got go going come came way well like
    many much however around nearly almost approximately least
    """.split()
)


def build_stopwords(
    *, english: bool = True, news: bool = True, extra: tuple[str, ...] | list[str] = ()
) -> frozenset[str]:
    """Combine the stop-word lists.

    Parameters
    ----------
    english : bool, default=True
        Include :data:`ENGLISH_STOP_WORDS`.
    news : bool, default=True
        Include :data:`NEWS_STOP_WORDS`.
    extra : sequence of str, default=()
        A user's own stop words (lower-cased before use).

    Returns
    -------
    frozenset of str
    """
    words: set[str] = set()
    if english:
        words |= ENGLISH_STOP_WORDS
    if news:
        words |= NEWS_STOP_WORDS
    words |= {w.lower() for w in extra}
    return frozenset(words)
