"""German-aware analysis for BM25: lower-casing, stop words, Snowball stemming and decompounding.

Compounds are split against the corpus's own vocabulary, so "Digitalstrategie" also yields
"digital" and "strategi" and meets "Strategie für die Digitalisierung" half-way.
"""

import re
from collections import Counter
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

WORD = re.compile(r"[0-9a-zäöüß]+(?:-[0-9a-zäöüß]+)*")
STOPWORDS = frozenset(STOPWORDS_GERMAN) | frozenset(
    "the a an of in on for to and or is are was were what which who how does do did with by at from "
    "about city cities stadt städte gibt es welche welcher welches wie was wer wo wann warum sagt viel viele "
    "vielen ans beim macht machen tut tun".split())
LINKS = ("", "s", "es", "n", "en", "e")
MIN_PART = 4
UNKNOWN_HEAD_PART = 6


class GermanAnalyzer:
    """Turns text into BM25 tokens: stems of words and of their compound parts."""

    def __init__(self, vocabulary: frozenset[str] = frozenset()):
        self.vocabulary = vocabulary
        self._stemmer = Stemmer.Stemmer("german")
        self._known_stems = frozenset(self._stemmer.stemWords(list(vocabulary)))
        self._split = lru_cache(maxsize=200_000)(self._split_uncached)

    @classmethod
    def from_texts(cls, texts: list[str], min_count: int = 1) -> "GermanAnalyzer":
        """Learn the decompounding vocabulary: words seen at least `min_count` times."""
        counts = Counter(word for text in texts for token in WORD.findall(text.lower()) for word in token.split("-"))
        return cls(frozenset(word for word, count in counts.items()
                             if count >= min_count and len(word) >= MIN_PART and word not in STOPWORDS))

    def _known(self, word: str) -> bool:
        """A corpus word in any inflection: "partner" is known when the corpus has "Partnern"."""
        return word in self.vocabulary or self._stemmer.stemWord(word) in self._known_stems

    def _split_uncached(self, word: str) -> tuple[str, ...]:
        """Best split of a compound into known words (longest head first), or ()."""
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            if not self._known(tail) and not self._split(tail):
                continue
            for link in LINKS:
                if link and not head.endswith(link):
                    continue
                stem = head[:len(head) - len(link)] if link else head
                if len(stem) >= MIN_PART and self._known(stem):
                    return (stem, *(self._split(tail) or (tail,)))
        # an unknown head before a known tail still splits: "Partnernetzwerk" -> partner + netzwerk
        for cut in range(len(word) - UNKNOWN_HEAD_PART, UNKNOWN_HEAD_PART - 1, -1):
            if self._known(word[cut:]):
                return (word[:cut], word[cut:])
        return ()

    def tokens(self, text: str) -> list[str]:
        words = []
        for token in WORD.findall(text.lower()):
            parts = token.split("-")
            for word in parts if len(parts) > 1 else [token]:
                if word in STOPWORDS or len(word) < 2:
                    continue
                words.append(word)
                if len(word) >= 2 * MIN_PART:
                    words.extend(self._split(word))
        return self._stemmer.stemWords(words)
