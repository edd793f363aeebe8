"""Documents -> Chunks. Legal texts follow their structure; prose is packed from sentences.

Every chunk is a span of the document's display text, so a citation can highlight it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from bot.documents.model import Chunk, Document
from bot.documents.normalize import sentence_spans
from bot.documents.structure import CLAUSE, POINT, Article, doc_label, is_legal, parse_articles, split_lines
from bot.settings import ChunkingSettings

SEPARATOR = " › "
# Raise when the chunker cuts differently: an index cut before is chunked again when the app or the CLI opens
# it (``pipeline.get_index``) or on the next ingest.
CHUNKER_VERSION = 3


def chunk_layout(cfg: ChunkingSettings) -> str:
    """What decides the chunks, recorded in the index: the chunker's version and its settings."""
    return f"{CHUNKER_VERSION} {cfg.model_dump_json()}"


@dataclass(frozen=True)
class Unit:
    """An atomic span to pack into chunks; ``label`` names it in a heading (e.g. 'khoản 2')."""

    start: int
    end: int
    words: int
    label: str = ""
    new_block: bool = False  # starts a paragraph: a good place to cut


def _word_count(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _sentence_units(text: str, start: int, end: int, label: str = "") -> list[Unit]:
    units = []
    for i, (s, e) in enumerate(sentence_spans(text, start, end)):
        units.append(Unit(s, e, _word_count(text, s, e), label, new_block=(i == 0)))
    return units


def _pack(units: list[Unit], target: int, limit: int, overlap: int) -> list[list[Unit]]:
    """Greedy packing: cut before going over ``limit``, or at a block start once ``target`` is reached.

    ``overlap`` units of a chunk are repeated at the start of the next one (prose context).
    """
    groups: list[list[Unit]] = []
    current: list[Unit] = []
    words = 0
    for unit in units:
        over_limit = current and words + unit.words > limit
        good_cut = current and words >= target and unit.new_block
        if over_limit or good_cut:
            groups.append(current)
            carried = [u for u in current[-overlap:] if overlap and u.words < limit // 3] if overlap else []
            current = carried if carried != current else []
            words = sum(u.words for u in current)
        current.append(unit)
        words += unit.words
    if current:
        tail_words = sum(u.words for u in current)
        previous_words = sum(u.words for u in groups[-1]) if groups else 0
        if groups and tail_words < target // 4 and previous_words + tail_words <= limit * 1.15:
            groups[-1].extend(u for u in current if u not in groups[-1])  # a stub joins its neighbour
        else:
            groups.append(current)
    return groups


def _range_label(labels: list[str]) -> str:
    """['khoản 1', 'khoản 3'] -> 'khoản 1–3'; mixed depths keep both ends whole."""
    labels = [lab for lab in labels if lab]
    if not labels:
        return ""
    first, last = labels[0], labels[-1]
    if first == last:
        return first
    first_kind, _, first_n = first.partition(" ")
    last_kind, _, last_n = last.partition(" ")
    if first_kind == last_kind and SEPARATOR.strip() not in first + last:
        return f"{first_kind} {first_n}–{last_n}"
    return f"{first} – {last}"


_ARTICLE_PART = re.compile(r"Điều \d+[a-z]?")  # «Điều 11», not a section «Điều chỉnh phương thức …»


def span_heading(heading: str, text: str, start: int, end: int) -> str:
    """The heading of text[start:end] inside a chunk of an article: «… › Điều 11 › khoản 1–2» narrowed to the
    khoản the span lies in («… › Điều 11 › khoản 1»), so that a citation names the clause it quotes.

    A chunk holding a whole article gains the khoản («… › Điều 9» -> «… › Điều 9 › khoản 2»). The chunk's own
    heading stands when the span opens before the chunk's first khoản, or the heading names a điểm.
    """
    parts = heading.split(SEPARATOR)
    article = next((i for i, part in enumerate(parts) if _ARTICLE_PART.fullmatch(part)), None)
    whole_article = article == len(parts) - 1
    clause_run = article == len(parts) - 2 and parts[-1].startswith("khoản") and "điểm" not in parts[-1]
    if article is None or not (whole_article or clause_run):
        return heading
    clauses = [(m.start(), f"khoản {m.group(1)}") for m in CLAUSE.finditer(text)]
    first = [label for offset, label in clauses if offset <= start]
    last = [label for offset, label in clauses if offset < end]
    if not first:
        return heading
    return SEPARATOR.join([*parts[:article + 1], _range_label([first[-1], last[-1]])])


def _article_units(text: str, article: Article, limit: int) -> list[Unit]:
    """The article cut into khoản (or, for a long khoản, điểm or sentences)."""
    blocks: list[tuple[str, int, int]] = []  # (label, start, end)
    for line in article.lines:
        clause = CLAUSE.match(line.text)
        if clause or not blocks:
            blocks.append((f"khoản {clause.group(1)}" if clause else "", line.start, line.end))
        else:
            label, start, _ = blocks[-1]
            blocks[-1] = (label, start, line.end)
    units: list[Unit] = []
    for label, start, end in blocks:
        words = _word_count(text, start, end)
        if words <= limit:
            units.append(Unit(start, end, words, label, True))
            continue
        for sub_label, s, e in _points(text, start, end):
            sub_words = _word_count(text, s, e)
            full = f"{label} › {sub_label}" if label and sub_label else (label or sub_label)
            if sub_words <= limit:
                units.append(Unit(s, e, sub_words, full, True))
            else:
                units.extend(_sentence_units(text, s, e, full))
    return units


def _points(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    points: list[tuple[str, int, int]] = []
    cursor = start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        stop = end if newline == -1 else newline
        point = POINT.match(text, cursor, stop)
        if point or not points:
            points.append((f"điểm {point.group(1)}" if point else "", cursor, stop))
        else:
            points[-1] = (points[-1][0], points[-1][1], stop)
        cursor = stop + 1
    return points


def _chunk_id(doc: Document, start: int, end: int) -> str:
    return hashlib.sha256(f"{doc.id}\0{doc.sha256}\0{start}\0{end}".encode()).hexdigest()[:24]


def _make_chunks(doc: Document, spans: list[tuple[int, int, str, str]]) -> list[Chunk]:
    chunks = []
    for ordinal, (start, end, heading, context) in enumerate(spans):
        chunks.append(Chunk(
            id=_chunk_id(doc, start, end), doc_id=doc.id, text=doc.text[start:end], start=start, end=end,
            heading=heading, context=context, page=doc.page_at(start), ordinal=ordinal,
        ))
    return chunks


# A heading ends without a sentence's punctuation (closing quotes and brackets aside).
_SENTENCE_END = re.compile(r"[.;:,!?…\-–][\s”\"»’)\]]*$")
_NUMBERING = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s+")
# Dates, times, sources and photo captions are short lines between paragraphs too.
_NOT_HEADING = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}:\d{2}|\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}|\bảnh\s*:|"
                          r"^(?:nguồn|ảnh|theo|toàn cảnh|quang cảnh|(?:các )?đại biểu|đồng chí)\b|"
                          r"\b(?:phát biểu|trao tặng|trao|tặng|thăm|chụp|tại hội nghị|tại buổi)\b", re.IGNORECASE)
_PARAGRAPH_WORDS = 20


def _is_paragraph(line: str) -> bool:
    return len(line.split()) >= _PARAGRAPH_WORDS and _SENTENCE_END.search(line) is not None


def _names_only(words: list[str]) -> bool:
    """«Thu Hằng», «Minh Anh - Thu Hà», «Báo Nhân Dân»: bylines and names capitalise every word; an all-caps
    heading («QUAN ĐIỂM») is no name."""
    letters = [w.strip("()[]\"“”") for w in words if any(ch.isalpha() for ch in w)]
    return all(w[:1].isupper() for w in letters) and not all(w.isupper() for w in letters)


def is_heading(line: str, after: str, max_words: int) -> bool:
    """A line that heads a section of prose: short, capitalised, without closing punctuation, followed by a
    paragraph that starts a sentence ("Đổi mới sự lãnh đạo của Đảng trong công tác dân vận" in a news
    article; «1. Mục tiêu», «II. NHIỆM VỤ» in a resolution). A hard-wrapped line of a PDF is followed by the
    rest of its sentence, in lower case."""
    text = _NUMBERING.sub("", line.strip())
    words = text.split()
    return (1 <= len(words) <= max_words and text[:1].isupper() and not _SENTENCE_END.search(text)
            and not _NOT_HEADING.search(text) and not _names_only(words)
            and _is_paragraph(after) and after.strip()[:1].isupper())


def prose_sections(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int, str]]:
    """(start, end, heading) of each section of text[start:end]. Lines before the first paragraph (title,
    date, byline, the site's links) head nothing, nor does a line met twice (a PDF's running header)."""
    lines = [line for line in split_lines(text, start, end) if line.text.strip()]
    seen = Counter(" ".join(line.text.split()) for line in lines)
    sections = [(start, end, "")]
    body = False
    for line, after in zip(lines, lines[1:]):
        heading = " ".join(line.text.split())
        if body and seen[heading] == 1 and is_heading(heading, after.text, max_words):
            sections[-1] = (sections[-1][0], line.start, sections[-1][2])
            sections.append((line.start, end, heading))
        body = body or _is_paragraph(line.text)
    return [(s, e, h) for s, e, h in sections if text[s:e].strip()]


def _prose_spans(doc: Document, start: int, end: int, cfg: ChunkingSettings, context: str,
                 sections: bool = True) -> list[tuple[int, int, str, str]]:
    """Chunks packed from sentences within each section; a section's chunks carry its heading after
    ``context`` (the document's title)."""
    spans = []
    parts = prose_sections(doc.text, start, end, cfg.heading_max_words) if sections else [(start, end, "")]
    for section_start, section_end, heading in parts:
        units = [u for line in split_lines(doc.text, section_start, section_end)
                 for u in _sentence_units(doc.text, line.start, line.end)]
        groups = _pack(units, cfg.prose_target_words, cfg.prose_max_words, cfg.prose_overlap_sentences)
        path = SEPARATOR.join([context, heading]) if heading else ""
        spans.extend((g[0].start, g[-1].end, path, path or context) for g in groups)
    return spans


def chunk_document(doc: Document, cfg: ChunkingSettings) -> list[Chunk]:
    number = doc.meta.get("number")
    label = doc_label(doc.title, number)
    full_title = f"{doc.title} ({number})" if number and number not in doc.title else doc.title
    if not is_legal(doc.text):
        return _make_chunks(doc, _prose_spans(doc, 0, len(doc.text), cfg, doc.title))

    articles, preamble_end = parse_articles(doc.text)
    spans: list[tuple[int, int, str, str]] = []
    if doc.text[:preamble_end].strip():
        spans.extend(_prose_spans(doc, 0, preamble_end, cfg, label, sections=False))
    for art in articles:
        path = [label, *art.sections, f"Điều {art.number}"]
        context = SEPARATOR.join([full_title, *art.section_titles,
                                  f"Điều {art.number}. {art.title}".strip()])
        heading = SEPARATOR.join(path)
        if _word_count(doc.text, art.start, art.end) <= cfg.legal_max_words:
            spans.append((art.start, art.end, heading, context))
            continue
        units = _article_units(doc.text, art, cfg.legal_max_words)
        for group in _pack(units, cfg.legal_max_words, cfg.legal_max_words, overlap=0):
            part = _range_label([u.label for u in group])
            spans.append((group[0].start, group[-1].end, heading + (SEPARATOR + part if part else ""), context))
    return _make_chunks(doc, spans)
