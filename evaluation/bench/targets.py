"""The benchmark's targets, each met or missed, with a note of the figures that explain the verdict."""

import os

from evaluation.bench.figures import BenchResults, HttpRun, Target, ratio
from evaluation.bench.render import format_number, format_share, rss_every_10_s
from evaluation.bench.scale import SCORE_TOLERANCE
from qa_service.index.dense import HNSW_EF_SEARCH

THROUGHPUT_GOAL = "≥ 100 and ≥ 3×"


def evaluate_targets(results: BenchResults, label: str) -> list[Target]:
    """Every target in report order; `label` names the HTTP run whose throughput counts (c8 or c16)."""
    latency, ingest_figures, scale = results.latency, results.ingest, results.scale
    stages = latency.stage_p50_ms
    in_process = ratio(stages["total"], latency.one_embedding_p50_ms)
    targets = [Target(
        name="p50 in process ≤ 1.5 × one query embedding", goal="≤ 1.5", figure=in_process,
        met=in_process is not None and in_process <= 1.5,
        note=f"p50 {format_number(stages['total'])} ms (stage p50s: embed {format_number(stages['embed'])}, search "
             f"{format_number(stages['search'])}, answer {format_number(stages['answer'])} ms); one embedding alone "
             f"{format_number(latency.one_embedding_p50_ms)} ms")]
    naive_run = results.naive.run(label)
    for run_label, kind in ((label, "repeated questions"), (f"{label} unique", "unique questions")):
        run = results.ours.run(run_label)
        targets.append(throughput_target(run, naive_run, f"≥ 100 requests/s at {label}, ≥ 3 × baseline ({kind})"))
    rate = ingest_figures.full_embedded / ingest_figures.full_seconds if ingest_figures.full_seconds else 0
    targets += [
        Target(name="full ingest ≤ 90 s (empty embedding cache)", goal="≤ 90 s", figure=ingest_figures.full_seconds,
               met=ingest_figures.full_seconds <= 90,
               note=f"{ingest_figures.chunks} chunks + {ingest_figures.sentences} evidence sentences: "
                    f"{ingest_figures.full_embedded} texts embedded at {rate:.0f}/s, model load included; the baseline "
                    f"embeds {format_number(ingest_figures.naive_chunks)} chunks in "
                    f"{format_number(ingest_figures.naive_seconds)} s"),
        Target(name="re-ingest after one changed file ≤ 10 s", goal="≤ 10 s",
               figure=ingest_figures.reingest_seconds,
               met=ingest_figures.reingest_seconds <= 10,
               note=f"{ingest_figures.reingest_embedded} texts embedded, the rest from the cache"),
        Target(name="peak RSS of our server ≤ 1.5 GB", goal="≤ 1536 MB", figure=results.ours.peak_rss_mb,
               met=results.ours.peak_rss_mb <= 1536, note=f"naive server: {results.naive.peak_rss_mb} MB")]
    real, largest = scale[0], scale[-1]
    growth = ratio(largest.hnsw_p50_ms, real.flat_p50_ms)
    targets.append(Target(
        name=f"at {largest.chunks:,} chunks p50 ≤ 2 × p50 at {real.chunks:,}, recall@10 ≥ 0.95",
        goal="≤ 2× and ≥ 0.95", figure=growth,
        met=growth is not None and growth <= 2 and largest.recall_at_10 >= 0.95,
        note=f"HNSW {format_number(largest.hnsw_p50_ms)} ms at {largest.chunks:,} against flat "
             f"{format_number(real.flat_p50_ms)} ms at {real.chunks:,} (today's index), "
             f"{format_number(ratio(largest.hnsw_p50_ms, real.hnsw_p50_ms))}× HNSW at {real.chunks:,}; recall@10 "
             f"{format_number(largest.recall_at_10)} with efSearch {HNSW_EF_SEARCH}, "
             f"{format_share(largest.near_tie_share)} of its hits within {SCORE_TOLERANCE} of the exact 10th score; "
             f"flat at {largest.chunks:,}: {format_number(largest.flat_p50_ms)} ms"))
    soak = results.soak
    targets.append(Target(
        name="soak: no failures, RSS growth < 10 %, sessions ≤ bound", goal="0, < 10 %, ≤ bound",
        figure=soak.rss_growth_percent if soak else None,
        met=(soak.load.failures == 0 and soak.rss_growth_percent < 10
             and (soak.sessions_max or 0) <= soak.session_bound)
        if soak else None,
        note=(f"{soak.load.requests} chat turns, {soak.load.failures} failures, RSS "
              f"{format_number(soak.rss_first_mb)} → {format_number(soak.rss_last_mb)} MB (every 10 s: "
              f"{rss_every_10_s(soak)}), sessions at most {format_number(soak.sessions_max)} of {soak.session_bound}")
        if soak else "not run (qa-service bench --soak SECONDS)"))
    return targets


def throughput_target(run: HttpRun | None, naive_run: HttpRun | None, name: str) -> Target:
    """≥ 100 req/s and ≥ 3 × the baseline; a missed target's note says where the CPU time went."""
    if run is None or naive_run is None:
        return Target(name=name, goal=THROUGHPUT_GOAL, figure=None, met=None, note="not run")
    rps, times = run.load.requests_per_second, ratio(run.load.requests_per_second, naive_run.load.requests_per_second)
    met = rps >= 100 and times is not None and times >= 3
    cpu_per_request = run.server_cpu_ms_per_request + run.client_cpu_ms_per_request
    note = (f"{format_number(times)}× the baseline's {format_number(naive_run.load.requests_per_second)} req/s; "
            f"{run.load.failures} failures; {format_share(run.cache_hit_share)} cache hits")
    if not met:
        note += (f"; CPU per request: server {format_number(run.server_cpu_ms_per_request)} ms + load client "
                 f"{format_number(run.client_cpu_ms_per_request)} ms, which caps {os.cpu_count()} CPUs at about "
                 f"{format_number(os.cpu_count() * 1000 / cpu_per_request)} req/s" if cpu_per_request else "")
        if run.cache_hit_share is not None and run.cache_hit_share < 0.5:
            note += (f"; uncached, each question needs the model ({run.questions_per_model_call} per call), "
                     f"as each of the baseline's does (server {format_number(naive_run.server_cpu_ms_per_request)} "
                     "ms CPU per request)")
    return Target(name=name, goal=THROUGHPUT_GOAL, figure=rps, met=met, note=note)
