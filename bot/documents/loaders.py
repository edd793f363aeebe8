"""Files -> Documents. One loader per format; a file that cannot be read raises LoadError alone."""

from __future__ import annotations

import hashlib
import logging
import re
import zipfile
from pathlib import Path

from bot.documents.model import Document, PageSpan
from bot.documents.normalize import clean_text, nfc

log = logging.getLogger(__name__)

# What the user reads when a file fails, by reason. Each says what to do next.
MESSAGES_VI = {
    "too_large": "Tệp quá lớn ({size:.2f} MB, giới hạn {limit:g} MB). Hãy tách tệp thành nhiều phần nhỏ hơn.",
    "unsupported": "Định dạng «{ext}» chưa được hỗ trợ. Hãy dùng PDF, DOCX, TXT, MD hoặc HTML.",
    "empty": "Tệp rỗng, không có nội dung để đưa vào. Hãy kiểm tra lại tệp gốc.",
    "encrypted": "Tệp PDF có mật khẩu. Hãy mở khóa (bỏ mật khẩu) rồi tải lên lại.",
    "scanned": "Tệp PDF không có lớp chữ (có thể là bản scan); cần nhận dạng ký tự (OCR) trước khi đưa vào.",
    "corrupt": "Không đọc được tệp (tệp hỏng hoặc sai định dạng): {detail}. Hãy xuất lại tệp từ bản gốc.",
    "encoding": "Không nhận ra bảng mã của tệp văn bản. Hãy lưu lại tệp ở dạng UTF-8.",
}


class LoadError(Exception):
    """A file that cannot become a Document; ``message_vi`` is for the user, str(self) for logs."""

    def __init__(self, reason: str, detail: str = "", **fields: object) -> None:
        self.reason = reason
        self.message_vi = MESSAGES_VI[reason].format(detail=detail, **fields)
        super().__init__(f"{reason}: {detail}" if detail else reason)


# Header lines of the regulation files ("Tiêu đề: …" up to "---") and their metadata keys.
_HEADER_KEYS = {
    "tiêu đề": "title",
    "số hiệu": "number",
    "ngày ban hành": "issued",
    "cơ quan ban hành": "issuer",
    "nguồn": "source",
    "đầy đủ": "completeness",
    "loại văn bản": "kind",
}
_HEADER_LINE = re.compile(r"^([^:\n]{2,40}):\s*(.*)$")
_HEADER_END = re.compile(r"^-{3,}\s*$")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """('Tiêu đề: X\\nSố hiệu: Y\\n---\\nbody') -> ({'title': 'X', 'number': 'Y'}, 'body')."""
    lines = text.split("\n")
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[:40]):
        if _HEADER_END.match(line):
            if meta and i > 0:
                return meta, "\n".join(lines[i + 1:])
            break
        match = _HEADER_LINE.match(line)
        if not match:
            break
        key = match.group(1).strip().lower()
        meta[_HEADER_KEYS.get(key, key)] = match.group(2).strip()
    return {}, text


def _title_from_text(text: str, fallback: str) -> str:
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) <= 160 and not line.endswith((".", ":", ";")):
            return line
        first_sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
        words = first_sentence.split()
        return " ".join(words[:14]) + ("…" if len(words) > 14 else "")
    return fallback


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise LoadError("encoding", str(exc)) from exc


def _load_plain(data: bytes) -> tuple[str, list[PageSpan], str | None]:
    return _decode(data), [], None


_BLOCK_TAGS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "pre"]


def _load_html(data: bytes) -> tuple[str, list[PageSpan], str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg"]):
        tag.decompose()
    title_tag = soup.find("h1") or soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    if soup.title:
        soup.title.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_after("\n\n")
    return soup.get_text(), [], title or None


def _load_pdf(path: Path) -> tuple[str, list[PageSpan], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted")
        page_texts = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except LoadError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError("corrupt", str(exc)[:200]) from exc
    if not page_texts:
        raise LoadError("empty")
    parts, pages, cursor = [], [], 0
    for number, raw in enumerate(page_texts, start=1):
        cleaned = clean_text(raw)
        if parts:
            cursor += 2  # the "\n\n" between pages
        pages.append(PageSpan(number, cursor, cursor + len(cleaned)))
        parts.append(cleaned)
        cursor += len(cleaned)
    text = "\n\n".join(parts)
    if len(text.strip()) < 20 * len(page_texts) and len(text.strip()) < 200:
        raise LoadError("scanned")
    return text, pages, title


def _load_docx(path: Path) -> tuple[str, list[PageSpan], str | None]:
    import docx

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoadError("corrupt", str(exc)[:200]) from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise LoadError("corrupt", f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    title = document.core_properties.title or None
    if not title:
        title = next((p.text for p in document.paragraphs if p.style.name.startswith(("Title", "Heading")) and p.text.strip()), None)
    return "\n".join(blocks), [], title


_LOADERS_BY_EXT = {".txt": "plain", ".md": "plain", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


def load_document(path: Path, corpus_dir: Path, max_file_mb: float) -> Document:
    """Read one file. Raises LoadError with a Vietnamese message when it cannot be used."""
    ext = path.suffix.lower()
    kind = _LOADERS_BY_EXT.get(ext)
    if kind is None:
        raise LoadError("unsupported", ext=ext or path.name)
    size_mb = path.stat().st_size / 1_048_576
    if size_mb > max_file_mb:
        raise LoadError("too_large", size=size_mb, limit=max_file_mb)
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("empty")
    if kind == "plain":
        raw, pages, title = _load_plain(data)
    elif kind == "html":
        raw, pages, title = _load_html(data)
    elif kind == "pdf":
        raw, pages, title = _load_pdf(path)
    else:
        raw, pages, title = _load_docx(path)

    if pages:  # PDF text is cleaned page by page so that page spans stay true
        meta, text = {}, raw
    else:
        meta, body = split_header(nfc(raw))
        text = clean_text(body)
    if not text.strip():
        raise LoadError("empty")
    doc_id = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    return Document(
        id=doc_id,
        title=meta.get("title") or (nfc(title).strip() if title else "") or _title_from_text(text, path.stem),
        type="html" if kind == "html" else ext.lstrip("."),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        meta=meta,
        pages=pages,
    )
