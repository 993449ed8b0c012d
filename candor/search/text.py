"""Turning free text into search words, the same way for documents and for queries.

Accents and case are folded here (``Lefèvre`` → ``lefevre``), before either backend sees the
text, so both databases match the same words. A word is a run of letters or digits; everything
else (quotes, ``*``, ``-``, ``NEAR``'s parentheses, SQL) only separates words, so no user input
ever reaches a full-text query as syntax.
"""

from __future__ import annotations

import functools
import re

from candor.core.normalise import strip_accents

WORD = re.compile(r"[^\W_]+")
FACET = "0f"  # the start of every filter token in the index; no searched word starts so
MAX_WORDS = 12  # a query keeps its first words; the rest is reported as ignored
MAX_WORD = 40


def fold(text: str) -> str:
    return strip_accents(text or "").casefold()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


SHORT = 120  # parts up to this length are remembered (names, functions, employers, schools)


@functools.lru_cache(maxsize=1 << 15)
def _short_words(part: str) -> str:
    return " ".join(words(part))


def joined(*parts: str) -> str:
    """Document text for one column: the folded words of every part, in order (a part's words
    never join a neighbour's, as folding never joins across a space). Short parts repeat from
    one person to the next (functions, employers, schools) and are folded once."""
    done = [
        _short_words(part) if len(part) <= SHORT else " ".join(words(part))
        for part in parts
        if part
    ]
    return " ".join([d for d in done if d])


def query_words(text: str) -> tuple[list[str], bool]:
    """(the words to search for, whether some were dropped because the query was too long)."""
    found = [
        w[:MAX_WORD]
        for w in words(text[: MAX_WORDS * (MAX_WORD + 1) * 4])
        if not w.startswith(FACET)
    ]
    unique = list(dict.fromkeys(found))
    return unique[:MAX_WORDS], len(unique) > MAX_WORDS
