"""Tell English questions from German ones, and the fixed phrases of answers in both."""

import re

_ENGLISH = frozenset("the what which who how does do did is are was were has have of on for to and "
                     "with about its their there any many much when where why".split())
_GERMAN = frozenset("der die das was wie wer welche welcher welches ist sind hat haben gibt es und in "
                    "mit für von zu den dem des ein eine stadt städte".split())

PHRASES = {
    "de": {"abstain": "Dazu enthält der Korpus keine Informationen. Die nächstliegenden Quellen sind unten aufgeführt.",
           "lead": ""},
    "en": {"abstain": "The corpus contains no information on this. The closest sources are listed below.",
           "lead": "According to the German sources: "},
}


def question_language(question: str) -> str:
    words = re.findall(r"[a-zäöüß]+", question.lower())
    english = sum(word in _ENGLISH for word in words)
    german = sum(word in _GERMAN for word in words)
    return "en" if english > german else "de"
