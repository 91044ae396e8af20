"""The index on disk: written aside and swapped in atomically, loaded with clear errors.

Layout under the index folder:
  current -> builds/<name>      symlink, replaced atomically when a build completes
  builds/<name>/                manifest.json, documents.json, chunks.jsonl, sentences.jsonl,
                                dense.faiss, sentence_vectors.npy, bm25/
  cache/embeddings.sqlite       embedding cache shared by all builds
"""

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from qa_service.ingest.chunking import EvidenceSentence
from qa_service.index.dense import DenseIndex
from qa_service.index.lexical import LexicalIndex
from qa_service.models import Chunk, Manifest, Source

KEEP_BUILDS = 2


class IndexUnavailableError(RuntimeError):
    """The index is missing, incomplete, corrupted or built with another model."""


@dataclass
class DocumentInfo:
    doc_id: str
    title: str
    doc_type: str
    city: str | None
    state: str | None
    path: str
    sources: dict[str, Source]


@dataclass
class IndexData:
    """Everything a built index holds, in memory."""
    manifest: Manifest
    documents: dict[str, DocumentInfo]
    chunks: list[Chunk]
    sentences: list[EvidenceSentence]
    sentence_vectors: np.ndarray
    dense: DenseIndex
    lexical: LexicalIndex


def rebuild_hint(index_dir: Path) -> str:
    return f"Build it with `qa-service ingest --index {index_dir}` (or `make run`)."


def write_index(index_dir: Path, data: IndexData) -> Path:
    """Write `data` into a new build folder and make it current in one atomic step."""
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    staging = builds / f".tmp-{name}"
    staging.mkdir()
    (staging / "documents.json").write_text(json.dumps(
        {doc_id: {**info.__dict__, "sources": {k: s.model_dump() for k, s in info.sources.items()}}
         for doc_id, info in data.documents.items()}, ensure_ascii=False), encoding="utf-8")
    with open(staging / "chunks.jsonl", "w", encoding="utf-8") as out:
        out.writelines(chunk.model_dump_json() + "\n" for chunk in data.chunks)
    with open(staging / "sentences.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps([s.chunk_index, s.text, list(s.source_ids)], ensure_ascii=False) + "\n"
                       for s in data.sentences)
    np.save(staging / "sentence_vectors.npy", data.sentence_vectors)
    data.dense.save(staging / "dense.faiss")
    data.lexical.save(staging / "bm25")
    (staging / "manifest.json").write_text(data.manifest.model_dump_json(indent=2), encoding="utf-8")
    _fsync_tree(staging)
    final = builds / name
    os.rename(staging, final)
    link = index_dir / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(Path("builds") / name, link)
    os.replace(link, index_dir / "current")
    _remove_old_builds(builds, keep=final)
    for stale_link in index_dir.glob(".current-*"):  # left behind by a build that crashed while publishing
        stale_link.unlink(missing_ok=True)
    return final


def _fsync_tree(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _remove_old_builds(builds: Path, keep: Path):
    finished = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    for old in finished[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in builds.glob(".tmp-*"):  # left behind by an interrupted build
        shutil.rmtree(stale, ignore_errors=True)


def read_manifest(index_dir: Path) -> Manifest:
    path = index_dir / "current" / "manifest.json"
    if not path.exists():
        raise IndexUnavailableError(f"No index found in {index_dir}. {rebuild_hint(index_dir)}")
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise IndexUnavailableError(f"The index manifest {path} is unreadable ({error}). {rebuild_hint(index_dir)}")


def load_index(index_dir: Path, expected_model: str) -> IndexData:
    """Load the current build; raise IndexUnavailableError with what to do when it is unusable."""
    manifest = read_manifest(index_dir)
    if manifest.model != expected_model:
        raise IndexUnavailableError(
            f"The index was built with the model {manifest.model!r}, but {expected_model!r} is configured: "
            f"re-ingest with `qa-service ingest` (or set QA_EMBEDDING_MODEL={manifest.model}).")
    folder = (index_dir / "current").resolve()
    try:
        documents = {
            doc_id: DocumentInfo(**{**info, "sources": {k: Source(**s) for k, s in info["sources"].items()}})
            for doc_id, info in json.loads((folder / "documents.json").read_text(encoding="utf-8")).items()}
        chunks = [Chunk.model_validate_json(line)
                  for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
        sentences = [EvidenceSentence(index, text, tuple(ids)) for index, text, ids in
                     map(json.loads, (folder / "sentences.jsonl").read_text(encoding="utf-8").splitlines())]
        sentence_vectors = np.load(folder / "sentence_vectors.npy")
        dense = DenseIndex.load(folder / "dense.faiss")
        lexical = LexicalIndex.load(folder / "bm25")
    except Exception as error:  # truncated or corrupted files surface as many different errors
        raise IndexUnavailableError(
            f"The index in {folder} is damaged ({type(error).__name__}: {error}). {rebuild_hint(index_dir)}")
    counts = (len(chunks), dense.size, manifest.chunk_count, len(sentences), len(sentence_vectors), manifest.sentence_count)
    if counts[0] != counts[1] or counts[0] != counts[2] or counts[3] != counts[4] or counts[3] != counts[5]:
        raise IndexUnavailableError(
            f"The index in {folder} is inconsistent (chunks, vectors, manifest, sentences: {counts}). "
            f"{rebuild_hint(index_dir)}")
    return IndexData(manifest, documents, chunks, sentences, sentence_vectors, dense, lexical)
