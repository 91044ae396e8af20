"""Embeddings kept by text hash and model, so re-ingesting re-embeds only what changed."""

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from qa_service.index.embedder import Embedder


class EmbeddingCache:
    """An SQLite file of vectors keyed by sha1(model + text)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()

    def embed(self, embedder: Embedder, texts: list[str], progress: bool = False) -> tuple[np.ndarray, int]:
        """Vectors for `texts`, computing only the missing ones; returns (vectors, number computed)."""
        keys = [self.key(embedder.name, text) for text in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch)
            found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            computed = embedder.encode([texts[i] for i in missing], progress=progress)
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                     [(keys[i], vector.tobytes()) for i, vector in zip(missing, computed)])
            found.update((keys[i], vector) for i, vector in zip(missing, computed))
        vectors = np.stack([found[key] for key in keys]) if keys else np.zeros((0, embedder.dimension), np.float32)
        return vectors.astype(np.float32), len(missing)

    def close(self):
        self._db.close()
