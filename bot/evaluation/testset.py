"""Test sets: load and validate JSONL/CSV/XLSX, and locate each quote in its document.

``load_testset`` enforces what a run needs and stops at the first problem; ``check_testset`` (``python -m
bot eval check``) lists every problem, adding the authoring rules of committed sets (NFC text, quotes of
20–200 characters on one line, no reference answer for an unanswerable question) and finding each quote
in the corpus. Every problem names the line (or spreadsheet row) and the field, in English and Vietnamese.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.documents.model import Document
from bot.documents.normalize import fold

QUOTE_MIN = 20
QUOTE_MAX = 200


class InvalidTestset(ValueError):
    """A problem of a test set: str() is English (logs), ``vi`` the same for people (web app, CLI)."""

    def __init__(self, where: str, problem: str, problem_vi: str, field: str | None = None) -> None:
        self.where, self.problem, self.problem_vi, self.field = where, problem, problem_vi, field
        text = f"field '{field}' {problem}" if field else problem
        super().__init__(f"{where}: {text}" if where else text)

    @property
    def vi(self) -> str:
        """'set.jsonl, dòng 3: trường 'id' bị thiếu' — the file's name only (uploads live in temp folders)."""
        found = re.fullmatch(r"(.*):(\d+)", self.where)
        place = f"{Path(found[1]).name}, dòng {found[2]}" if found else Path(self.where).name
        text = f"trường '{self.field}': {self.problem_vi}" if self.field else self.problem_vi
        return f"{place}: {text}" if place else text


@dataclass
class Source:
    doc: str
    quote: str
    unit: str = "span"  # or "article": the whole Điều that begins at the quote is relevant


@dataclass
class Item:
    id: str
    question: str
    answer: str
    answerable: bool
    sources: list[Source]
    tags: list[str] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)


_FIELDS = {"id": str, "question": str, "answer": str, "answerable": bool, "sources": list, "tags": list}


_UNITS = ("span", "article")
_KIND_VI = {"str": "chuỗi", "bool": "true/false", "list": "danh sách"}


def parse_item(obj: object, where: str) -> Item:
    """One record as an Item, or InvalidTestset naming ``where`` (``file:line``) and the field."""
    if not isinstance(obj, dict):
        raise InvalidTestset(where, "not a JSON object", "không phải một đối tượng JSON")
    for name, kind in _FIELDS.items():
        if name not in obj:
            raise InvalidTestset(where, "is missing", "bị thiếu", name)
        if not isinstance(obj[name], kind):
            raise InvalidTestset(where, f"must be {kind.__name__}", f"phải là {_KIND_VI[kind.__name__]}", name)
    sources = []
    for i, src in enumerate(obj["sources"]):
        if not isinstance(src, dict) or not isinstance(src.get("doc"), str) or not isinstance(src.get("quote"), str):
            raise InvalidTestset(where, "needs string 'doc' and 'quote'", "cần chuỗi 'doc' và 'quote'", f"sources[{i}]")
        if len(src["quote"]) > QUOTE_MAX:
            raise InvalidTestset(where, f"is longer than {QUOTE_MAX} characters", f"dài hơn {QUOTE_MAX} ký tự",
                                 f"sources[{i}].quote")
        if src.get("unit", "span") not in _UNITS:
            raise InvalidTestset(where, "must be 'span' or 'article'", "phải là 'span' hoặc 'article'",
                                 f"sources[{i}].unit")
        sources.append(Source(src["doc"], src["quote"], src.get("unit", "span")))
    if obj["answerable"] and not sources:
        raise InvalidTestset(where, "is empty for an answerable question",
                             "trống trong khi câu hỏi có đáp án (answerable)", "sources")
    if not obj["answerable"] and sources:
        raise InvalidTestset(where, "must be empty for an unanswerable question",
                             "phải trống với câu hỏi không có đáp án", "sources")
    history = obj.get("history") or []
    if not isinstance(history, list) or any(
            not isinstance(t, dict) or t.get("role") not in ("user", "assistant") or not isinstance(t.get("content"), str)
            for t in history):
        raise InvalidTestset(where, "must be a list of {'role': 'user'|'assistant', 'content': str}",
                             "phải là danh sách {'role': 'user'|'assistant', 'content': chuỗi}", "history")
    return Item(obj["id"], obj["question"], obj["answer"], obj["answerable"], sources, obj["tags"], history)


def _nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


def authoring_problems(item: Item, where: str) -> list[InvalidTestset]:
    """Rules of a committed test set beyond what a run needs (``python -m bot eval check``): NFC text, quotes of
    20–200 characters on one line, a reference answer exactly when the question is answerable."""
    problems = []
    texts = {"question": item.question, "answer": item.answer,
             **{f"history[{i}].content": turn["content"] for i, turn in enumerate(item.history)}}
    for name, text in texts.items():
        if not _nfc(text):
            problems.append(InvalidTestset(where, "is not NFC-normalised", "chưa chuẩn hóa Unicode NFC", name))
    if not item.question.strip():
        problems.append(InvalidTestset(where, "is empty", "bị trống", "question"))
    if item.answerable and not item.answer.strip():
        problems.append(InvalidTestset(where, "is empty for an answerable question",
                                       "trống trong khi câu hỏi có đáp án", "answer"))
    if not item.answerable and item.answer:
        problems.append(InvalidTestset(where, 'must be "" for an unanswerable question',
                                       'phải là "" với câu hỏi không có đáp án', "answer"))
    for i, source in enumerate(item.sources):
        name, quote = f"sources[{i}].quote", source.quote
        if not QUOTE_MIN <= len(quote) <= QUOTE_MAX:
            problems.append(InvalidTestset(where, f"has {len(quote)} characters, outside {QUOTE_MIN}–{QUOTE_MAX}",
                                           f"dài {len(quote)} ký tự, ngoài khoảng {QUOTE_MIN}–{QUOTE_MAX}", name))
        if "\n" in quote or "\r" in quote:
            problems.append(InvalidTestset(where, "contains a line break", "có dấu xuống dòng", name))
        if not _nfc(quote):
            problems.append(InvalidTestset(where, "is not NFC-normalised", "chưa chuẩn hóa Unicode NFC", name))
    return problems


def _jsonl_records(path: Path) -> list[tuple[int, object]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InvalidTestset(f"{path}:{number}", f"not valid JSON ({exc.msg})",
                                 f"không phải JSON hợp lệ ({exc.msg})") from exc
    return records


_LIST_FIELDS = ("sources", "tags", "history")
_TRUE = {"true", "1", "yes", "có", "x"}
_FALSE = {"false", "0", "no", "không", ""}


def _cell_record(row: dict, where: str) -> dict:
    """A spreadsheet row: lists are JSON in their cells, answerable is a truth word."""
    record: dict = {key: ("" if value is None else value) for key, value in row.items() if key}
    for name in _LIST_FIELDS:
        cell = record.get(name, "")
        if isinstance(cell, str):
            try:
                record[name] = json.loads(cell) if cell.strip() else []
            except json.JSONDecodeError as exc:
                raise InvalidTestset(where, f"is not a JSON list ({exc.msg})",
                                     f"không phải danh sách JSON ({exc.msg})", name) from exc
    flag = record.get("answerable")
    if not isinstance(flag, bool):
        text = str(flag).strip().lower()
        if text not in _TRUE | _FALSE:
            raise InvalidTestset(where, "must be true or false", "phải là true hoặc false (có/không)", "answerable")
        record["answerable"] = text in _TRUE
    for name in ("id", "question", "answer"):
        if name in record and not isinstance(record[name], str):
            record[name] = str(record[name])
    return record


def _table_records(path: Path) -> list[tuple[int, object]]:
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(path, read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in (values[0] if values else [])]
        rows = [dict(zip(header, row)) for row in values[1:] if any(v not in (None, "") for v in row)]
    return [(number, _cell_record(row, f"{path}:{number}")) for number, row in enumerate(rows, start=2)]


def _records(path: Path) -> list[tuple[int, object]]:
    try:
        return _table_records(path) if path.suffix.lower() in (".csv", ".xlsx") else _jsonl_records(path)
    except InvalidTestset:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile) as exc:  # not text, not a workbook
        raise InvalidTestset(str(path), f"cannot be read as UTF-8 JSONL, CSV or XLSX ({exc})",
                             f"không đọc được tệp (cần JSONL, CSV UTF-8 hoặc XLSX): {exc}") from exc


def _repeated_id(item: Item, where: str) -> InvalidTestset:
    return InvalidTestset(where, f"repeats '{item.id}'", f"trùng mã '{item.id}'", "id")


def load_testset(path: Path) -> list[Item]:
    """JSONL, CSV or XLSX with the same columns; errors name the line (or row) and the field."""
    path = Path(path)
    items, seen = [], set()
    for number, obj in _records(path):
        where = f"{path}:{number}"
        item = parse_item(obj, where)
        if item.id in seen:
            raise _repeated_id(item, where)
        seen.add(item.id)
        items.append(item)
    return items


@dataclass
class CheckResult:
    items: list[Item]
    problems: list[InvalidTestset]


def _corpus_document(name: str, corpus_dirs: Sequence[Path], max_file_mb: float) -> Document | InvalidTestset:
    """The document a source names (a path relative to a corpus folder; the first folder holding it wins)."""
    from bot.documents.loaders import LoadError, load_document

    for folder in map(Path, corpus_dirs):
        if (folder / name).is_file():
            try:
                return load_document(folder / name, folder, max_file_mb)
            except LoadError as exc:
                return InvalidTestset("", f"'{name}' cannot be read ({exc})", f"'{name}' không đọc được: {exc.message_vi}")
    return InvalidTestset("", f"'{name}' is not in the corpus folders", f"'{name}' không có trong thư mục tài liệu")


def check_testset(path: Path, corpus_dirs: Sequence[Path] = (), max_file_mb: float = 50.0) -> CheckResult:
    """Every problem of a test set, in line order: structure, authoring rules and, given corpus folders,
    each quote found in its document the way the evaluation finds it (``locate``)."""
    path = Path(path)
    try:
        records = _records(path)
    except InvalidTestset as exc:  # a line that is not JSON stops the reading
        return CheckResult([], [exc])
    items, problems, seen = [], [], set()
    docs: dict[str, Document | InvalidTestset] = {}
    for number, obj in records:
        where = f"{path}:{number}"
        try:
            item = parse_item(obj, where)
        except InvalidTestset as exc:
            problems.append(exc)
            continue
        if item.id in seen:
            problems.append(_repeated_id(item, where))
        seen.add(item.id)
        items.append(item)
        problems.extend(authoring_problems(item, where))
        for i, source in enumerate(item.sources if corpus_dirs else []):
            if source.doc not in docs:
                docs[source.doc] = _corpus_document(source.doc, corpus_dirs, max_file_mb)
            doc = docs[source.doc]
            if isinstance(doc, InvalidTestset):
                problems.append(InvalidTestset(where, doc.problem, doc.problem_vi, f"sources[{i}].doc"))
                continue
            try:
                locate(source, doc)
            except InvalidTestset as exc:
                problems.append(InvalidTestset(where, exc.problem, exc.problem_vi, f"sources[{i}].quote"))
    return CheckResult(items, problems)


def _flexible_pattern(quote: str) -> re.Pattern[str]:
    """Whitespace runs match any whitespace; the rest literally (in matching form)."""
    parts = [re.escape(p) for p in fold(quote).split()]
    return re.compile(r"\s+".join(parts))


_ARTICLE_HEAD = re.compile(r"^\s*Điều\s+\d+[a-z]?\s*\.", re.MULTILINE)
_SECTION_HEAD = re.compile(r"^\s*(?:Điều\s+\d+[a-z]?\s*\.|Chương\s+[IVXLC\d]+\b|Mục\s+\d+\b|Phần\s+thứ\b)", re.MULTILINE)


def locate(source: Source, doc: Document) -> tuple[int, int]:
    """Span of the source in the document's display text (the whole article for unit='article')."""
    match = _flexible_pattern(source.quote.replace("\u00a0", " ")).search(fold(doc.text))
    if not match:
        raise InvalidTestset("", f"quote not found in {source.doc}: «{source.quote[:80]}»",
                             f"không tìm thấy trích dẫn trong {source.doc}: «{source.quote[:80]}»")
    start, end = match.span()
    if source.unit == "article":
        heads = [m.start() for m in _ARTICLE_HEAD.finditer(doc.text) if m.start() <= start + 1]
        start = heads[-1] if heads else start
        while start < end and doc.text[start].isspace():
            start += 1
        following = _SECTION_HEAD.search(doc.text, end)
        end = following.start() if following else len(doc.text)
    return start, end
