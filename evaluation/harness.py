"""`qa-service eval`: ask every question of a question file in each mode and report the answer quality.

    python -m evaluation.harness [--questions FILE] [--mode MODE ...] [--json] [--limit N] [--report PATH]
"""

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from evaluation.metrics import KeyFact, Outcome, distinct
from evaluation.naive_baseline import NaiveRAG
from evaluation.report import EvaluationReport, RunInfo, build_report, mode_table, targets_table, write_report
from qa_service.config import ROOT, Settings, get_settings
from qa_service.conversation import ResolvedQuestion, Turn, take_turn
from qa_service.engine import QAEngine
from qa_service.index.embedder import ModelUnavailableError, resolve_model_path
from qa_service.index.store import IndexUnavailableError
from qa_service.ingest.pipeline import is_stale
from qa_service.retrieve.cities import CityDetector
from qa_service.retrieve.retriever import MODES, Filters

HERE = Path(__file__).resolve().parent
NAIVE = "naive"
ALL_MODES = ("bm25", "dense", "hybrid", NAIVE)
SEARCH_DEPTH = 40  # passages searched for the ranking metrics, before deduplication by document
RANKED_DOCS = 10
NAIVE_RANKING_K = 10


class QuestionFileError(ValueError):
    """A question file that cannot be read, with the line at fault."""


class EvalQuestion(BaseModel):
    """One line of a question file."""
    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    category: str = Field(min_length=1)
    answerable: bool
    expected_docs: list[str]
    key_facts: list[KeyFact] = Field(description="Facts the answer must hold; an inner list holds alternatives")
    city: str | None = Field(description="City slug the question is asked within, or null")
    history: list[str] = Field(description="Earlier user turns of the conversation, oldest first")
    line: int = Field(0, exclude=True)

    @field_validator("key_facts")
    @classmethod
    def _alternatives_not_empty(cls, facts: list[KeyFact]) -> list[KeyFact]:
        if any(not fact for fact in facts):
            raise ValueError("a key fact (or list of alternatives) is empty")
        return facts


def load_questions(path: Path) -> list[EvalQuestion]:
    """Every question of a JSONL file; a bad line raises QuestionFileError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise QuestionFileError(f"cannot read the question file {path}: {error}") from error
    questions, seen = [], {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            question = EvalQuestion.model_validate({**json.loads(line), "line": number})
        except json.JSONDecodeError as error:
            raise QuestionFileError(f"{where}: not valid JSON ({error.msg})") from error
        except (ValidationError, TypeError) as error:
            problems = error.errors(include_url=False) if isinstance(error, ValidationError) else [
                {"loc": (), "msg": "each line must be a JSON object"}]
            detail = "; ".join(f"{'.'.join(map(str, p['loc'])) or 'line'}: {p['msg']}" for p in problems)
            raise QuestionFileError(f"{where}: {detail}") from error
        if question.id in seen:
            raise QuestionFileError(f"{where}: id {question.id!r} repeats line {seen[question.id]}")
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise QuestionFileError(f"{path} holds no questions")
    return questions


def check_cities(questions: list[EvalQuestion], engine: QAEngine, path: Path):
    for question in questions:
        if question.city and engine.retriever.resolve_city(question.city) is None:
            raise QuestionFileError(f"{path} line {question.line}: unknown city {question.city!r}")


def resolve_conversation(question: EvalQuestion, detector: CityDetector) -> ResolvedQuestion:
    """The question as POST /api/chat would search it after the history's turns, one by one."""
    previous: Turn | None = None
    for message in [*question.history, question.question]:
        resolved, previous = take_turn(message, previous, detector, question.city)
    return resolved


def outcome(question: EvalQuestion, searched: str, ranked: list[str], answer: str, abstained: bool,
            cited: list[str], latency_ms: float) -> Outcome:
    return Outcome(id=question.id, category=question.category, answerable=question.answerable, question=searched,
                   expected_docs=question.expected_docs, key_facts=question.key_facts,
                   ranked_docs=distinct(ranked)[:RANKED_DOCS], answer=answer, abstained=abstained,
                   cited_docs=cited, latency_ms=round(latency_ms, 3))


@dataclass
class PreparedQuestion:
    """A question resolved against its history and embedded once, shared by the engine's modes."""
    question: EvalQuestion
    resolved: ResolvedQuestion
    vector: np.ndarray
    embed_ms: float


def prepare(engine: QAEngine, question: EvalQuestion) -> PreparedQuestion:
    resolved = resolve_conversation(question, engine.retriever.detector)
    started = time.perf_counter()
    vector = engine.embedder.encode([resolved.question])[0]
    return PreparedQuestion(question, resolved, vector, (time.perf_counter() - started) * 1000)


def evaluate_mode(engine: QAEngine, item: PreparedQuestion, mode: str) -> Outcome:
    question, filters = item.resolved.question, Filters(city=item.resolved.city)
    hits = engine.search(question, mode, SEARCH_DEPTH, filters, item.vector).hits
    answer = engine.ask(question, mode, filters=filters, query_vector=item.vector)
    return outcome(item.question, question, [engine.index.chunks[h.chunk_index].doc_id for h in hits],
                   answer.answer, answer.abstained, [c.doc_id for c in answer.citations],
                   item.embed_ms + answer.timings_ms.total)


def evaluate_naive(naive: NaiveRAG, question: EvalQuestion) -> Outcome:
    """The baseline gets the question text alone: it has neither conversation handling nor filters."""
    ranked = naive.search(question.question, k=NAIVE_RANKING_K)
    answer = naive.ask(question.question)
    return outcome(question, question.question, ranked, answer.answer, False, answer.doc_ids[:1],
                   answer.seconds * 1000)


def _git(*args: str) -> str | None:
    """Output of a git command in the repository; None where git or the repository is missing."""
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state() -> tuple[str | None, bool | None]:
    """The commit, and whether the service's code or corpus differ from it."""
    changes = _git("status", "--porcelain", "--", "qa_service", "corpus")
    return _git("rev-parse", "HEAD") or None, None if changes is None else bool(changes)


def run_evaluation(engine: QAEngine, questions: list[EvalQuestion], modes: list[str], questions_file: Path,
                   corpus_dir: Path, progress=None) -> tuple[EvaluationReport, dict[str, list[Outcome]]]:
    """Every question in every mode, and the report on them; the naive baseline is built over
    `corpus_dir` when asked for."""
    started = time.perf_counter()
    naive = None
    if NAIVE in modes:
        naive = NaiveRAG.build(corpus_dir, resolve_model_path(engine.settings.embedding_model))
        if progress:
            progress(f"naive baseline built: {naive.chunk_count} chunks in {naive.build_seconds:.1f} s")
    asked = time.perf_counter()
    # question by question, every mode in turn, so that load on the machine touches all modes alike
    outcomes: dict[str, list[Outcome]] = {mode: [] for mode in modes}
    for question in questions:
        prepared = prepare(engine, question) if set(modes) & set(MODES) else None
        for mode in modes:
            outcomes[mode].append(evaluate_naive(naive, question) if mode == NAIVE
                                  else evaluate_mode(engine, prepared, mode))
    if progress:
        progress(f"{len(questions)} questions in {len(modes)} modes in {time.perf_counter() - asked:.1f} s")
    manifest = engine.index.manifest
    commit, changed = git_state()
    info = RunInfo(
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), git_commit=commit, git_changes=changed,
        corpus_hash=manifest.corpus_hash, model=manifest.model, questions_file=_shown(questions_file),
        question_counts=dict(sorted(Counter(q.category for q in questions).items())), modes=modes,
        seconds=round(time.perf_counter() - started, 1),
        naive_build_seconds=round(naive.build_seconds, 1) if naive else None,
        naive_chunks=naive.chunk_count if naive else None)
    return build_report(info, outcomes), outcomes


def write_outcomes(outcomes: dict[str, list[Outcome]], path: Path):
    """Every answer as one JSON line per mode and question, for looking into failures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as lines:
        for mode, items in outcomes.items():
            for item in items:
                lines.write(json.dumps({"mode": mode, **item.model_dump()}, ensure_ascii=False) + "\n")


def _shown(path: Path) -> str:
    """The path relative to the repository where it lies inside it."""
    path = path.resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa-service eval", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl", help="JSONL question file")
    parser.add_argument("--mode", dest="modes", action="append", choices=ALL_MODES,
                        help=f"mode to evaluate, repeatable (default: all of {', '.join(ALL_MODES)})")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--limit", type=_at_least_one, help="only the first N questions")
    parser.add_argument("--report", type=Path, default=HERE / "report.md",
                        help="Markdown report to write; the chart goes beside it as .png")
    parser.add_argument("--no-report", action="store_true", help="write no report files")
    parser.add_argument("--outcomes", type=Path, help="also write every answer of every mode to this JSONL file")
    parser.add_argument("--index", type=Path, help="index folder (default: QA_INDEX_DIR)")
    parser.add_argument("--corpus", type=Path, help="corpus folder for the naive baseline (default: QA_CORPUS_DIR)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {key: value for key, value in (("index_dir", args.index), ("corpus_dir", args.corpus)) if value}
    return get_settings().model_copy(update=overrides)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--"]:  # `qa-service eval -- --json` hands the separator on
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    modes = list(dict.fromkeys(args.modes or ALL_MODES))
    try:
        questions = load_questions(args.questions)[:args.limit]
        settings = _settings(args)
        if is_stale(settings):
            print(f"warning: the index in {settings.index_dir} does not match the corpus, model or settings; "
                  "run `qa-service ingest` for numbers that describe the current corpus", file=sys.stderr)
        engine = QAEngine.load(settings)
        check_cities(questions, engine, args.questions)
        result, outcomes = run_evaluation(engine, questions, modes, args.questions, settings.corpus_dir,
                                          progress=lambda message: print(message, file=sys.stderr))
    except (QuestionFileError, IndexUnavailableError, ModelUnavailableError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.outcomes:
        write_outcomes(outcomes, args.outcomes)
    if not args.no_report:
        chart = write_report(result, args.report)
        print(f"report written to {args.report} and {chart}", file=sys.stderr)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(mode_table(result))
        if result.targets:
            print("\n" + targets_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
