"""Extractive answers with the real model: citations, abstention, language."""

import re

import pytest

from qa_service.retrieve.retriever import Filters

pytestmark = pytest.mark.model


def test_answer_sentences_cite_numbered_sources_with_urls(engine):
    answer = engine.ask("Welche Partner hat Ulm?")
    assert not answer.abstained
    numbers = {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", answer.answer) for n in group.split(", ")}
    assert numbers == {c.n for c in answer.citations}
    for citation in answer.citations:
        assert citation.doc_id.startswith(("city/ulm", "interview/ulm"))
        assert citation.url and citation.url.startswith("http")
        assert citation.sources and all(s.date for s in citation.sources)
    sentences = re.split(r"(?<=\]) ", answer.answer)
    assert 1 <= len(sentences) <= 4


def test_answer_text_comes_from_the_corpus(engine):
    answer = engine.ask("Wie viele Schulen hat die Beispielstadt 2023 an Glasfaser angeschlossen?")
    assert "vierzehn Schulen" in answer.answer
    assert answer.citations[0].page == 1


def test_an_off_topic_question_abstains_and_still_lists_the_closest_sources(engine):
    answer = engine.ask("Wie backe ich einen Apfelkuchen mit Streuseln?")
    assert answer.abstained
    assert "keine Informationen" in answer.answer
    assert 1 <= len(answer.citations) <= 3


def test_an_english_question_gets_an_english_lead_in_and_german_evidence(engine):
    answer = engine.ask("Which partners does Ulm work with?")
    assert answer.answer.startswith("According to the German sources:")
    off_topic = engine.ask("How do I bake an apple pie?")
    assert off_topic.abstained and off_topic.answer.startswith("The corpus contains no information")


def test_timings_are_reported(engine):
    timings = engine.ask("Was ist LoRaWAN?", filters=Filters(doc_type="context")).timings_ms
    assert timings.total >= timings.search >= 0 and timings.total >= timings.embed >= 0
