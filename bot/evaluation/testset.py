"""Test sets: load and validate JSONL, and locate each quote in its document.

A malformed line is reported with its line number and field; a quote that cannot be found in
its document is an error of the test set, reported as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.documents.model import Document
from bot.documents.normalize import fold

QUOTE_MAX = 200


class TestSetError(ValueError):
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
        raise TestSetError(f"{where}: not a JSON object")
    for name, kind in _FIELDS.items():
        if name not in obj:
            raise TestSetError(f"{where}: field '{name}' is missing")
        if not isinstance(obj[name], kind):
            raise TestSetError(f"{where}: field '{name}' must be {kind.__name__}")
    sources = []
    for i, src in enumerate(obj["sources"]):
        if not isinstance(src, dict) or not isinstance(src.get("doc"), str) or not isinstance(src.get("quote"), str):
            raise TestSetError(f"{where}: field 'sources[{i}]' needs string 'doc' and 'quote'")
        if len(src["quote"]) > QUOTE_MAX:
            raise TestSetError(f"{where}: field 'sources[{i}].quote' is longer than {QUOTE_MAX} characters")
        sources.append(Source(src["doc"], src["quote"], src.get("unit", "span")))
    if obj["answerable"] and not sources:
        raise TestSetError(f"{where}: field 'sources' is empty for an answerable question")
    if not obj["answerable"] and sources:
        raise TestSetError(f"{where}: field 'sources' must be empty for an unanswerable question")
    history = obj.get("history") or []
    if not isinstance(history, list) or any(
            not isinstance(t, dict) or t.get("role") not in ("user", "assistant") or not isinstance(t.get("content"), str)
            for t in history):
        raise TestSetError(f"{where}: field 'history' must be a list of {{'role': 'user'|'assistant', 'content': str}}")
    return Item(obj["id"], obj["question"], obj["answer"], obj["answerable"], sources, obj["tags"], history)


def load_testset(path: Path) -> list[Item]:
    items, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestSetError(f"{where}: not valid JSON ({exc.msg})") from exc
        item = parse_item(obj, where)
        if item.id in seen:
            raise TestSetError(f"{where}: field 'id' repeats '{item.id}'")
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
        raise TestSetError(f"quote not found in {source.doc}: «{source.quote[:80]}»")
    start, end = match.span()
    if source.unit == "article":
        heads = [m.start() for m in _ARTICLE_HEAD.finditer(doc.text) if m.start() <= start + 1]
        start = heads[-1] if heads else start
        while start < end and doc.text[start].isspace():
            start += 1
        following = _SECTION_HEAD.search(doc.text, end)
        end = following.start() if following else len(doc.text)
    return start, end
