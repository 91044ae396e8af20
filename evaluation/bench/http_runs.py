"""HTTP load runs against a started server, each through evaluation/load_client.py in its own process."""

import subprocess
import sys
from pathlib import Path

from evaluation.bench.figures import HttpRun, ServerFigures
from evaluation.bench.servers import Server, started_server
from evaluation.bench.timing import progress
from evaluation.load_client import LoadResult
from qa_service.config import ROOT

RunSpec = tuple[str, int, bool]   # label, concurrency, unique questions


def load_command(url: str, questions_file: Path, concurrency: int, seconds: float, unique: bool,
                 chat: bool = False) -> list[str]:
    return [sys.executable, "-m", "evaluation.load_client", "--url", url, "--questions", str(questions_file),
            "--concurrency", str(concurrency), "--seconds", str(seconds),
            *(["--unique"] if unique else []), *(["--chat", "--turns-per-session", "2"] if chat else [])]


def parse_load_result(stdout: str) -> LoadResult:
    """The LoadResult the load client prints as its last line."""
    return LoadResult.model_validate_json(stdout.strip().splitlines()[-1])


def run_load_client(command: list[str], seconds: float) -> LoadResult:
    finished = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120)
    if finished.returncode != 0:
        raise RuntimeError(f"load client failed: {finished.stderr[-2000:]}")
    return parse_load_result(finished.stdout)


def embedding_counters(server: Server) -> tuple[float, float]:
    """Questions embedded and model calls made so far by our server."""
    return server.metric("qa_embedded_questions"), server.metric("qa_embedding_batches")


def http_runs(server: Server, name: str, runs: list[RunSpec], questions_file: Path, seconds: float) -> list[HttpRun]:
    """One load run per spec; on our server ("ours") also the cache hits and questions per model call."""
    results = []
    for label, concurrency, unique in runs:
        before = embedding_counters(server) if name == "ours" else None
        cpu_before = server.cpu_seconds()
        load = run_load_client(load_command(server.url, questions_file, concurrency, seconds, unique), seconds)
        cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / max(1, load.requests)
        run = HttpRun(label=label, load=load, server_cpu_ms_per_request=round(cpu_ms, 2))
        if before and load.requests:
            after = embedding_counters(server)
            embedded, batches = after[0] - before[0], after[1] - before[1]
            run.cache_hit_share = round(max(0.0, 1 - embedded / max(1, load.requests - load.failures)), 3)
            run.questions_per_model_call = round(embedded / batches, 2) if batches else None
        progress(f"{name} {label}: {load.requests_per_second} req/s, p50 {load.p50_ms} ms, "
                 f"p95 {load.p95_ms} ms, failures {load.failures}")
        results.append(run)
    return results


def measure_server(name: str, command: list[str], env: dict[str, str], runs: list[RunSpec], questions: list[str],
                   questions_file: Path, seconds: float, work: Path) -> ServerFigures:
    """Cold start, the load runs and peak RSS of one server, started for this and stopped after."""
    with started_server(command, env, questions[0], work / f"{name}-server.log") as server:
        progress(f"{name} server ready in {server.cold_start.ready_s} s, "
                 f"first answer at {server.cold_start.first_answer_s} s")
        results = http_runs(server, name, runs, questions_file, seconds)
        return ServerFigures(name=name, cold_start=server.cold_start, runs=results, peak_rss_mb=server.rss.peak_mb())
