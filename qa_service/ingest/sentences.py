"""Split German (and English) prose into sentences without breaking at abbreviations or dates."""

import re

_CANDIDATE = re.compile(r"(?<=[.!?…])([\"“”»)]?)\s+(?=[\"„«(]?[A-ZÄÖÜ0-9])")
_ABBREVIATIONS = {
    "z", "b", "u", "a", "d", "h", "ca", "bzw", "dr", "prof", "nr", "st", "mio", "mrd", "vgl", "usw",
    "inkl", "ggf", "evtl", "sog", "bspw", "etc", "v", "e", "i", "br", "o", "s", "abs", "art", "ff",
    "jh", "mr", "mrs", "no", "vs", "gmbh", "str", "tel", "min", "max", "dipl", "ing", "jan", "feb",
    "mär", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dez", "kap", "bd",
}
_LAST_WORD = re.compile(r"(\S+)\.$")


def _ends_sentence(piece: str) -> bool:
    match = _LAST_WORD.search(piece)
    if not match:
        return True
    word = match.group(1).lower().lstrip("(„\"")
    if word.isdigit():  # a day or ordinal ("am 5. Dezember") goes on; a year ends the sentence
        return len(word) > 2
    return word.split(".")[-1] not in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    sentences, start = [], 0
    for match in _CANDIDATE.finditer(text):
        piece = text[start:match.end(1)].strip()
        if _ends_sentence(piece):
            sentences.append(piece)
            start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]
