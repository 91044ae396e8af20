"""The figures of one benchmark run as typed models (`--json` prints `BenchResults`), and their ratios."""

from pydantic import BaseModel

from evaluation.load_client import LoadResult


class ColdStart(BaseModel):
    ready_s: float          # process start -> ready (/readyz 200)
    first_answer_s: float   # process start -> first /api/ask answered


class HttpRun(BaseModel):
    label: str
    load: LoadResult
    server_cpu_ms_per_request: float
    cache_hit_share: float | None = None      # our server only: requests that skipped the model
    questions_per_model_call: float | None = None

    @property
    def client_cpu_ms_per_request(self) -> float:
        return round(self.load.client_cpu_seconds * 1000 / max(1, self.load.requests), 2)


class ServerFigures(BaseModel):
    name: str
    cold_start: ColdStart
    runs: list[HttpRun]
    peak_rss_mb: float

    def run(self, label: str) -> HttpRun | None:
        return next((run for run in self.runs if run.label == label), None)


class IngestFigures(BaseModel):
    chunks: int
    sentences: int
    full_seconds: float
    full_embedded: int
    changed_file: str
    reingest_seconds: float
    reingest_embedded: int
    naive_seconds: float | None
    naive_chunks: int | None


class LatencyFigures(BaseModel):
    questions: int
    stage_p50_ms: dict[str, float]    # embed, search, answer, total
    stage_p95_ms: dict[str, float]
    one_embedding_p50_ms: float
    naive_p50_ms: float | None
    naive_p95_ms: float | None


class ScaleRow(BaseModel):
    chunks: int
    flat_build_s: float
    hnsw_build_s: float
    flat_p50_ms: float
    flat_one_thread_p50_ms: float   # the same with FAISS on one OpenMP thread (diagnostic)
    hnsw_p50_ms: float
    recall_at_10: float
    near_tie_share: float        # HNSW hits scoring within SCORE_TOLERANCE of the exact 10th hit


class SoakFigures(BaseModel):
    seconds: float
    load: LoadResult
    window_s: float          # RSS growth compares the mean of the first and of the last window
    rss_first_mb: float
    rss_last_mb: float
    rss_peak_mb: float
    rss_series_mb: list[float]   # one sample a second during the soak
    rss_growth_percent: float
    session_bound: int
    sessions_max: int | None


class Target(BaseModel):
    name: str
    goal: str
    figure: float | None
    met: bool | None   # None: not measured in this run
    note: str


class BenchResults(BaseModel):
    started_at: str
    quick: bool
    machine: str
    load_average: str
    index: str
    http_seconds: float
    latency: LatencyFigures
    ingest: IngestFigures
    ours: ServerFigures
    naive: ServerFigures
    scale: list[ScaleRow]
    soak: SoakFigures | None
    targets: list[Target] = []


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline to two places; None where either figure is missing (or the baseline is 0)."""
    return round(ours / baseline, 2) if ours is not None and baseline else None
