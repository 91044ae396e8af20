"""What the running service holds: the engine (swappable), sessions, limits, feedback and metrics."""

import logging
import threading
from dataclasses import dataclass, field

import anyio

from qa_service.api.batching import EmbeddingBatcher
from qa_service.api.metrics import Metrics
from qa_service.api.ratelimit import TokenBucketLimiter
from qa_service.catalog import CityCatalog
from qa_service.config import Settings
from qa_service.conversation import SessionStore
from qa_service.engine import QAEngine
from qa_service.feedback import FeedbackStore
from qa_service.index.embedder import Embedder

log = logging.getLogger(__name__)
ANSWER_THREADS = 4


@dataclass
class Loaded:
    """An engine and the city catalog of the same index, swapped in together."""
    engine: QAEngine
    catalog: CityCatalog


@dataclass
class ServiceState:
    settings: Settings
    metrics: Metrics = field(default_factory=Metrics)
    loaded: Loaded | None = None
    not_ready_reason: str | None = "starting: loading the index and the model"
    embedder: Embedder | None = None

    def __post_init__(self):
        settings = self.settings
        self.sessions = SessionStore(settings.session_ttl_seconds, settings.max_sessions)
        self.ip_limiter = TokenBucketLimiter(settings.rate_per_ip, settings.rate_burst_ip)
        self.session_limiter = TokenBucketLimiter(settings.rate_per_session, settings.rate_burst_session)
        self.feedback = FeedbackStore(settings.data_dir / "feedback.sqlite", settings.feedback_retention_days)
        self.batcher = EmbeddingBatcher(self._embed, settings.batch_window_ms, settings.batch_max)
        self.reindex_lock = threading.Lock()
        # retrieval and answering take ~1.5 ms of CPU each: a few threads keep 2 cores busy, where the
        # default pool would start up to 40 threads under load
        self.answer_threads = anyio.CapacityLimiter(ANSWER_THREADS)

    def _embed(self, questions: list[str]):
        return self.require_loaded().engine.embed_questions(questions)

    def require_loaded(self) -> Loaded:
        from qa_service.api.errors import ApiError
        loaded = self.loaded
        if loaded is None:
            raise ApiError(503, "not_ready", f"Der Dienst ist nicht bereit: {self.not_ready_reason}",
                           f"The service is not ready: {self.not_ready_reason}")
        return loaded

    def load(self):
        """Load model and index; on failure keep serving and report the reason on /readyz and /api/*."""
        try:
            self.embedder = self.embedder or Embedder(self.settings.embedding_model, self.settings.query_threads)
            engine = QAEngine.load(self.settings, self.embedder)
            self.swap(engine)
        except Exception as error:  # any failure must leave a clear reason, not a dead process
            log.error("not ready: %s", error)
            self.not_ready_reason = str(error)

    def swap(self, engine: QAEngine):
        self.loaded = Loaded(engine, CityCatalog(engine.index, self.settings.corpus_dir / "cities.yaml"))
        self.not_ready_reason = None
        self.metrics.index_chunks.set(len(engine.index.chunks))
