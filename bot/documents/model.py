"""The data that flows from files to the index."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageSpan:
    number: int  # 1-based page number, as users count pages
    start: int
    end: int


@dataclass
class Document:
    id: str  # path relative to the corpus folder, with '/' separators
    title: str
    type: str  # txt, md, html, pdf, docx
    sha256: str  # of the file's bytes
    text: str  # display form: what users read and what spans index
    meta: dict[str, str] = field(default_factory=dict)
    pages: list[PageSpan] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages and offset >= self.pages[-1].start else None


@dataclass
class Chunk:
    id: str
    doc_id: str
    text: str  # == document.text[start:end]
    start: int
    end: int
    heading: str  # for display: "Luật 10/2022/QH15 › Chương II › Điều 5 › khoản 2", "<title> › <section>" for
    # a section of prose; '' for prose before its first heading
    context: str = ""  # for matching: document, section and article titles the span sits under
    page: int | None = None
    ordinal: int = 0

    def embedding_text(self) -> str:
        """What the encoder and BM25 read: the span with where it sits, so a bare khoản keeps its context."""
        return f"{self.context}\n{self.text}" if self.context else self.text


def innermost_title(context: str) -> str:
    """The title a chunk sits right under (its article's, its section's), of the titles in its context (a passage
    made of one referring sentence adds the passage it refers to on the next lines)."""
    return context.split("\n")[0].split("›")[-1].strip()
