"""Corpus folder -> index, incrementally: added, changed and removed documents are found by hash.

Order of writes, so that a crash at any point leaves a state the next run repairs:
Chroma first (old chunk ids out, new ones in), then the catalog in one transaction.
``reconcile`` drops Chroma ids the catalog does not know and re-does documents whose chunks
are missing from Chroma.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from bot.documents.chunking import chunk_document, chunk_layout
from bot.documents.loaders import LoadError, load_document
from bot.documents.model import Chunk, Document
from bot.indexing.index import Index
from bot.indexing.lexical import plain_tokens, word_tokens
from bot.settings import IngestSettings

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]  # (done, total, what)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # doc id -> Vietnamese message
    chunks_indexed: int = 0
    texts_embedded: int = 0
    seconds: float = 0.0

    def summary_vi(self) -> str:
        parts = [f"thêm {len(self.added)}", f"cập nhật {len(self.updated)}", f"xóa {len(self.removed)}",
                 f"giữ nguyên {len(self.unchanged)}", f"lỗi {len(self.failed)}"]
        return f"Đã lập chỉ mục: {', '.join(parts)} tài liệu; {self.chunks_indexed} đoạn ({self.seconds:.1f} giây)."


def scan_corpus(corpus_dir: Path, cfg: IngestSettings) -> list[Path]:
    """Files of the corpus, sorted; hidden files and folders, and folder notes, are skipped."""
    if not corpus_dir.is_dir():
        return []
    return sorted(p for p in corpus_dir.rglob("*")
                  if p.is_file() and p.suffix.lower() in cfg.extensions and p.name not in cfg.ignored_names
                  and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts))


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index; a second one waits for the first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another ingest is running on %s; waiting for it to finish", index_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reconcile(index: Index) -> list[str]:
    """Make Chroma and the catalog agree. Returns documents that must be indexed again."""
    known = set(index.catalog.chunk_ids())
    stored = index.dense.all_ids()
    orphans = sorted(stored - known)
    if orphans:
        log.warning("removing %d chunk vectors unknown to the catalog", len(orphans))
        index.dense.delete(orphans)
    broken = []
    for doc_id in index.catalog.hashes():
        if not set(index.catalog.chunk_ids(doc_id)) <= stored:
            log.warning("document %s has chunks missing from the vector store; it will be indexed again", doc_id)
            index.catalog.remove(doc_id)
            broken.append(doc_id)
    return broken


def _file_id(path: Path, corpus_dir: Path) -> str:
    return path.resolve().relative_to(corpus_dir.resolve()).as_posix()


def _embed_all(index: Index, chunks: list[Chunk], progress: ProgressFn | None, show_bar: bool) -> int:
    """Embed every new text once, in batches, with a progress bar; the store later reads the cache."""
    todo = index.embeddings.uncached([c.embedding_text() for c in chunks])
    batch = index.settings.embedding.batch_size
    with tqdm(total=len(todo), desc="Nhúng vector", unit="đoạn", disable=not show_bar or not todo) as bar:
        for i in range(0, len(todo), batch):
            index.embeddings.embed_documents(todo[i:i + batch])
            bar.update(len(todo[i:i + batch]))
            if progress:
                progress(min(i + batch, len(todo)), len(todo), "embed")
    return len(todo)


def _store(index: Index, doc: Document, chunks: list[Chunk], old_ids: list[str]) -> None:
    if old_ids:
        index.dense.delete(old_ids)
    for i in range(0, len(chunks), 1000):
        part = chunks[i:i + 1000]
        index.dense.add(
            ids=[c.id for c in part],
            texts=[c.embedding_text() for c in part],
            metadatas=[{"doc_id": c.doc_id, "title": doc.title, "heading": c.heading, "start": c.start,
                        "end": c.end, "page": c.page or 0} for c in part],
        )
    index.catalog.put(doc, chunks, [word_tokens(c.embedding_text()) for c in chunks],
                      [plain_tokens(c.embedding_text()) for c in chunks])


def chunker_changed(index: Index) -> bool:
    """The index's chunks were cut by another chunker (an older version, other ``chunking`` settings)."""
    return bool(index.catalog.hashes()) and index.catalog.setting("chunking") != chunk_layout(index.settings.chunking)


def _put(index: Index, pending: list[tuple[Document, list[Chunk]]], progress: ProgressFn | None,
         show_bar: bool) -> int:
    """Embed (what the cache lacks) and store each document with its chunks; returns the texts embedded."""
    embedded = _embed_all(index, [c for _, chunks in pending for c in chunks], progress, show_bar)
    for done, (doc, chunks) in enumerate(pending, start=1):
        _store(index, doc, chunks, index.catalog.chunk_ids(doc.id))
        if progress:
            progress(done, len(pending), "store")
    index.catalog.set_setting("chunking", chunk_layout(index.settings.chunking))
    index.invalidate()
    return embedded


def _cut_again(index: Index, doc_id: str) -> tuple[Document, list[Chunk]] | None:
    """The document as the catalog keeps it, cut by the current chunker (no loader or OCR)."""
    doc = index.catalog.document(doc_id)
    return (doc, chunk_document(doc, index.settings.chunking)) if doc is not None else None


def rechunk(index: Index, show_bar: bool = False) -> list[str]:
    """When the chunker changed, chunk every indexed document again from the text the catalog keeps (no
    corpus folder, loader or OCR: an index opened by the app or the CLI). The ingest lock is taken only
    then, so that questions never wait for an ingest. Returns the documents' ids."""
    if not chunker_changed(index):
        return []
    with ingest_lock(index.settings.index_dir):
        if not chunker_changed(index):  # another process did it meanwhile
            return []
        log.info("the chunker changed since %s was built: chunking its documents again", index.settings.index_dir)
        pending = [p for p in (_cut_again(index, doc_id) for doc_id in sorted(index.catalog.hashes())) if p]
        _put(index, pending, None, show_bar)
        return [doc.id for doc, _ in pending]


def ingest(index: Index, corpus_dir: Path | None = None, progress: ProgressFn | None = None,
           show_bar: bool = False) -> IngestReport:
    corpus_dir = corpus_dir or index.settings.corpus_dir
    started = time.perf_counter()
    report = IngestReport()
    with ingest_lock(index.settings.index_dir):
        reconcile(index)
        known = index.catalog.hashes()
        rechunk_unchanged = chunker_changed(index)
        paths = scan_corpus(corpus_dir, index.settings.ingest)
        present = {_file_id(p, corpus_dir): p for p in paths}

        for doc_id in sorted(set(known) - set(present)):
            index.dense.delete(index.catalog.chunk_ids(doc_id))
            index.catalog.remove(doc_id)
            report.removed.append(doc_id)
        for doc_id in set(index.catalog.failures()) - set(present):
            index.catalog.forget_failure(doc_id)

        pending: list[tuple[Document, list[Chunk]]] = []
        for doc_id, path in present.items():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if known.get(doc_id) == digest:
                kept = _cut_again(index, doc_id) if rechunk_unchanged else None  # the chunker changed
                if kept is None:
                    report.unchanged.append(doc_id)
                else:
                    pending.append(kept)
                continue
            try:
                doc = load_document(path, corpus_dir, index.settings.ingest.max_file_mb, index.settings.ingest.ocr_language)
            except LoadError as exc:
                log.warning("cannot load %s: %s", doc_id, exc)
                index.catalog.record_failure(doc_id, digest, exc.reason, exc.message_vi)
                report.failed[doc_id] = exc.message_vi
                kept = _cut_again(index, doc_id) if rechunk_unchanged else None
                if kept is not None:  # the version kept, cut by the new chunker like the rest
                    pending.append(kept)
                continue
            pending.append((doc, chunk_document(doc, index.settings.chunking)))

        report.texts_embedded = _put(index, pending, progress, show_bar)
        for doc, chunks in pending:
            (report.updated if doc.id in known else report.added).append(doc.id)
            report.chunks_indexed += len(chunks)
    report.seconds = time.perf_counter() - started
    log.info("ingest: %s", report.summary_vi())
    return report
