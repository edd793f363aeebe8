"""The document library one file at a time: add (upload), delete, re-index, list — over ``ingest``.

Files live in the corpus folder (``settings.corpus_dir``) and the index follows it: an added file is
saved there under a safe name and indexed by the incremental ``ingest``; a deleted file is removed
with its chunks. Every per-file problem is a Vietnamese message for that file; the others go on.
"""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.indexing.index import Index
from bot.indexing.ingest import IngestReport, ingest, ingest_lock

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]  # (fraction 0..1, Vietnamese description)

MAX_NAME_CHARS = 120
TYPE_NAMES_VI = {"txt": "Văn bản TXT", "md": "Markdown", "html": "Trang HTML", "htm": "Trang HTML", "pdf": "PDF",
                 "docx": "Word (DOCX)"}


class LibraryError(ValueError):
    """A file the library refuses; ``message_vi`` says why, for users."""

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


def safe_filename(name: str, extensions: Sequence[str], reserved: Sequence[str] = ()) -> str:
    """The name an uploaded file is saved under: its last path part, NFC, no control or odd characters.

    Keeps Vietnamese letters, digits, ``.-_()`` and turns anything else (spaces included) into ``_``;
    no leading dot (hidden files are not indexed), at most MAX_NAME_CHARS characters, a lower-case
    extension that must be one of ``extensions``. Raises LibraryError.
    """
    original = name
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]  # never a folder part: no '../', no absolute path
    # Control, format (bidi overrides, zero-width), private-use and unassigned characters go.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = "." + ext.lower() if ext else ""
    allowed = {e.lower() for e in extensions}
    if ext not in allowed:
        kinds = ", ".join(sorted({e.lstrip(".").upper() for e in allowed}))
        shown = original if len(original) <= 80 else original[:80] + "…"
        raise LibraryError(f"Tệp “{shown}” không thuộc loại được hỗ trợ (chỉ nhận {kinds}).")
    stem = re.sub(r"[^\w.()-]+", "_", stem, flags=re.UNICODE)
    stem = re.sub(r"_{2,}", "_", stem).strip("._- ")
    stem = re.sub(r"\.{2,}", ".", stem)
    if not stem:
        stem = "tai-lieu"
    stem = stem[:MAX_NAME_CHARS - len(ext)].rstrip("._- ") or "tai-lieu"
    result = stem + ext
    if result in reserved:  # folder notes such as README.md are never indexed
        result = f"tai-lieu-{result}"
    return result


def document_path(corpus_dir: Path, doc_id: str) -> Path:
    """The file of a document id, which must lie inside the corpus folder (raises LibraryError)."""
    root = corpus_dir.resolve()
    path = (root / doc_id).resolve()
    if not doc_id or Path(doc_id).is_absolute() or root not in path.parents:
        raise LibraryError(f"Mã tài liệu không hợp lệ: {doc_id}")
    return path


@dataclass
class FileResult:
    name: str  # as uploaded
    doc_id: str = ""  # as saved in the corpus folder
    status: str = ""  # added, updated, unchanged, failed, rejected
    message: str = ""  # Vietnamese
    chunks: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("added", "updated", "unchanged")


@dataclass
class UploadReport:
    files: list[FileResult] = field(default_factory=list)
    ingest: IngestReport | None = None

    @property
    def ok(self) -> list[FileResult]:
        return [f for f in self.files if f.ok]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if not f.ok]


def add_files(index: Index, files: Sequence[tuple[str, Path]], progress: ProgressFn | None = None) -> UploadReport:
    """Save uploaded files (original name, temporary path) into the corpus folder and index them.

    A file of the wrong type, too large, or empty is rejected before saving; a file that saves but
    cannot be read (corrupt, encrypted, scanned PDF …) stays in the folder and is listed as failed with
    the loader's reason, so that an administrator sees it and can delete or replace it. A file with the
    name of one already there replaces it (a new version).
    """
    settings = index.settings
    cfg = settings.ingest
    corpus_dir = Path(settings.corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    report = UploadReport()
    limit = cfg.max_file_mb * 1024 * 1024
    saved: dict[str, FileResult] = {}
    existing = set(index.catalog.hashes()) | set(index.catalog.failures())
    for number, (name, source) in enumerate(files, start=1):
        result = FileResult(name=name)
        report.files.append(result)
        if progress:
            progress(0.1 * number / max(1, len(files)), f"Lưu tệp {number}/{len(files)}")
        try:
            target = safe_filename(name, cfg.extensions, cfg.ignored_names)
            size = Path(source).stat().st_size
            if size > limit:
                raise LibraryError(f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB); giới hạn là {cfg.max_file_mb:g} MB.")
            if size == 0:
                raise LibraryError("Tệp rỗng (0 byte).")
            if target in saved:
                raise LibraryError(f"Trùng tên với một tệp khác trong cùng lần tải lên ({target}).")
            path = document_path(corpus_dir, target)
            partial = path.with_name(f".{path.name}.uploading")  # hidden: never scanned while half-written
            shutil.copyfile(source, partial)
            partial.replace(path)
        except LibraryError as exc:
            result.status, result.message = "rejected", exc.message_vi
            continue
        except OSError as exc:
            log.warning("cannot save upload %s: %s", name, exc)
            result.status, result.message = "rejected", f"Không lưu được tệp vào thư mục tài liệu ({exc.strerror or exc})."
            continue
        result.doc_id = target
        saved[target] = result
        log.info("saved upload %r as %s", name, path)
    if saved:
        def on_progress(done: int, total: int, what: str) -> None:
            if progress and total:
                if what == "embed":
                    progress(0.1 + 0.75 * done / total, f"Nhúng vector: {done}/{total} đoạn")
                else:
                    progress(0.85 + 0.15 * done / total, f"Ghi chỉ mục: {done}/{total} tài liệu")

        report.ingest = ingest(index, corpus_dir, progress=on_progress)
        chunks = {d["id"]: d["chunks"] for d in index.catalog.documents()}
        for doc_id, result in saved.items():
            if doc_id in report.ingest.failed:
                result.status, result.message = "failed", report.ingest.failed[doc_id]
            elif doc_id in report.ingest.added:
                result.status = "updated" if doc_id in existing else "added"
            elif doc_id in report.ingest.updated:
                result.status = "updated"
            else:
                result.status = "unchanged"
            result.chunks = chunks.get(doc_id, 0)
    if progress:
        progress(1.0, "Xong")
    return report


def delete_documents(index: Index, doc_ids: Sequence[str]) -> dict[str, str]:
    """Remove files and their chunks. Returns doc id -> '' when deleted, else a Vietnamese message."""
    corpus_dir = Path(index.settings.corpus_dir)
    results: dict[str, str] = {}
    with ingest_lock(index.settings.index_dir):
        for doc_id in doc_ids:
            try:
                path = document_path(corpus_dir, doc_id)
            except LibraryError as exc:
                results[doc_id] = exc.message_vi
                continue
            known = doc_id in index.catalog.hashes() or doc_id in index.catalog.failures()
            if not known and not path.exists():
                results[doc_id] = "Không có tài liệu này trong thư viện."
                continue
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                results[doc_id] = f"Không xóa được tệp ({exc.strerror or exc})."
                continue
            # Vectors first, then the catalog: a crash in between leaves orphans that reconcile() drops.
            index.dense.delete(index.catalog.chunk_ids(doc_id))
            index.catalog.remove(doc_id)
            index.catalog.forget_failure(doc_id)
            results[doc_id] = ""
            log.info("deleted document %s", doc_id)
        index.invalidate()
    return results


def reindex_documents(index: Index, doc_ids: Sequence[str] | None = None,
                      progress: ProgressFn | None = None) -> IngestReport:
    """Index documents again from their files (all changed files of the folder when doc_ids is None).

    The named documents are read, chunked and stored anew even when their files did not change
    (their vectors come from the embedding cache, so only new text is embedded).
    """
    corpus_dir = Path(index.settings.corpus_dir)
    if doc_ids:
        with ingest_lock(index.settings.index_dir):
            for doc_id in doc_ids:
                document_path(corpus_dir, doc_id)
                index.dense.delete(index.catalog.chunk_ids(doc_id))
                index.catalog.remove(doc_id)
                index.catalog.forget_failure(doc_id)
            index.invalidate()

    def on_progress(done: int, total: int, what: str) -> None:
        if progress and total:
            share = (0.0, 0.85) if what == "embed" else (0.85, 0.15)
            progress(share[0] + share[1] * done / total, "Đang lập chỉ mục")

    report = ingest(index, corpus_dir, progress=on_progress)
    if progress:
        progress(1.0, "Xong")
    return report


@dataclass
class DocumentRow:
    id: str
    title: str
    type: str
    number: str
    pages: int
    chunks: int
    added_at: float | None
    status: str  # "indexed" or "failed"
    message: str = ""  # Vietnamese reason of a failure


def list_documents(index: Index) -> list[DocumentRow]:
    """Indexed documents and failed files of the library, by id."""
    rows = [DocumentRow(id=d["id"], title=d["title"], type=d["type"], number=d["meta"].get("number", ""),
                        pages=d["pages"], chunks=d["chunks"], added_at=d["added_at"], status="indexed")
            for d in index.catalog.documents()]
    for doc_id, (_, _, message) in index.catalog.failures().items():
        path = Path(index.settings.corpus_dir) / doc_id
        added = path.stat().st_mtime if path.exists() else None
        rows.append(DocumentRow(id=doc_id, title=doc_id, type=Path(doc_id).suffix.lstrip(".").lower(), number="",
                                pages=0, chunks=0, added_at=added, status="failed", message=message))
    return sorted(rows, key=lambda r: r.id)
