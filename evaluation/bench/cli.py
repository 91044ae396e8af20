"""`qa-service bench`: speed and resources of the service next to the naive baseline, from one run.

    python -m evaluation.bench [--quick] [--seconds S] [--soak [SECONDS]] [--output PATH] [--json]

Measures cold start, ingest and re-ingest, in-process latency per stage, HTTP throughput (load client
in its own process), peak memory, dense search at 10k/100k synthetic chunks and, with `--soak`, a
long run of chat traffic. Writes a Markdown report with every figure, the ratio ours/baseline and
the targets met or missed. Settings (index, corpus) come from the QA_* environment.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from evaluation.bench.figures import BenchResults
from evaluation.bench.http_runs import RunSpec, measure_server
from evaluation.bench.inprocess import measure_ingest, measure_latency
from evaluation.bench.render import render_report
from evaluation.bench.scale import SCALE_QUERIES, indexed_chunk_vectors, measure_scale
from evaluation.bench.servers import NAIVE_COMMAND, OURS_COMMAND, server_env
from evaluation.bench.soak import measure_soak
from evaluation.bench.targets import evaluate_targets
from evaluation.bench.timing import progress, timed
from evaluation.load_client import read_questions
from evaluation.naive_baseline import NaiveRAG
from qa_service.config import Settings
from qa_service.engine import QAEngine
from qa_service.index.embedder import resolve_model_path

EVALUATION_DIR = Path(__file__).resolve().parent.parent


@dataclass
class Plan:
    """What one run measures; --quick shrinks everything for the smoke test."""
    quick: bool
    seconds: float
    soak_seconds: float | None
    ours_runs: list[RunSpec] = field(default_factory=list)
    naive_runs: list[RunSpec] = field(default_factory=list)
    scale_sizes: tuple[int, ...] = ()
    question_limit: int | None = None
    soak_session_bound: int = 1000   # QA_MAX_SESSIONS of the soak's server

    @classmethod
    def of(cls, quick: bool, seconds: float | None, soak_seconds: float | None) -> "Plan":
        if quick:
            return cls(True, seconds or 2, soak_seconds, [("c1", 1, False), ("c8", 8, False), ("c8 unique", 8, True)],
                       [("c1", 1, False), ("c8", 8, False)], (10_000,), 10, soak_session_bound=20)
        return cls(False, seconds or 5, soak_seconds,
                   [("c1", 1, False), ("c8", 8, False), ("c16", 16, False), ("c32", 32, False),
                    ("c16 unique", 16, True)],
                   [("c1", 1, False), ("c16", 16, False)], (10_000, 100_000))

    @property
    def throughput_label(self) -> str:
        return "c8" if self.quick else "c16"


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def machine_description() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"{psutil.virtual_memory().total / 1024**3:.0f} GiB, Python {platform.python_version()}")


def run_benchmark(settings: Settings, plan: Plan, questions_path: Path) -> BenchResults:
    """Every measurement in turn: in process first, then each server on its own, then the soak."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = load_average()
    questions = read_questions(questions_path, plan.question_limit)
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as folder:
        work = Path(folder)
        questions_file = work / "questions.jsonl"
        questions_file.write_text("".join(json.dumps({"question": q}, ensure_ascii=False) + "\n" for q in questions),
                                  encoding="utf-8")

        progress(f"in-process latency over {len(questions)} questions")
        engine = QAEngine.load(settings)
        naive_build = None if plan.quick else timed(NaiveRAG.build, settings.corpus_dir,
                                                    resolve_model_path(settings.embedding_model))
        latency = measure_latency(engine, questions, naive_build[0] if naive_build else None)
        scale_queries = engine.embedder.encode(read_questions(questions_path, plan.question_limit or SCALE_QUERIES))
        manifest = engine.index.manifest
        index_info = (f"{manifest.chunk_count} chunks, {manifest.sentence_count} sentences, {manifest.model}, "
                      f"{manifest.index_type}")
        del engine
        progress("scale: synthetic corpora")
        scale = measure_scale(indexed_chunk_vectors(settings.index_dir), scale_queries, plan.scale_sizes)
        progress("ingest and re-ingest")
        ingest_figures = measure_ingest(settings, work, naive_build)
        del naive_build

        progress("our server")
        ours = measure_server("ours", OURS_COMMAND, server_env(settings, work / "data"), plan.ours_runs, questions,
                              questions_file, plan.seconds, work)
        progress("naive server")
        naive = measure_server("naive", [*NAIVE_COMMAND, "--corpus", str(settings.corpus_dir)],
                               server_env(settings, work / "naive-data"), plan.naive_runs, questions,
                               questions_file, plan.seconds, work)
        soak = None
        if plan.soak_seconds:
            progress(f"soak for {plan.soak_seconds} s")
            soak = measure_soak(settings, questions, questions_file, plan.soak_seconds, plan.soak_session_bound, work)
    results = BenchResults(
        started_at=started_at, quick=plan.quick, http_seconds=plan.seconds, machine=machine_description(),
        load_average=f"{load_before} at start, {load_average()} at end (1/5/15 min)", index=index_info,
        latency=latency, ingest=ingest_figures, ours=ours, naive=naive, scale=scale, soak=soak)
    results.targets = evaluate_targets(results, plan.throughput_label)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa-service bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 2-s runs, concurrency 1 and 8, 10 questions, scale to 10k, "
                             "no baseline ingest")
    parser.add_argument("--seconds", type=float, help="length of each HTTP run (default 5, 2 with --quick)")
    parser.add_argument("--soak", type=float, nargs="?", const=60.0, metavar="SECONDS",
                        help="add a soak run of our server (default 60 s)")
    parser.add_argument("--questions", type=Path, default=EVALUATION_DIR / "questions.jsonl")
    parser.add_argument("--output", type=Path, default=EVALUATION_DIR / "bench.md", help="Markdown report")
    parser.add_argument("--json", action="store_true", help="also print all figures as JSON on stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if (args.seconds is not None and args.seconds <= 0) or (args.soak is not None and args.soak < 3):
        print("error: --seconds must be > 0 and --soak at least 3", file=sys.stderr)
        return 2
    results = run_benchmark(Settings(), Plan.of(args.quick, args.seconds, args.soak), args.questions)
    command = " ".join(["qa-service bench", *(argv if argv is not None else sys.argv[1:])])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_report(results, command), encoding="utf-8")
    progress(f"report written to {args.output}")
    if args.json:
        print(results.model_dump_json(indent=2))
    return 0
