"""The catalog: which documents are indexed (by hash), their text, chunks and tokens, and failures.

SQLite, one transaction per document, so a crash leaves either the old or the new document.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from bot.documents.model import Chunk, Document, PageSpan

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT NOT NULL, type TEXT NOT NULL,
    meta TEXT NOT NULL, pages TEXT NOT NULL, text TEXT NOT NULL, added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, heading TEXT NOT NULL,
    context TEXT NOT NULL, page INTEGER, word_tokens TEXT NOT NULL, plain_tokens TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS failures (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def setting(self, key: str) -> str | None:
        """What the index was built with (``chunking``: the chunker's layout), None when not recorded."""
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT id, sha256 FROM documents"))

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        with self._lock:
            if doc_id is None:
                return [r[0] for r in self._db.execute("SELECT id FROM chunks")]
            return [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]

    def put(self, doc: Document, chunks: list[Chunk], word_streams: list[list[str]], plain_streams: list[list[str]]) -> None:
        """Replace a document and its chunks in one transaction; clears an earlier failure."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
            self._db.execute("DELETE FROM failures WHERE id = ?", (doc.id,))
            self._db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.id, doc.sha256, doc.title, doc.type, json.dumps(doc.meta, ensure_ascii=False),
                 json.dumps([[p.number, p.start, p.end] for p in doc.pages]), doc.text, time.time()),
            )
            self._db.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.id, c.doc_id, c.ordinal, c.start, c.end, c.heading, c.context, c.page, " ".join(w), " ".join(p))
                 for c, w, p in zip(chunks, word_streams, plain_streams)],
            )

    def remove(self, doc_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self._db.execute("DELETE FROM failures WHERE id = ?", (doc_id,))

    def record_failure(self, doc_id: str, sha256: str, reason: str, message: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?)",
                             (doc_id, sha256, reason, message, time.time()))

    def failures(self) -> dict[str, tuple[str, str, str]]:
        """doc id -> (sha256, reason, Vietnamese message)."""
        with self._lock:
            return {r[0]: (r[1], r[2], r[3]) for r in self._db.execute("SELECT id, sha256, reason, message FROM failures")}

    def forget_failure(self, doc_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM failures WHERE id = ?", (doc_id,))

    def document(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, title, type, sha256, text, meta, pages FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        return Document(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]),
                        [PageSpan(*p) for p in json.loads(row[6])])

    def documents(self) -> list[dict]:
        """Summary rows for listings (no text)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.id, d.title, d.type, d.meta, d.pages, d.added_at, COUNT(c.id) FROM documents d "
                "LEFT JOIN chunks c ON c.doc_id = d.id GROUP BY d.id ORDER BY d.id").fetchall()
        return [{"id": r[0], "title": r[1], "type": r[2], "meta": json.loads(r[3]), "pages": len(json.loads(r[4])),
                 "added_at": r[5], "chunks": r[6]} for r in rows]

    def chunks(self) -> list[tuple[Chunk, list[str], list[str]]]:
        """Every chunk with its two token streams, in document order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.id, c.doc_id, c.start, c.end, c.heading, c.context, c.page, c.ordinal, "
                "c.word_tokens, c.plain_tokens, substr(d.text, c.start + 1, c.end - c.start) "
                "FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.doc_id, c.ordinal").fetchall()
        return [(Chunk(id=r[0], doc_id=r[1], text=r[10], start=r[2], end=r[3], heading=r[4], context=r[5],
                       page=r[6], ordinal=r[7]), r[8].split(), r[9].split()) for r in rows]
