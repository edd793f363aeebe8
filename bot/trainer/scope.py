"""What a question set may cover: a whole document or some of its sections.

Legal texts offer their Phần / Chương / Mục groups and their Điều (``structure.parse_articles``);
other documents offer their paragraphs ("Đoạn 3"). ``sections(doc)`` lists them for a picker;
``select(doc, scope)`` turns keys such as ``["Điều 11", "Chương II", "Điều 9-12", "Đoạn 2"]`` into
character spans. ``DocView`` gives the heading path and page of any offset.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.documents.model import Document
from bot.trainer.text import fold
from bot.documents.structure import CLAUSE, POINT, Article, doc_label, is_legal, parse_articles, split_lines

SEPARATOR = " › "


class ScopeError(ValueError):
    """A scope key that the document does not have; ``str()`` is Vietnamese, for users."""


@dataclass(frozen=True)
class Section:
    key: str  # "Điều 11", "Chương II", "Chương II › Mục 1", "Đoạn 3"
    title: str  # "Công nhận hương ước, quy ước" ('' when the text has none)
    start: int
    end: int
    level: str  # group | article | paragraph

    @property
    def label(self) -> str:
        """For a picker: 'Điều 11. Công nhận hương ước, quy ước'."""
        return f"{self.key}. {self.title}" if self.title else self.key


class DocView:
    """A document with its structure parsed once: sections, heading paths, article of an offset."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text = doc.text
        self.legal = is_legal(doc.text)

    @cached_property
    def name(self) -> str:
        """'Nghị định 61/2023/NĐ-CP' for a regulation, else the title."""
        return doc_label(self.doc.title, self.doc.meta.get("number"))

    @cached_property
    def articles(self) -> list[Article]:
        return parse_articles(self.text)[0] if self.legal else []

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        return [(line.start + len(line.text) - len(line.text.lstrip()), line.end)
                for line in split_lines(self.text) if line.text.strip()]

    @cached_property
    def sections(self) -> list[Section]:
        if not self.legal:
            return [Section(f"Đoạn {i}", _short(self.text[s:e], 80), s, e, "paragraph")
                    for i, (s, e) in enumerate(self.paragraphs, start=1)]
        groups: dict[str, Section] = {}
        for art in self.articles:
            for depth in range(1, len(art.sections) + 1):
                key = SEPARATOR.join(art.sections[:depth])
                title = art.section_titles[depth - 1].partition(". ")[2]
                known = groups.get(key)
                groups[key] = Section(key, title, known.start if known else art.start, art.end, "group")
        articles = [Section(f"Điều {a.number}", a.title, a.start, a.end, "article") for a in self.articles]
        return sorted([*groups.values(), *articles], key=lambda s: (s.start, s.level != "group", -s.end))

    def article_at(self, offset: int) -> Article | None:
        for art in self.articles:
            if art.start <= offset < max(art.end, art.start + 1):
                return art
        return None

    def paragraph_at(self, offset: int) -> int | None:
        for i, (s, e) in enumerate(self.paragraphs, start=1):
            if s <= offset < e or offset == e:
                return i
        return None

    def where(self, offset: int) -> str:
        """'Điều 11 Nghị định 61/2023/NĐ-CP' — how a question names its source ('' for prose)."""
        art = self.article_at(offset)
        return f"Điều {art.number} {self.name}" if art else ""

    def heading_at(self, offset: int) -> str:
        """'Nghị định 61/2023/NĐ-CP › Chương II › Điều 11 › khoản 3 › điểm a', or 'Title › đoạn 4' for prose."""
        art = self.article_at(offset)
        if art is None:
            paragraph = self.paragraph_at(offset)
            return SEPARATOR.join([self.name] + ([f"đoạn {paragraph}"] if paragraph and not self.legal else []))
        parts = [self.name, *art.sections, f"Điều {art.number}"]
        clause = point = None
        for line in art.lines[1:]:
            if line.start > offset:
                break
            if (m := CLAUSE.match(line.text)):
                clause, point = m.group(1), None
            elif (m := POINT.match(line.text)):
                point = m.group(1)
        if clause:
            parts.append(f"khoản {clause}")
        if point:
            parts.append(f"điểm {point}")
        return SEPARATOR.join(parts)

    def page_at(self, offset: int) -> int | None:
        return self.doc.page_at(offset) if self.doc.pages else None


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def sections(doc: Document) -> list[Section]:
    """The sections a set may be limited to, in document order (groups before their articles)."""
    return DocView(doc).sections


_RANGE = re.compile(r"^(điều|đoạn)\s+(\d+)\s*[-–]\s*(?:(?:điều|đoạn)\s+)?(\d+)$")


def _key(text: str) -> str:
    return " ".join(fold(text).replace("›", " › ").split())


def select(doc: Document | DocView, scope: Sequence[str] | str | None) -> list[tuple[int, int]]:
    """Spans of the document covered by the scope keys (None or empty: the whole document), merged."""
    view = doc if isinstance(doc, DocView) else DocView(doc)
    if isinstance(scope, str):
        scope = [scope]
    if not scope:
        return [(0, len(view.text))]
    by_key = {_key(s.key): s for s in view.sections}
    spans: list[tuple[int, int]] = []
    for raw in scope:
        key = _key(raw)
        if key in by_key:
            spans.append((by_key[key].start, by_key[key].end))
            continue
        ranged = _RANGE.match(key)
        if ranged:
            kind, low, high = ranged.group(1), int(ranged.group(2)), int(ranged.group(3))
            hits = [s for s in view.sections if _key(s.key).startswith(kind + " ")
                    and s.key.split()[-1].isdigit() and low <= int(s.key.split()[-1]) <= high]
            if hits:
                spans.extend((s.start, s.end) for s in hits)
                continue
        sample = ", ".join(s.key for s in view.sections[:8])
        raise ScopeError(f"«{raw}» không có trong {view.doc.id}. Có thể chọn: {sample}"
                         + (" …" if len(view.sections) > 8 else ""))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def in_spans(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)
