"""HTML of the chat page: answers with numbered source chips, the passage viewer, the whole document.

Pure functions over ``Answer.to_json()`` dicts and ``Document``s. Every piece of document or answer text
is HTML-escaped here (an uploaded HTML file is shown as text, never rendered). Links whose address
starts with ``#hd-`` are actions that the page script (``BRIDGE_JS``) sends to the server:
``#hd-cite-<answer id>-<n>`` opens a source, ``#hd-like-<id>`` / ``#hd-dislike-<id>`` rate an answer,
``#hd-copy-<id>`` copies it (in the browser only).
"""

from __future__ import annotations

import html
import re

from bot.documents.model import Document

SOURCES_HEADER_VI = "Nguồn trích dẫn"
BACKEND_NAMES_VI = {
    "extractive": "trích nguyên văn tài liệu (extractive)",
    "llamacpp": "mô hình ngôn ngữ chạy trên máy (llama.cpp)",
    "openai": "máy chủ mô hình tương thích OpenAI",
    "ollama": "máy chủ mô hình Ollama",
}
FALLBACK_VI = "Chế độ dự phòng: câu trả lời được trích nguyên văn từ tài liệu"
DRAFT_VI = "Đang soạn câu trả lời…"
CHECKING_VI = "Bản nháp của mô hình, đang kiểm chứng trích dẫn…"
META_LABELS_VI = (("number", "Số hiệu"), ("issued", "Ngày ban hành"), ("issuer", "Cơ quan ban hành"))

_CITE_MARK = re.compile(r"\[(\d+)\]")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_]")


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def multiline(text: str) -> str:
    """Escaped text with line breaks as <br>: one line of HTML, so Markdown never touches it."""
    return "<br>".join(esc(line) for line in (text or "").split("\n"))


def backend_label(backend: str) -> str:
    return BACKEND_NAMES_VI.get(backend, backend or "không rõ")


def short_heading(heading: str) -> str:
    """'Luật 10/2022/QH15 › Chương II › Mục 1 › Điều 11 › khoản 1–3' -> 'Luật 10/2022/QH15 › Điều 11 › khoản 1–3'."""
    parts = [p.strip() for p in heading.split("›") if p.strip()]
    if len(parts) <= 2:
        return " › ".join(parts)
    keep = [parts[0]] + [p for p in parts[1:] if re.match(r"(Điều|khoản|điểm)\b", p)]
    return " › ".join(keep if len(keep) > 1 else [parts[0], parts[-1]])


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def citation_label(citation: dict) -> str:
    """What a chip says: the document (short) and its Điều/khoản, or its page."""
    where = clip(short_heading(citation.get("heading") or ""), 90) or clip(citation.get("title") or citation.get("doc", ""), 60)
    if citation.get("page"):
        where += f", trang {citation['page']}"
    return where


def citation_tooltip(citation: dict) -> str:
    where = citation.get("heading") or citation.get("title") or citation.get("doc", "")
    if citation.get("page"):
        where += f", trang {citation['page']}"
    return f"[{citation['n']}] {where} — {citation.get('title', '')}"


def answer_html(record: dict) -> str:
    """A finished answer as one chat message: text with [n] links, source chips, backend, actions.

    ``record``: {"id", "question", "answer": Answer.to_json(), "rating": None | 1 | -1}.
    """
    result = record["answer"]
    aid = _SAFE_ID.sub("", record["id"])
    numbers = {c["n"] for c in result.get("citations", [])}

    def link(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="hd-ref" href="#hd-cite-{aid}-{n}" title="Xem nguồn [{n}]">[{n}]</a>'

    text = _CITE_MARK.sub(link, multiline(result.get("answer", "")))
    parts = [f'<div class="hd-answer" id="hd-answer-{aid}">']
    if result.get("caution"):
        parts.append(f'<div class="hd-caution">⚠️ {esc(result["caution"])}</div>')
    parts += [f'<div class="hd-text{" hd-refused" if result.get("refused") else ""}">{text}</div>']
    if result.get("citations"):
        chips = "".join(
            f'<a class="hd-chip" href="#hd-cite-{aid}-{c["n"]}" title="{esc(citation_tooltip(c))}">'
            f'<span class="hd-chip-n">{c["n"]}</span><span class="hd-chip-label">{esc(citation_label(c))}</span></a>'
            for c in result["citations"])
        parts.append(f'<div class="hd-sources"><span class="hd-sources-label">{SOURCES_HEADER_VI}:</span>{chips}</div>')
    meta = f"Trả lời bởi: {esc(backend_label(result.get('backend', '')))}"
    parts.append(f'<div class="hd-meta">{meta}</div>')
    if result.get("fallback_reason"):
        parts.append(f'<div class="hd-fallback">⚠️ {FALLBACK_VI}. {esc(result["fallback_reason"])}</div>')
    rating = record.get("rating")
    like_on = " hd-on" if rating == 1 else ""
    dislike_on = " hd-on" if rating == -1 else ""
    parts.append(
        '<div class="hd-actions">'
        f'<a class="hd-act hd-like{like_on}" href="#hd-like-{aid}" title="Câu trả lời hữu ích">👍 Hữu ích</a>'
        f'<a class="hd-act hd-dislike{dislike_on}" href="#hd-dislike-{aid}" title="Câu trả lời chưa đúng">👎 Chưa đúng</a>'
        f'<a class="hd-act hd-copy" href="#hd-copy-{aid}" title="Sao chép câu trả lời và nguồn">📋 Sao chép</a>'
        '</div>')
    parts.append("</div>")
    return "".join(parts)


def draft_html(text: str, checking: bool = False) -> str:
    """An answer still coming in (escaped), with a note of what it is."""
    note = CHECKING_VI if checking else DRAFT_VI
    body = multiline(text) if text else ""
    return (f'<div class="hd-answer hd-draft"><div class="hd-text">{body}<span class="hd-cursor">▍</span></div>'
            f'<div class="hd-meta">{note}</div></div>')


def question_html(question: str) -> str:
    return f'<div class="hd-question">{multiline(question)}</div>'


def _meta_html(doc: Document | None, citation: dict) -> str:
    title = doc.title if doc else citation.get("title") or citation.get("doc", "")
    rows = [f'<div class="hd-viewer-title">{esc(title)}</div>']
    facts = [f"{label}: {esc(doc.meta[key])}" for key, label in META_LABELS_VI if doc and doc.meta.get(key)]
    if facts:
        rows.append(f'<div class="hd-viewer-facts">{" · ".join(facts)}</div>')
    where = citation.get("heading") or ""
    if citation.get("page"):
        where = f"{where}, trang {citation['page']}" if where else f"Trang {citation['page']}"
    if where:
        rows.append(f'<div class="hd-viewer-where">[{citation.get("n", "")}] {esc(where)}</div>')
    rows.append(f'<div class="hd-viewer-file">Tệp: {esc(citation.get("doc", ""))}</div>')
    return "".join(rows)


def _window(text: str, start: int, end: int, context: int) -> tuple[int, int]:
    """Bounds of the surrounding text: about ``context`` characters each side, cut at line starts/ends."""
    lo = max(0, start - context)
    if lo > 0:
        cut = text.find("\n", lo, start)
        lo = cut + 1 if cut != -1 else lo
    hi = min(len(text), end + context)
    if hi < len(text):
        cut = text.rfind("\n", end, hi)
        hi = cut if cut != -1 else hi
    return lo, hi


def _highlighted(text: str, start: int, end: int, lo: int, hi: int) -> str:
    return (esc(text[lo:start]) + f'<mark class="hd-mark" id="hd-mark">{esc(text[start:end])}</mark>'
            + esc(text[end:hi]))


def _clamp(doc: Document, citation: dict) -> tuple[int, int]:
    """The span of the citation in the document; found again by its quote if the document changed since."""
    quote = citation.get("quote") or ""
    start, end = int(citation.get("start", 0)), int(citation.get("end", 0))
    if quote and doc.text[start:end] != quote and quote in doc.text:
        start = doc.text.index(quote)
        return start, start + len(quote)
    start = max(0, min(int(citation.get("start", 0)), len(doc.text)))
    end = max(start, min(int(citation.get("end", start)), len(doc.text)))
    return start, end


def passage_html(doc: Document | None, citation: dict, context_chars: int = 700) -> str:
    """The cited span highlighted inside its surrounding text, under the document's title, number and date."""
    head = _meta_html(doc, citation)
    if doc is None:
        body = ('<p class="hd-missing">Tài liệu này không còn trong thư viện (có thể đã bị xóa). Đoạn được trích:</p>'
                f'<div class="hd-viewer-text"><mark class="hd-mark" id="hd-mark">{esc(citation.get("quote", ""))}</mark></div>')
        return f'<div class="hd-viewer-head">{head}</div>{body}'
    start, end = _clamp(doc, citation)
    lo, hi = _window(doc.text, start, end, context_chars)
    body = ("…" if lo > 0 else "") + _highlighted(doc.text, start, end, lo, hi) + ("…" if hi < len(doc.text) else "")
    return (f'<div class="hd-viewer-head">{head}</div>'
            f'<div class="hd-viewer-text" id="hd-passage">{body}</div>')


def document_html(doc: Document | None, citation: dict) -> str:
    """The whole document, with the cited span highlighted (``#hd-mark``), for scrolling to it."""
    if doc is None:
        return passage_html(doc, citation)
    start, end = _clamp(doc, citation)
    body = _highlighted(doc.text, start, end, 0, len(doc.text))
    return (f'<div class="hd-viewer-head">{_meta_html(doc, citation)}</div>'
            f'<div class="hd-viewer-text hd-fulltext" id="hd-fulltext">{body}</div>')
