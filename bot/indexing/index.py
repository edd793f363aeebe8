"""The index as one object: catalog + cached embeddings + dense store + lexical index.

``open_index`` is the one place where settings pick the components.
"""

from __future__ import annotations

import re
import threading

import numpy as np

from bot.documents.model import Chunk
from bot.documents.structure import DOC_NUMBER, referred_articles
from bot.indexing.catalog import Catalog
from bot.indexing.embeddings import CachedEmbeddings, build_embeddings
from bot.indexing.lexical import LexicalIndex
from bot.indexing.store import DenseStore
from bot.retrieval.query import AccentVocabulary, accent_vocabulary
from bot.settings import Settings


# A legal chunk's heading path holds the article as one of its parts («Luật … › Chương II › Điều 11 › khoản 1»);
# a section of prose that speaks of one («… › Những điểm mới tại Điều 11») holds none.
_ARTICLE_IN_HEADING = re.compile(r"(?:^| › )Điều (\d+[a-z]?)(?= › |$)")


class Index:
    def __init__(self, settings: Settings, catalog: Catalog, embeddings: CachedEmbeddings, dense: DenseStore) -> None:
        self.settings = settings
        self.catalog = catalog
        self.embeddings = embeddings
        self.dense = dense
        self._lock = threading.Lock()
        self._lexical: LexicalIndex | None = None
        self._chunks: dict[str, Chunk] = {}
        self._docs: dict[str, dict] = {}
        self._accents: AccentVocabulary = {}
        self._articles: dict[str, tuple[str, str, set[str]]] | None = None
        self._article_chunks: dict[tuple[str, str], list[str]] = {}
        self._article_vectors: tuple[np.ndarray, list[list[str]]] | None = None
        self._citing: dict[tuple[str, str], list[str]] | None = None

    def _load(self) -> None:
        rows = self.catalog.chunks()
        self._chunks = {chunk.id: chunk for chunk, _, _ in rows}
        self._docs = {d["id"]: d for d in self.catalog.documents()}
        self._lexical = LexicalIndex([c.id for c, _, _ in rows], [w for _, w, _ in rows], [p for _, _, p in rows])
        self._accents = accent_vocabulary([w for _, w, _ in rows])

    @property
    def lexical(self) -> LexicalIndex:
        with self._lock:
            if self._lexical is None:
                self._load()
            return self._lexical

    def chunk(self, chunk_id: str) -> Chunk | None:
        self.lexical  # noqa: B018 - loads the chunk table on first use
        return self._chunks.get(chunk_id)

    def invalidate(self) -> None:
        """Forget the in-memory views after the catalog changed."""
        with self._lock:
            self._lexical = None
            self._chunks = {}
            self._docs = {}
            self._articles = None
            self._article_vectors = None
            self._citing = None

    @property
    def accents(self) -> AccentVocabulary:
        """Accent-free form -> accented form, learnt from this corpus."""
        self.lexical  # noqa: B018
        return self._accents

    def article_chunks(self, doc_id: str, article: str) -> list[str]:
        """Chunk ids of one article (Điều) of a document, in order."""
        self.doc_articles()
        return self._article_chunks.get((doc_id, article), [])

    def next_in_article(self, chunk: Chunk) -> Chunk | None:
        """The chunk after this one in its article (Điều), if the article goes on."""
        return self._in_article(chunk, 1)

    def previous_in_article(self, chunk: Chunk) -> Chunk | None:
        """The chunk before this one in its article (Điều), if it is not the article's first."""
        return self._in_article(chunk, -1)

    def _in_article(self, chunk: Chunk, step: int) -> Chunk | None:
        article = self.article_of(chunk)
        ids = self.article_chunks(chunk.doc_id, article) if article else []
        position = ids.index(chunk.id) + step if chunk.id in ids else -1
        return self.chunk(ids[position]) if 0 <= position < len(ids) else None

    @staticmethod
    def article_of(chunk: Chunk) -> str | None:
        """The number of the article (Điều) a legal chunk is part of."""
        match = _ARTICLE_IN_HEADING.search(chunk.heading)
        return match.group(1) if match else None

    def citing_chunks(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the other articles of its document that refer to this chunk's article, in reading order
        (Luật Điều 21: «Quyết định … về nội dung quy định tại khoản 1 và khoản 2 Điều 15 của Luật này được thông
        qua khi có từ hai phần ba …»)."""
        article = self.article_of(chunk)
        if article is None:
            return []
        self.lexical  # noqa: B018
        with self._lock:
            if self._citing is None:
                citing: dict[tuple[str, str], list[str]] = {}
                for other in sorted(self._chunks.values(), key=lambda c: (c.doc_id, c.start)):
                    for number in referred_articles(other.text).keys() - {self.article_of(other)}:
                        citing.setdefault((other.doc_id, number), []).append(other.id)
                self._citing = citing
            return [self._chunks[i] for i in self._citing.get((chunk.doc_id, article), [])]

    def doc_articles(self) -> dict[str, tuple[str, str, set[str]]]:
        """doc id -> (its number, e.g. '61/2023/NĐ-CP', its title, and the article numbers it holds)."""
        self.lexical  # noqa: B018
        with self._lock:
            if self._articles is None:
                articles: dict[str, set[str]] = {}
                self._article_chunks = {}
                for chunk in self._chunks.values():
                    article = self.article_of(chunk)
                    if article:
                        articles.setdefault(chunk.doc_id, set()).add(article)
                        self._article_chunks.setdefault((chunk.doc_id, article), []).append(chunk.id)
                self._articles = {}
                for doc_id, numbers in articles.items():
                    info = self._docs.get(doc_id, {})
                    title = info.get("title", "")
                    number = info.get("meta", {}).get("number") or next(iter(DOC_NUMBER.findall(title)), "")
                    self._articles[doc_id] = (number, title, numbers)
            return self._articles

    def article_vectors(self) -> tuple[np.ndarray, list[list[str]]]:
        """One unit vector per article (Điều), the mean of its chunks' vectors, with each article's chunk ids;
        a chunk outside any article (news, prose) is an article of its own, so that every chunk can gain alike.

        A question may match an article as a whole better than any one of its khoản.
        """
        self.doc_articles()
        with self._lock:
            if self._article_vectors is None:
                groups = list(self._article_chunks.values())
                in_articles = {cid for ids in groups for cid in ids}
                groups += [[cid] for cid in self._chunks if cid not in in_articles]
                stored = self.dense.vectors([cid for ids in groups for cid in ids])
                groups = [ids for ids in groups if all(cid in stored for cid in ids)]
                matrix = np.array([np.mean([stored[cid] for cid in ids], axis=0) for ids in groups], dtype=np.float32)
                if groups:
                    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
                self._article_vectors = (matrix, groups)
            return self._article_vectors

    def doc_info(self, doc_id: str) -> dict:
        """Title, type, metadata and counts of an indexed document (no text)."""
        self.lexical  # noqa: B018
        return self._docs.get(doc_id, {"id": doc_id, "title": doc_id, "meta": {}})


def open_index(settings: Settings) -> Index:
    inner = build_embeddings(settings.embedding)
    model_id = getattr(inner, "model_id", settings.embedding.backend)
    embeddings = CachedEmbeddings(inner, settings.index_dir / "embedding_cache.sqlite", model_id)
    catalog = Catalog(settings.index_dir / "catalog.sqlite")
    dense = DenseStore(settings.chroma, settings.index_dir, embeddings)
    return Index(settings, catalog, embeddings, dense)
