"""The evaluation harness: metric functions by hand, question-file errors, and a smoke run on the fixture index."""

import json
import math

import pytest

from evaluation.harness import (EvalQuestion, QuestionFileError, check_cities, load_questions, main,
                                resolve_conversation)
from evaluation.metrics import (Outcome, citation_precision, distinct, fold, key_facts_present, missing_key_facts,
                                ndcg_at, percentile, recall_at, reciprocal_rank, summarize)
from evaluation.report import TARGETS, check_target, diagnose

QUESTIONS = [
    {"id": "t1", "question": "Seit wann leitet Sabine Meigel die Geschäftsstelle Digitale Agenda in Ulm?",
     "category": "fact", "answerable": True, "expected_docs": ["city/ulm", "interview/ulm-1"],
     "key_facts": ["Februar 2018"], "city": None, "history": []},
    {"id": "t2", "question": "Wer war 2023 CDO der Stadt?", "category": "fact", "answerable": True,
     "expected_docs": ["city/jena"], "key_facts": ["Manuela Meyer"], "city": "jena", "history": []},
    {"id": "t3", "question": "Was bedeutet LoRaWAN?", "category": "fact", "answerable": True,
     "expected_docs": ["context/glossar"], "key_facts": ["Long Range Wide Area Network"], "city": None, "history": []},
    {"id": "t4", "question": "Wie backe ich einen Apfelkuchen mit Streuseln?", "category": "unanswerable",
     "answerable": False, "expected_docs": [], "key_facts": [], "city": None, "history": []},
    {"id": "t5", "question": "Und Jena?", "category": "followup", "answerable": True, "expected_docs": ["city/jena"],
     "key_facts": [["Elektromobilität", "Stadtentwicklung, Umwelt, Verkehr"]], "city": None,
     "history": ["Was macht Ulm bei der Mobilität?"]},
    {"id": "t6", "question": "Und welche Partner hat die Stadt?", "category": "followup", "answerable": True,
     "expected_docs": ["city/jena"], "key_facts": ["Stadtwerke Jena"], "city": None,
     "history": ["Was macht Ulm bei der Mobilität?", "Und Jena?"]},
]


def write_questions(path, rows) -> str:
    path.write_text("\n".join(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)
                              for row in rows) + "\n", encoding="utf-8")
    return str(path)


def test_ranking_metrics_by_hand():
    ranked, expected = ["a", "b", "c", "d"], ["b", "d"]
    assert distinct(["a", "a", "b", "a", "c"]) == ["a", "b", "c"]
    assert [recall_at(ranked, expected, k) for k in (1, 2, 5)] == [0, 0.5, 1]
    assert reciprocal_rank(ranked, expected) == 0.5
    assert reciprocal_rank(ranked, ["z"]) == 0 and reciprocal_rank(ranked, ["d"], k=3) == 0
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(ranked, expected) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert ndcg_at(["b", "d"], expected) == pytest.approx(1.0)


def test_key_facts_ignore_case_accents_and_umlaut_spelling():
    assert fold("KÖLN  Straße Café") == "koeln strasse cafe"
    answer = "Seit Februar 2018 leitet Sabine Meigel die Geschäftsstelle in Koeln."
    assert key_facts_present(answer, ["februar 2018", ["Müller", "MEIGEL"], "Köln"])
    assert missing_key_facts(answer, ["Februar 2018", ["Müller", "Schulz"]]) == [["Müller", "Schulz"]]
    assert key_facts_present(answer, [])


def test_citation_precision_and_percentiles():
    assert citation_precision(["a", "a", "b"], ["a"]) == 0.5
    assert citation_precision([], ["a"]) == 0
    assert percentile([40, 10, 30, 20], 0.5) == 25
    assert percentile([10, 20, 30, 40], 0.95) == pytest.approx(38.5)


def outcome(id_, answerable, abstained, ranked, expected, facts, answer, cited, latency) -> Outcome:
    return Outcome(id=id_, category="fact", answerable=answerable, question="?", expected_docs=expected,
                   key_facts=facts, ranked_docs=ranked, answer=answer, abstained=abstained, cited_docs=cited,
                   latency_ms=latency)


def test_summarize_counts_each_metric_over_the_questions_it_applies_to():
    metrics = summarize([
        outcome("1", True, False, ["a", "b"], ["a"], ["x"], "x", ["a", "b"], 10),
        outcome("2", True, True, ["b", "a"], ["a"], ["y"], "y", ["b"], 20),  # abstained: a miss, no precision
        outcome("3", False, True, [], [], [], "", [], 30),
        outcome("4", False, False, ["c"], [], [], "z", ["c"], 40),
    ])
    assert metrics.questions == 4
    assert (metrics.recall_at_1, metrics.recall_at_5, metrics.mrr_at_10) == (0.5, 1.0, 0.75)
    assert metrics.key_fact_accuracy == 0.5
    assert metrics.citation_precision == 0.5
    assert (metrics.abstention_accuracy, metrics.false_abstention_rate) == (0.5, 0.5)
    assert (metrics.latency_p50_ms, metrics.latency_p95_ms) == (25, 38.5)


def test_targets_need_the_threshold_and_a_lead_over_the_baseline():
    recall, false_abstention = TARGETS[0], TARGETS[-1]
    assert check_target(recall, 0.95, 0.5).met
    assert not check_target(recall, 0.95, 0.97).met
    assert not check_target(recall, 0.85, 0.5).met
    assert check_target(false_abstention, 0.02, 0.0).met  # the baseline never abstains: no comparison
    assert check_target(recall, None, 0.5).met is None


def test_a_malformed_line_is_named_with_its_number(tmp_path, capsys):
    good = json.dumps(QUESTIONS[0])
    path = tmp_path / "q.jsonl"
    write_questions(path, [good, "", '{"id": "t2", "question": "Was?", "category": "fact"}'])
    with pytest.raises(QuestionFileError, match=r"line 3: answerable: Field required"):
        load_questions(path)
    write_questions(path, [good, '{"id": "t2", "question": '])
    with pytest.raises(QuestionFileError, match=r"line 2: not valid JSON"):
        load_questions(path)
    write_questions(path, [good, json.dumps({**QUESTIONS[1], "key_facts": [[]]})])
    with pytest.raises(QuestionFileError, match=r"line 2: key_facts: .*empty"):
        load_questions(path)
    write_questions(path, [good, good])
    with pytest.raises(QuestionFileError, match=r"line 2: id 't1' repeats line 1"):
        load_questions(path)
    assert main(["--questions", str(path), "--no-report"]) == 2
    assert "line 2" in capsys.readouterr().err


def test_failures_name_their_kinds():
    answered = diagnose(outcome("u", False, False, ["c"], [], [], "z", ["c"], 1))
    assert answered.kinds == ["answered unanswerable"] and answered.severity == 2
    missed = diagnose(outcome("m", True, False, ["b", "a"], ["a", "x"], ["q", ["r", "s"]], "q", ["b"], 1))
    assert missed.kinds == ["missing key facts", "retrieval miss", "unexpected citation"]
    assert missed.problems[0] == "missing key facts: r / s" and missed.severity == 2
    assert diagnose(outcome("ok", True, False, ["a"], ["a"], ["q"], "q", ["a"], 1)) is None


@pytest.mark.model
def test_an_unknown_city_is_named_with_its_line(engine, tmp_path):
    path = tmp_path / "q.jsonl"
    write_questions(path, [QUESTIONS[0], {**QUESTIONS[1], "city": "atlantis"}])
    with pytest.raises(QuestionFileError, match=r"line 2: unknown city 'atlantis'"):
        check_cities(load_questions(path), engine, path)


@pytest.mark.model
def test_followups_resolve_like_the_chat_endpoint(engine):
    detector = engine.retriever.detector
    switched = resolve_conversation(EvalQuestion(**QUESTIONS[4]), detector)
    assert switched.question == "Was macht Jena bei der Mobilität?"
    kept = resolve_conversation(EvalQuestion(**QUESTIONS[5]), detector)
    assert (kept.question, kept.city) == ("Und welche Partner hat die Stadt?", "Jena")
    assert resolve_conversation(EvalQuestion(**QUESTIONS[1]), detector).city == "jena"


@pytest.mark.model
def test_harness_runs_every_mode_on_the_fixture_index(fixture_settings, fixture_index, tmp_path, capsys):
    questions = write_questions(tmp_path / "questions.jsonl", QUESTIONS)
    report_path, outcomes_path = tmp_path / "out" / "report.md", tmp_path / "outcomes.jsonl"
    assert main(["--questions", questions, "--index", str(fixture_settings.index_dir),
                 "--corpus", str(fixture_settings.corpus_dir), "--report", str(report_path), "--json",
                 "--outcomes", str(outcomes_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["metrics"]) == ["bm25", "dense", "hybrid", "naive"]
    assert report["info"]["question_counts"] == {"fact": 3, "followup": 2, "unanswerable": 1}
    assert report["info"]["corpus_hash"] and report["info"]["naive_chunks"] > 0
    for mode in report["metrics"].values():
        assert set(mode["by_category"]) == {"fact", "followup", "unanswerable"}
        for metrics in [mode["overall"], *mode["by_category"].values()]:
            for name, value in metrics.items():
                if value is not None and name not in ("questions", "latency_p50_ms", "latency_p95_ms"):
                    assert 0 <= value <= 1, name
        assert mode["overall"]["latency_p50_ms"] <= mode["overall"]["latency_p95_ms"]
    assert report["metrics"]["naive"]["overall"]["abstention_accuracy"] == 0
    assert report["metrics"]["hybrid"]["by_category"]["unanswerable"]["recall_at_5"] is None
    assert len(report["targets"]) == 5 and len(report["worst_failures"]) <= 10
    assert all(n <= len(QUESTIONS) for n in report["failure_counts"].values())
    markdown = report_path.read_text(encoding="utf-8")
    assert "## Metrics per mode" in markdown and "## Quality targets (hybrid)" in markdown
    assert report_path.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    outcomes = [json.loads(line) for line in outcomes_path.read_text(encoding="utf-8").splitlines()]
    assert len(outcomes) == 4 * len(QUESTIONS)
    resolved = {o["id"]: o["question"] for o in outcomes if o["mode"] == "hybrid"}
    assert resolved["t5"] == "Was macht Jena bei der Mobilität?"
    assert {o["id"]: o["question"] for o in outcomes if o["mode"] == "naive"}["t5"] == "Und Jena?"
