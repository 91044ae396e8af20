"""In-process measurements: latency per stage of our engine against the naive pipeline, ingest and re-ingest."""

import shutil
from pathlib import Path

from evaluation.bench.figures import IngestFigures, LatencyFigures
from evaluation.bench.timing import p50, p95, timed
from evaluation.naive_baseline import NaiveRAG
from qa_service.config import Settings
from qa_service.engine import QAEngine
from qa_service.ingest.pipeline import ingest


def measure_latency(engine: QAEngine, questions: list[str], naive: NaiveRAG | None = None) -> LatencyFigures:
    """Every question once: our stages, one bare query embedding, and the naive pipeline's total."""
    stages: dict[str, list[float]] = {"embed": [], "search": [], "answer": [], "total": []}
    embeddings, naive_ms = [], []
    for question in questions:
        timings = engine.ask(question).timings_ms   # a cache miss: every question is new to the engine
        for stage, values in stages.items():
            values.append(getattr(timings, stage))
        _, seconds = timed(engine.embedder.encode, [question])
        embeddings.append(seconds * 1000)
        if naive is not None:
            naive_ms.append(naive.ask(question).seconds * 1000)
    return LatencyFigures(
        questions=len(questions), stage_p50_ms={s: p50(v) for s, v in stages.items()},
        stage_p95_ms={s: p95(v) for s, v in stages.items()}, one_embedding_p50_ms=p50(embeddings),
        naive_p50_ms=p50(naive_ms) if naive_ms else None, naive_p95_ms=p95(naive_ms) if naive_ms else None)


def measure_ingest(settings: Settings, work: Path, naive_build: tuple[NaiveRAG, float] | None) -> IngestFigures:
    """Full ingest of a copy of the corpus into an empty index (empty embedding cache), then one
    changed city profile and the ingest again; `naive_build` (or None) is the baseline's (rag, seconds)."""
    corpus = work / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    copy = settings.model_copy(update={"corpus_dir": corpus, "index_dir": work / "index", "data_dir": work / "data"})
    full = ingest(copy)
    profiles = sorted((corpus / "cities").glob("*.md"))
    if not profiles:
        raise ValueError(f"{settings.corpus_dir} has no cities/*.md profile to change for the re-ingest")
    with open(profiles[0], "a", encoding="utf-8") as profile:
        profile.write("\n\nDieser Absatz wurde vom Benchmark ergänzt, um eine geänderte Datei zu simulieren. [s1]\n")
    again = ingest(copy)
    rag, naive_seconds = naive_build or (None, None)
    return IngestFigures(chunks=full.chunks, sentences=full.sentences, full_seconds=round(full.seconds, 2),
                         full_embedded=full.embedded,
                         changed_file=profiles[0].relative_to(corpus).as_posix(),
                         reingest_seconds=round(again.seconds, 2), reingest_embedded=again.embedded,
                         naive_seconds=round(naive_seconds, 2) if rag else None,
                         naive_chunks=rag.chunk_count if rag else None)
