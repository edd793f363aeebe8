"""Test sets: load and validate JSONL, and locate each quote in its document.

A malformed line is reported with its line number and field; a quote that cannot be found in
its document is an error of the test set, reported as such.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.documents.model import Document
from bot.documents.normalize import fold

QUOTE_MAX = 200


class InvalidTestset(ValueError):
    pass


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


def parse_item(obj: object, where: str) -> Item:
    if not isinstance(obj, dict):
        raise InvalidTestset(f"{where}: not a JSON object")
    for name, kind in _FIELDS.items():
        if name not in obj:
            raise InvalidTestset(f"{where}: field '{name}' is missing")
        if not isinstance(obj[name], kind):
            raise InvalidTestset(f"{where}: field '{name}' must be {kind.__name__}")
    sources = []
    for i, src in enumerate(obj["sources"]):
        if not isinstance(src, dict) or not isinstance(src.get("doc"), str) or not isinstance(src.get("quote"), str):
            raise InvalidTestset(f"{where}: field 'sources[{i}]' needs string 'doc' and 'quote'")
        if len(src["quote"]) > QUOTE_MAX:
            raise InvalidTestset(f"{where}: field 'sources[{i}].quote' is longer than {QUOTE_MAX} characters")
        sources.append(Source(src["doc"], src["quote"], src.get("unit", "span")))
    if obj["answerable"] and not sources:
        raise InvalidTestset(f"{where}: field 'sources' is empty for an answerable question")
    if not obj["answerable"] and sources:
        raise InvalidTestset(f"{where}: field 'sources' must be empty for an unanswerable question")
    history = obj.get("history") or []
    if not isinstance(history, list) or any(
            not isinstance(t, dict) or t.get("role") not in ("user", "assistant") or not isinstance(t.get("content"), str)
            for t in history):
        raise InvalidTestset(f"{where}: field 'history' must be a list of {{'role': 'user'|'assistant', 'content': str}}")
    return Item(obj["id"], obj["question"], obj["answer"], obj["answerable"], sources, obj["tags"], history)


def _jsonl_records(path: Path) -> list[tuple[int, object]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InvalidTestset(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
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
                raise InvalidTestset(f"{where}: field '{name}' is not a JSON list ({exc.msg})") from exc
    flag = record.get("answerable")
    if not isinstance(flag, bool):
        text = str(flag).strip().lower()
        if text not in _TRUE | _FALSE:
            raise InvalidTestset(f"{where}: field 'answerable' must be true or false")
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


def load_testset(path: Path) -> list[Item]:
    """JSONL, CSV or XLSX with the same columns; errors name the line (or row) and the field."""
    path = Path(path)
    records = _table_records(path) if path.suffix.lower() in (".csv", ".xlsx") else _jsonl_records(path)
    items, seen = [], set()
    for number, obj in records:
        where = f"{path}:{number}"
        item = parse_item(obj, where)
        if item.id in seen:
            raise InvalidTestset(f"{where}: field 'id' repeats '{item.id}'")
        seen.add(item.id)
        items.append(item)
    return items


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
        raise InvalidTestset(f"quote not found in {source.doc}: «{source.quote[:80]}»")
    start, end = match.span()
    if source.unit == "article":
        heads = [m.start() for m in _ARTICLE_HEAD.finditer(doc.text) if m.start() <= start + 1]
        start = heads[-1] if heads else start
        while start < end and doc.text[start].isspace():
            start += 1
        following = _SECTION_HEAD.search(doc.text, end)
        end = following.start() if following else len(doc.text)
    return start, end
