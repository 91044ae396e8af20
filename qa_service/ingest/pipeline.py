"""The ingest pipeline: load -> chunk -> embed (cached) -> build dense and BM25 -> write atomically."""

import hashlib
import logging
import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from qa_service.config import Settings
from qa_service.ingest.chunking import chunk_document, embedding_text, evidence_sentences
from qa_service.ingest.loaders import SkippedFile, corpus_files, load_corpus
from qa_service.index.dense import DenseIndex
from qa_service.index.embedder import Embedder, model_name
from qa_service.index.embedding_cache import EmbeddingCache
from qa_service.index.lexical import LexicalIndex
from qa_service.index.store import DocumentInfo, IndexData, IndexUnavailableError, read_manifest, write_index
from qa_service.models import Manifest

log = logging.getLogger(__name__)
VERSIONED_PACKAGES = ("qa_service", "faiss-cpu", "sentence-transformers", "torch", "bm25s", "PyStemmer",
                      "langchain-text-splitters", "pypdf")


@dataclass
class IngestReport:
    documents: int
    chunks: int
    sentences: int
    embedded: int
    seconds: float
    skipped: list[SkippedFile]
    path: Path | None


def corpus_hash(corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    files, _ = corpus_files(corpus_dir)
    for path in files:
        digest.update(path.relative_to(corpus_dir.resolve()).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def settings_hash(settings: Settings) -> str:
    relevant = f"{settings.chunk_size}/{settings.chunk_overlap}/{settings.index_type}/chunking-v1"
    return hashlib.sha256(relevant.encode()).hexdigest()[:16]


def is_stale(settings: Settings) -> bool:
    """True when the index is missing or was built from another corpus, model or chunking."""
    try:
        manifest = read_manifest(settings.index_dir)
    except IndexUnavailableError:
        return True
    return (manifest.corpus_hash != corpus_hash(settings.corpus_dir)
            or manifest.settings_hash != settings_hash(settings)
            or manifest.model != model_name(settings.embedding_model))


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def ingest(settings: Settings, embedder: Embedder | None = None, progress: bool = False) -> IngestReport:
    """Build the index for `settings.corpus_dir` into `settings.index_dir`."""
    started = time.perf_counter()
    if not settings.corpus_dir.is_dir():
        raise FileNotFoundError(f"Corpus folder {settings.corpus_dir} does not exist.")
    documents, skipped = load_corpus(settings.corpus_dir)
    if not documents:
        raise ValueError(f"No readable documents in {settings.corpus_dir}; nothing to index.")
    chunks = [chunk for document in documents
              for chunk in chunk_document(document, settings.chunk_size, settings.chunk_overlap)]
    sentences = [sentence for index, chunk in enumerate(chunks) for sentence in evidence_sentences(chunk, index)]
    embedder = embedder or Embedder(settings.embedding_model, settings.ingest_threads)
    cache = EmbeddingCache(settings.index_dir / "cache" / "embeddings.sqlite")
    try:
        chunk_vectors, new_chunks = cache.embed(embedder, [embedding_text(c) for c in chunks], progress)
        sentence_vectors, new_sentences = cache.embed(embedder, [s.text for s in sentences], progress)
    finally:
        cache.close()
    data = IndexData(
        manifest=Manifest(
            model=embedder.name, dimension=chunk_vectors.shape[1], chunk_count=len(chunks),
            sentence_count=len(sentences), corpus_hash=corpus_hash(settings.corpus_dir),
            settings_hash=settings_hash(settings), index_type=settings.index_type,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3), versions=_versions(),
            skipped_files=[f"{item.path}: {item.reason}" for item in skipped]),
        documents={d.doc_id: DocumentInfo(d.doc_id, d.title, d.doc_type, d.city, d.state, d.path,
                                          {s.id: s for s in d.sources}) for d in documents},
        chunks=chunks, sentences=sentences, sentence_vectors=sentence_vectors,
        dense=DenseIndex.build(chunk_vectors, settings.index_type),
        lexical=LexicalIndex.build([embedding_text(c) for c in chunks]))
    path = write_index(settings.index_dir, data)
    seconds = time.perf_counter() - started
    log.info("indexed %d documents, %d chunks in %.1f s", len(documents), len(chunks), seconds)
    return IngestReport(len(documents), len(chunks), len(sentences), new_chunks + new_sentences,
                        seconds, skipped, path)
