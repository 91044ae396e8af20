"""Which section of a city profile a question is about ("Wer sind die Partner?" -> Partnernetzwerk)."""

import re

from qa_service.retrieve.cities import fold

# Word beginnings (folded: ä -> ae) that point to a section of the Atlas profile structure.
SECTION_CUES: dict[str, tuple[str, ...]] = {
    "Organisation": ("organis", "zustaendig", "verantwortlich", "kuemmert", "stabsstelle", "abteilung",
                     "aufgestellt", "leitet", "leitung", "chief", "cdo", "cio", "geschaeftsstelle", "dezernat"),
    "Partnernetzwerk": ("partner", "zusammenarb", "kooper", "netzwerk", "mit wem", "verbuendet"),
    "Bürgerbeteiligung": ("beteilig", "buergerinnen", "buerger", "einbind", "eingebunden", "mitwirk",
                          "mitred", "partizip", "mitmach"),
    "Chancen und Herausforderungen": ("herausforder", "problem", "kritik", "hapert", "schwierig", "hindernis",
                                      "nicht rund", "huerde", "chance", "risik", "schwaeche"),
    "Digitale Agenda": ("strategie", "agenda", "masterplan", "leitlinie", "leitbild"),
    "Motivation und Ziele": ("ziel", "warum", "motivation", "erreichen", "vision"),
    "Projekte": ("projekt", "vorhaben", "pilot"),
    "Förderung und Wettbewerbe": ("foerder", "geld", "millionen", "mio", "wettbewerb", "modellprojekt", "zuschuss"),
    "Rankings": ("index", "ranking", "platz", "rang", "abgeschnitten", "platzier"),
    "Themenfelder": ("themen", "handlungsfeld", "schwerpunkt"),
    "Überblick": ("einwohner", "buergermeister", "bevoelkerung", "wie gross"),
}
_CUE_PATTERNS = {section: re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, cues)) + ")")
                 for section, cues in SECTION_CUES.items()}


def question_sections(question: str) -> set[str]:
    """Profile sections the question's wording points to (empty when it points nowhere in particular)."""
    folded = fold(question)
    return {section for section, pattern in _CUE_PATTERNS.items() if pattern.search(folded)}


def section_matches(chunk_section: str | None, sections: set[str]) -> bool:
    """True when a chunk's section ("Projekte: LoRaPark" counts as "Projekte") is one of `sections`."""
    return bool(chunk_section) and chunk_section.split(":")[0] in sections
