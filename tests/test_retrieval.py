"""Retrieval over the fixture index with the real model: modes, filters, city detection."""

import pytest

from qa_service.retrieve.retriever import Filters

pytestmark = pytest.mark.model

PARAPHRASED = [
    ("Wer gehört in Ulm zum Netzwerk der Partner?", "city/ulm"),
    ("Wie viele Schulen hat die Beispielstadt 2023 ans Glasfasernetz gebracht?", "file/pages/jahresbericht-2023"),
    ("Was versteht man unter einem urbanen digitalen Zwilling?", "context/glossar"),
    ("Wie viele Haushalte sollen bei den Stadtwerken ein Gigabit bekommen?", "file/pages/stadtwerke-beispiel"),
]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
@pytest.mark.parametrize("question,expected", PARAPHRASED)
def test_each_mode_finds_the_document_for_a_paraphrased_question(engine, mode, question, expected):
    hits = engine.search(question, mode=mode, top_k=5).hits
    assert expected in [engine.index.chunks[h.chunk_index].doc_id for h in hits]


def test_hybrid_ranks_the_right_document_first(engine):
    for question, expected in PARAPHRASED:
        top = engine.search(question, mode="hybrid", top_k=3).hits[0]
        assert engine.index.chunks[top.chunk_index].doc_id == expected, question


def test_city_filter_keeps_only_that_city(engine):
    hits = engine.search("Welche Projekte gibt es?", top_k=10, filters=Filters(city="jena")).hits
    assert hits and {engine.index.chunks[h.chunk_index].city for h in hits} <= {"Jena", None}


def test_a_city_named_in_the_question_restricts_the_search(engine):
    result = engine.search("Welche Partner hat die Stadt Kölns?", top_k=8)
    assert result.cities == ["Köln"]
    assert {engine.index.chunks[h.chunk_index].city for h in result.hits} <= {"Köln", None}


def test_questions_about_several_cities_search_all_of_them(engine):
    result = engine.search("Wie unterscheiden sich Ulm und Jena bei der Bürgerbeteiligung?", top_k=10)
    assert result.cities == ["Ulm", "Jena"]
    assert {"Ulm", "Jena"} <= {engine.index.chunks[h.chunk_index].city for h in result.hits}


def test_filters_on_state_and_type(engine):
    hits = engine.search("Strategie", top_k=10, filters=Filters(state="Thüringen", doc_type="city_profile")).hits
    assert hits and {engine.index.chunks[h.chunk_index].doc_id for h in hits} == {"city/jena"}


@pytest.mark.parametrize("filters,message", [
    (Filters(city="Atlantis"), "unknown city"), (Filters(state="Narnia"), "unknown state"),
    (Filters(doc_type="poem"), "unknown document type")])
def test_unknown_filter_values_are_refused(engine, filters, message):
    with pytest.raises(ValueError, match=message):
        engine.search("Strategie", filters=filters)


def test_unknown_mode_is_refused(engine):
    with pytest.raises(ValueError, match="unknown mode"):
        engine.search("Strategie", mode="magic")


def test_a_named_city_without_documents_searches_only_context_naming_it(engine):
    result = engine.search("Welche Partner hat Aachen?", top_k=5)
    assert result.cities == ["Aachen"]
    assert all(engine.index.chunks[h.chunk_index].city is None for h in result.hits)


def test_dense_scores_are_reported_unboosted(engine):
    hit = engine.search("Wer sind die Partner in Ulm?", mode="dense", top_k=1).hits[0]
    assert hit.dense_score <= 1.0 + 1e-5 and hit.score > hit.dense_score  # the section boost applies to the rank only
