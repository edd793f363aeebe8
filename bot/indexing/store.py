"""The dense store: Chroma through langchain-chroma, embedded on disk or on a Chroma server."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb  # noqa: E402
from chromadb.config import Settings as ChromaClientSettings  # noqa: E402
from langchain_chroma import Chroma  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402

from bot.settings import ChromaSettings  # noqa: E402



def _client_settings() -> ChromaClientSettings:
    """A fresh object per client: chromadb's clients write into the one they are given."""
    return ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)


class DenseStore:
    """Vectors by chunk id. Always built with our embedding function: Chroma's default would try a download."""

    def __init__(self, cfg: ChromaSettings, index_dir: Path, embeddings: Embeddings) -> None:
        if cfg.host:
            client = chromadb.HttpClient(host=cfg.host, port=cfg.port, settings=_client_settings())
        else:
            index_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=_client_settings())
        self.vectorstore = Chroma(
            collection_name=cfg.collection,
            embedding_function=embeddings,
            client=client,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        self.vectorstore.add_texts(texts=texts, metadatas=metadatas, ids=ids)

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.vectorstore.delete(ids=ids[i:i + 1000])

    def all_ids(self) -> set[str]:
        return set(self.vectorstore.get(include=[])["ids"])

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these chunks (those that are stored)."""
        found: dict[str, list[float]] = {}
        for i in range(0, len(ids), 1000):
            got = self.vectorstore.get(ids=ids[i:i + 1000], include=["embeddings"])
            found.update(zip(got["ids"], got["embeddings"]))
        return found

    def search(self, query_vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        k = min(k, self.count())
        if k == 0:
            return []
        # langchain-chroma returns the raw cosine *distance* here, whatever the method's name says.
        hits = self.vectorstore.similarity_search_by_vector_with_relevance_scores(query_vector, k=k)
        return [(doc.id, 1.0 - float(distance)) for doc, distance in hits]

    def count(self) -> int:
        return self.vectorstore._collection.count()
