"""Pure text logic: markers, sentences, chunking, German analysis, city detection, follow-ups."""

import pytest

from qa_service.conversation import Turn, resolve_followup
from qa_service.index.german import GermanAnalyzer
from qa_service.ingest.chunking import chunk_document, evidence_sentences
from qa_service.ingest.documents import Document, Section
from qa_service.ingest.markers import marker_ids, paragraph_units
from qa_service.ingest.sentences import split_sentences
from qa_service.retrieve.cities import CityDetector


def test_marker_ids_and_paragraph_units():
    assert marker_ids("Satz. [s1, s3] Noch einer. [s2]") == ["s1", "s3", "s2"]
    units = paragraph_units("# Titel\n\nErster Absatz\nzweite Zeile. [s1]\n\n- Punkt a [s2]\n- Punkt b\n")
    assert [text for _, text in units] == ["Erster Absatz zweite Zeile. [s1]", "- Punkt a [s2]", "- Punkt b"]
    assert [line for line, _ in units] == [3, 6, 7]


def test_sentences_do_not_break_at_abbreviations_or_dates():
    text = "Am 5. Dezember 2017 tagte die AG, u. a. mit Dr. Meier. Es gab 3 Mio. Euro. Der Atlas kam 2019. Dann?"
    assert split_sentences(text) == ["Am 5. Dezember 2017 tagte die AG, u. a. mit Dr. Meier.",
                                     "Es gab 3 Mio. Euro.", "Der Atlas kam 2019.", "Dann?"]


def test_long_paragraphs_are_cut_and_every_piece_keeps_its_markers():
    paragraph = " ".join(f"Satz Nummer {i} über die Stadt." for i in range(60)) + " [s4]"
    document = Document("city/x", "X", "city_profile", "x.md", [Section(paragraph, "Projekte")])
    chunks = chunk_document(document, chunk_size=300, chunk_overlap=0)
    assert len(chunks) > 3
    assert all(chunk.source_ids == ["s4"] and chunk.section == "Projekte" for chunk in chunks)
    assert all(s.source_ids == ("s4",) for i, c in enumerate(chunks) for s in evidence_sentences(c, i))


def test_list_items_join_their_intro_and_interview_questions_are_not_evidence():
    text = ("Ausgewählt wurden: [s1]\n- Ulm [s1]\n- Jena [s2]\n\n"
            "**Frage:** Was plant die Stadt? **Antwort:** Meigel sagt, man baue ein Funknetz. [s3]")
    document = Document("city/x", "X", "city_profile", "x.md", [Section(text, None)])
    sentences = evidence_sentences(chunk_document(document, 600, 0)[0], 0)
    assert [(s.text, s.source_ids) for s in sentences] == [
        ("Ausgewählt wurden: Ulm; Jena.", ("s1", "s2")), ("Meigel sagt, man baue ein Funknetz.", ("s3",))]


def test_german_compounds_are_split_against_the_corpus_vocabulary():
    analyzer = GermanAnalyzer.from_texts(["Die Strategie der Digitalisierung", "digital digital strategie"])
    assert set(analyzer.tokens("Digitalstrategie")) >= {"digital", "strategi"}
    assert analyzer.tokens("Die und der") == []


@pytest.mark.parametrize("question,cities", [
    ("Was plant Köln?", ["Köln"]), ("Kölns Strategie", ["Köln"]), ("Projekte in Münster", ["Münster"]),
    ("Die Freiburger Verwaltung", ["Freiburg im Breisgau"]), ("Münchner Datenplattform", ["München"]),
    ("Muenchen und Nuernberg", ["München", "Nürnberg"]), ("Bergisch Gladbacher Partner", ["Bergisch Gladbach"]),
    ("Mönchengladbach", []), ("Was ist eine Smart City?", [])])
def test_city_detection_handles_inflection(question, cities):
    assert CityDetector().detect(question) == cities


def test_followups_inherit_city_and_topic():
    detector = CityDetector()
    first = Turn("Was macht Ulm bei der Mobilität?", "Was macht Ulm bei der Mobilität?", "Ulm")
    switched = resolve_followup("Und Jena?", first, detector)
    assert switched.question == "Was macht Jena bei der Mobilität?"
    second = Turn("Und Jena?", switched.question, "Jena")
    kept = resolve_followup("Und welche Partner hat die Stadt?", second, detector)
    assert (kept.question, kept.city) == ("Und welche Partner hat die Stadt?", "Jena")
    fresh = resolve_followup("Welche Partner hat Köln?", second, detector)
    assert fresh.city is None and fresh.question == "Welche Partner hat Köln?"
