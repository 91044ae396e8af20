"""All settings in one place; each can be set by an environment variable `QA_<NAME>`."""

from functools import lru_cache
from pathlib import Path

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    corpus_dir: Path = Field(ROOT / "corpus", description="Folder with the corpus documents")
    index_dir: Path = Field(ROOT / "index", description="Folder the index is built into")
    data_dir: Path = Field(ROOT / "data", description="Folder for feedback and other runtime data")
    embedding_model: str = Field(
        "", description="Path or name of a sentence-transformers model; empty = the packaged all-MiniLM-L6-v2")
    query_threads: int = Field(
        1, ge=1, le=64, description="CPU threads of the model and of FAISS when answering; one thread per call "
        "avoids OpenMP contention, which made single queries ~60x slower on a busy 2-core machine")
    ingest_threads: int = Field(0, ge=0, le=64, description="CPU threads for bulk embedding in ingest; 0 = all cores")
    chunk_size: int = Field(600, ge=100, le=4000, description="Maximum characters per chunk")
    chunk_overlap: int = Field(0, ge=0, le=1000, description="Characters shared by neighbouring chunks")
    index_type: str = Field("flat", pattern="^(flat|hnsw)$", description="FAISS index: exact flat or approximate HNSW")
    hnsw_ef_search: int = Field(256, ge=16, le=4096, description="HNSW search depth: higher = better recall, slower")
    retrieval_mode: str = Field("hybrid", pattern="^(hybrid|dense|bm25)$", description="Default retrieval mode")
    top_k: int = Field(8, ge=1, le=50, description="Passages retrieved per question")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in hybrid fusion")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in hybrid fusion")
    answer_sentences: int = Field(4, ge=1, le=4, description="Most sentences in an extractive answer")
    answer_cutoff: float = Field(
        0.7, gt=0, le=1, description="A further sentence must score at least this share of the best one")
    abstain_threshold: float = Field(
        0.48, description="Evidence score below which the service says the corpus has no answer (German)")
    missing_term_threshold: float = Field(
        0.52, description="Evidence score below which the passages must also mention the question's nouns")
    abstain_threshold_en: float = Field(
        0.4, description="Evidence score (meaning only) below which an English question is not answered")

    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed to call the API cross-origin "
        "(e.g. a portal embedding the widget); the service's own origin is always allowed")
    max_question_chars: int = Field(500, ge=10, le=10_000, description="Longest accepted question")
    max_body_bytes: int = Field(16_384, ge=1024, description="Largest accepted request body")
    session_ttl_seconds: int = Field(1800, ge=10, description="Chat sessions expire after this idle time")
    max_sessions: int = Field(10_000, ge=1, description="Most chat sessions kept at once (oldest dropped)")
    rate_per_ip: float = Field(5.0, gt=0, description="Sustained requests per second per client address")
    rate_burst_ip: int = Field(60, ge=1, description="Burst allowance per client address")
    rate_per_session: float = Field(1.0, gt=0, description="Sustained chat turns per second per session")
    rate_burst_session: int = Field(10, ge=1, description="Burst allowance per chat session")
    admin_key: str = Field("", description="API key for /api/admin/*; empty disables those endpoints")
    feedback_retention_days: int = Field(365, ge=1, description="Feedback older than this is deleted")
    batch_window_ms: float = Field(
        0.0, ge=0, le=100, description="Extra wait for more questions before a model call; 0 = embed a lone "
        "question at once and batch only the questions that queued while the model was busy")
    batch_max: int = Field(32, ge=1, le=256, description="Most questions embedded in one model call")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
