"""Users' 👍/👎 on answers, kept in SQLite in the index folder, for review and for new test questions.

Each row holds the question, the answer as shown, its sources, the backend that answered, the rating
and an optional comment. ``export_csv`` writes all rows for reviewers; ``testset_record`` turns a row
into a line of the evaluation test set (the JSONL format of ``evals/``).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL UNIQUE,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    sources TEXT NOT NULL,
    backend TEXT NOT NULL,
    history TEXT NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL,
    in_testset INTEGER NOT NULL DEFAULT 0);
"""

CSV_FIELDS = ["id", "time", "rating", "comment", "question", "answer", "refused", "sources", "backend", "user",
              "in_testset"]


def feedback_path(index_dir: Path) -> Path:
    return Path(index_dir) / "feedback.sqlite"


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def record(self, *, answer_id: str, rating: int, question: str, answer: str, refused: bool,
               sources: list[dict], backend: str, history: list[dict] | None = None, user: str = "",
               comment: str | None = None) -> int:
        """Store (or change) the rating of one answer: +1 or -1. Returns the row id."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        with self._lock, self._db:
            row = self._db.execute("SELECT id FROM feedback WHERE answer_id = ?", (answer_id,)).fetchone()
            if row:
                self._db.execute("UPDATE feedback SET rating = ?, at = ? WHERE id = ?", (rating, time.time(), row[0]))
                if comment is not None:
                    self._db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, row[0]))
                return row[0]
            cursor = self._db.execute(
                "INSERT INTO feedback (answer_id, rating, comment, question, answer, refused, sources, backend, "
                "history, user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, rating, comment or "", question, answer, int(refused),
                 json.dumps(sources, ensure_ascii=False), backend, json.dumps(history or [], ensure_ascii=False),
                 user, time.time()))
            return int(cursor.lastrowid)

    def set_comment(self, feedback_id: int, comment: str) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), feedback_id))

    def get(self, feedback_id: int) -> dict | None:
        rows = self._select("WHERE id = ?", (feedback_id,))
        return rows[0] if rows else None

    def rows(self, rating: int | None = None) -> list[dict]:
        """Newest first; only 👍 (1) or 👎 (-1) when rating is given."""
        if rating is None:
            return self._select("ORDER BY id DESC", ())
        return self._select("WHERE rating = ? ORDER BY id DESC", (rating,))

    def _select(self, where: str, params: tuple) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, answer_id, rating, comment, question, answer, refused, sources, backend, history, user, "
                f"at, in_testset FROM feedback {where}", params).fetchall()
        return [{"id": r[0], "answer_id": r[1], "rating": r[2], "comment": r[3], "question": r[4], "answer": r[5],
                 "refused": bool(r[6]), "sources": json.loads(r[7]), "backend": r[8], "history": json.loads(r[9]),
                 "user": r[10], "at": r[11], "in_testset": bool(r[12])} for r in rows]

    def export_csv(self, path: Path | None = None) -> str:
        """All rows as CSV (UTF-8 with BOM, so spreadsheet programs read Vietnamese); written to path if given."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in self.rows():
            sources = "; ".join(
                f"[{s.get('n')}] {s.get('title', '')}{' › ' + s['heading'] if s.get('heading') else ''} ({s.get('doc')})"
                for s in row["sources"])
            writer.writerow({
                "id": row["id"], "time": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["at"])),
                "rating": "👍" if row["rating"] > 0 else "👎", "comment": row["comment"], "question": row["question"],
                "answer": row["answer"], "refused": "có" if row["refused"] else "không", "sources": sources,
                "backend": row["backend"], "user": row["user"], "in_testset": "có" if row["in_testset"] else "không"})
        text = "\ufeff" + buffer.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8", newline="")
        return text

    def testset_record(self, feedback_id: int, answerable: bool | None = None) -> dict:
        """A test-set line for reviewers to complete: the question, no reference answer, no sources yet.

        ``answerable`` defaults to the rating's likely meaning: a 👎 on a refusal says the documents
        should hold the answer (a reviewer then adds the sources); a 👎 on an answer, that it should
        have been refused.
        """
        row = self.get(feedback_id)
        if row is None:
            raise KeyError(feedback_id)
        record = {"id": f"feedback-{row['id']}", "question": row["question"], "answer": "",
                  "answerable": row["refused"] if answerable is None else bool(answerable),
                  "sources": [], "tags": ["feedback"]}
        if row["history"]:
            record["history"] = row["history"]
        return record

    def add_to_testset(self, feedback_id: int, path: Path, answerable: bool | None = None) -> dict:
        """Append the test-set line of a row to a JSONL file (once per row) and mark the row."""
        record = self.testset_record(feedback_id, answerable)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        lines = [line for line in lines if line.strip() and json.loads(line).get("id") != record["id"]]
        lines.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with self._lock, self._db:
            self._db.execute("UPDATE feedback SET in_testset = 1 WHERE id = ?", (feedback_id,))
        return record

    def close(self) -> None:
        with self._lock:
            self._db.close()
