"""Parser of Vietnamese legal structure: Phần / Chương / Mục / Tiểu mục / Điều / khoản / điểm."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Headings above the article, outermost first; each must start a line.
_SECTION_PATTERNS = [
    ("Phần", re.compile(r"^\s*Phần\s+(thứ\s+[^\s.:]+|[IVXLC]+|\d+)\b", re.IGNORECASE)),
    ("Chương", re.compile(r"^\s*Chương\s+([IVXLC]+|\d+)\b", re.IGNORECASE)),
    ("Mục", re.compile(r"^\s*Mục\s+(\d+)\b")),
    ("Tiểu mục", re.compile(r"^\s*Tiểu mục\s+(\d+)\b")),
]
ARTICLE = re.compile(r"^\s*Điều\s+(\d+[a-z]?)\s*\.\s*(.*)$")
# MULTILINE so that pattern.match(text, pos) works at any line start, not only at 0.
CLAUSE = re.compile(r"^\s*(\d+)\.\s+\S", re.MULTILINE)
POINT = re.compile(r"^\s*([a-zđ])\)\s+\S", re.MULTILINE)

_DOC_KINDS = ["Bộ luật", "Luật", "Hiến pháp", "Pháp lệnh", "Nghị định", "Nghị quyết", "Thông tư", "Quyết định",
              "Chỉ thị", "Kết luận", "Quy định", "Hướng dẫn", "Công văn", "Kế hoạch"]
DOC_NUMBER = re.compile(r"\b\d+[a-z]?/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9]*(?:-[A-ZĐ][A-ZĐa-z0-9]*)*\b|\b\d+-[A-ZĐ]+/[A-ZĐ]+\b")
# «… khoản 1 và khoản 2 Điều 15 của Luật này», «các điều 8, 9 và 10 Nghị định này», «Điều 41 và Điều 42 của Luật
# này», «từ Điều 18 đến Điều 21 của Luật này»: a rule of a document applied to its own articles (group 1: the run of
# references before «… này»).
_REFERENCE = r"(?:các\s+)?(?:điểm\s+[a-zđ]\s+)?(?:khoản|điều)\s+\d+[a-z]?"
_SELF_REFERENCE = re.compile(
    rf"((?:{_REFERENCE}(?:(?:\s*,\s*|\s+(?:và|hoặc|đến)\s+)(?:{_REFERENCE}|\d+[a-z]?))*\s+)+)"
    rf"(?:của\s+)?(?:{'|'.join(_DOC_KINDS)})\s+này\b", re.IGNORECASE)
_REFERENCE_PART = re.compile(r"\b(?:(khoản|điều)\s+)?(\d+[a-z]?)\b|\b(đến)\b", re.IGNORECASE)


def referred_articles(text: str) -> dict[str, frozenset[str]]:
    """The articles of its own document a text refers to, each with the clauses (khoản) it names, none for the
    whole article: «khoản 1 và khoản 2 Điều 15 của Luật này» -> {'15': {'1', '2'}}."""
    referred: dict[str, frozenset[str]] = {}
    for run in _SELF_REFERENCE.finditer(text):
        kind, clauses, last, through = "", set(), "", False
        for part in _REFERENCE_PART.finditer(run.group(1)):
            if part.group(3):
                through = True
                continue
            kind = (part.group(1) or kind).lower()
            number = part.group(2)
            numbers = [number]
            if through and last.isdigit() and number.isdigit():  # «từ Điều 18 đến Điều 21», «khoản 1 đến khoản 3»
                numbers = [str(n) for n in range(int(last) + 1, int(number) + 1)]
            last, through = number, False
            if kind == "khoản":
                clauses.update(numbers)
                continue
            for article in numbers:  # a whole article wins over some of its clauses
                whole = not clauses or referred.get(article) == frozenset()
                referred[article] = frozenset() if whole else referred.get(article, frozenset()) | clauses
            clauses = set()
    return referred


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


@dataclass
class Article:
    """One Điều: its span, number, title and the section headings it sits under."""

    number: str
    title: str
    start: int
    end: int
    sections: list[str]  # e.g. ["Chương II", "Mục 1"]
    section_titles: list[str]  # e.g. ["Chương II. NỘI DUNG …"]
    lines: list[Line]


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(text) if end is None else end
    lines, cursor = [], start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        stop = end if newline == -1 else newline
        lines.append(Line(cursor, stop, text[cursor:stop]))
        cursor = stop + 1
    return lines


def is_legal(text: str) -> bool:
    return sum(1 for line in text.split("\n") if ARTICLE.match(line)) >= 2


def doc_label(title: str, number: str | None) -> str:
    """'Luật Thực hiện dân chủ ở cơ sở', '10/2022/QH15' -> 'Luật 10/2022/QH15'."""
    number = number or next(iter(DOC_NUMBER.findall(title)), None)
    if not number:
        return title
    kind = next((k for k in _DOC_KINDS if title.lower().startswith(k.lower())), "Văn bản")
    return f"{kind} {number}"


def parse_articles(text: str) -> tuple[list[Article], int]:
    """Articles in order, and the offset where the first structural heading starts (end of preamble)."""
    lines = split_lines(text)
    sections: dict[int, tuple[str, str]] = {}  # level -> (label, label with title)
    articles: list[Article] = []
    preamble_end = len(text)
    pending_title_level: int | None = None
    for line in lines:
        section = next(((lvl, name, m) for lvl, (name, pat) in enumerate(_SECTION_PATTERNS)
                        if (m := pat.match(line.text))), None)
        article = ARTICLE.match(line.text)
        if section or article:
            preamble_end = min(preamble_end, line.start)
            if articles and articles[-1].end == -1:
                articles[-1].end = line.start
        if section:
            level, name, match = section
            label = f"{name} {match.group(1)}"
            rest = line.text[match.end():].strip(" .:-–")
            sections = {k: v for k, v in sections.items() if k < level}
            sections[level] = (label, f"{label}. {rest}" if rest else label)
            pending_title_level = None if rest else level
            continue
        if article:
            pending_title_level = None
            ordered = [sections[k] for k in sorted(sections)]
            articles.append(Article(article.group(1), article.group(2).strip(), line.start, -1,
                                    [s[0] for s in ordered], [s[1] for s in ordered], [line]))
            continue
        if pending_title_level is not None and line.text.strip():
            label, _ = sections[pending_title_level]
            sections[pending_title_level] = (label, f"{label}. {line.text.strip()}")
            pending_title_level = None
            continue
        if articles and articles[-1].end == -1:
            articles[-1].lines.append(line)
    if articles and articles[-1].end == -1:
        articles[-1].end = len(text)
    for art in articles:
        while art.end > art.start and text[art.end - 1].isspace():
            art.end -= 1
    return articles, preamble_end
