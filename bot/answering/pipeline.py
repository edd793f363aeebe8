"""``answer()``: the one entry point every consumer (CLI, UI, API, evaluation) calls."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from bot.answering.evidence import assess
from bot.answering.extractive import Sentence, candidate_sentences, select_sentences
from bot.answering.types import REFUSAL_VI, Answer, Citation
from bot.indexing.index import Index, open_index
from bot.indexing.ingest import ingest
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import Turn, make_query
from bot.settings import Settings

log = logging.getLogger(__name__)

EMPTY_QUESTION_VI = "Bạn hãy nhập câu hỏi về công tác dân vận hoặc các văn bản đã được nạp."
NO_DOCUMENTS_VI = "Chưa có tài liệu nào được nạp. Hãy thêm tệp vào thư mục tài liệu rồi lập chỉ mục."

_indexes: dict[tuple, Index] = {}
_indexes_lock = threading.Lock()


def get_index(settings: Settings, build_if_empty: bool = True) -> Index:
    """One open index per (index folder, store, embedding) for the process; built on first use."""
    key = (str(settings.index_dir), settings.chroma.host, settings.chroma.port, settings.chroma.collection,
           settings.embedding.backend, settings.embedding.model_path)
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = open_index(settings)
    if build_if_empty and not index.catalog.hashes() and Path(settings.corpus_dir).is_dir():
        log.info("index at %s is empty: building it from %s", settings.index_dir, settings.corpus_dir)
        ingest(index, Path(settings.corpus_dir), show_bar=True)
    return index


def _citations(index: Index, sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence in sentences:
        chunk = sentence.passage.chunk
        if chunk.id not in numbers:
            numbers[chunk.id] = len(numbers) + 1
            citations.append(Citation(
                n=numbers[chunk.id], doc=chunk.doc_id, title=index.doc_info(chunk.doc_id)["title"], page=chunk.page,
                heading=chunk.heading, quote=sentence.text, start=sentence.start, end=sentence.end))
        else:  # a second sentence of the same passage widens its quote
            citation = citations[numbers[chunk.id] - 1]
            if sentence.start >= citation.end:
                doc_text = chunk.text
                citation.quote = doc_text[citation.start - chunk.start:sentence.end - chunk.start]
                citation.end = sentence.end
        parts.append(f"{sentence.text.rstrip()} [{numbers[chunk.id]}]")
    return " ".join(parts), citations


def answer(question: str, history: list[Turn] | None = None, settings: Settings | None = None,
           index: Index | None = None) -> Answer:
    """Answer a Vietnamese question from the indexed documents, with citations, or refuse."""
    settings = settings or Settings()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if not question or not question.strip():
        return Answer(EMPTY_QUESTION_VI, refused=True, refusal_reason="empty question")
    index = index or get_index(settings)
    if index.dense.count() == 0:
        return Answer(NO_DOCUMENTS_VI, refused=True, refusal_reason="empty index")

    query = make_query(question, history)
    passages = retrieve(index, query, settings.retrieval.top_k, timings)
    timings["retrieval_ms"] = timings.get("dense_ms", 0) + timings.get("lexical_ms", 0)

    compose_started = time.perf_counter()
    sentences = candidate_sentences(query, passages)
    chosen = select_sentences(sentences, settings.answer.max_sentences, settings.answer.sentence_keep_ratio)
    evidence_sentences = [s.text for s in sentences[:settings.answer.evidence_sentences]]
    evidence = assess(query, passages, evidence_sentences, index.doc_articles(), settings.answer)
    if evidence.ok and chosen:
        text, citations = _citations(index, chosen)
        result = Answer(text, refused=False, citations=citations, passages=passages, backend="extractive",
                        query=query.text)
    else:
        result = Answer(REFUSAL_VI, refused=True, passages=passages, backend="extractive", query=query.text,
                        refusal_reason=evidence.reason or "no sentence matches")
    timings["answer_ms"] = (time.perf_counter() - compose_started) * 1000
    timings["total_ms"] = (time.perf_counter() - started) * 1000
    result.timings_ms = timings
    log.info("answered in %.0f ms (refused=%s %s)", timings["total_ms"], result.refused, result.refusal_reason)
    return result
