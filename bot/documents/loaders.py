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
    "scanned": ("Tệp PDF không có lớp chữ (có thể là bản scan); cần nhận dạng ký tự (OCR) trước khi đưa vào. "
                "Quản trị viên có thể bật OCR: cài tesseract-ocr và tesseract-ocr-vie, đặt BOT_INGEST__OCR_LANGUAGE=vie."),
    "ocr_unavailable": ("Tệp PDF là bản scan; OCR đã bật nhưng máy chưa sẵn sàng ({detail}). "
                        "Hãy cài tesseract-ocr và tesseract-ocr-vie rồi nạp lại."),
    "ocr_empty": "Tệp PDF là bản scan và OCR không đọc được chữ nào. Hãy kiểm tra chất lượng bản scan.",
    "corrupt": "Không đọc được tệp (tệp hỏng hoặc sai định dạng): {detail}. Hãy xuất lại tệp từ bản gốc.",
    "encoding": "Không nhận ra bảng mã của tệp văn bản. Hãy lưu lại tệp ở dạng UTF-8.",
    "legacy_encoding": ("Tệp dùng bảng mã tiếng Việt cũ ({name}). Hãy chuyển sang Unicode (ví dụ bằng công cụ chuyển mã "
                        "của Unikey) rồi tải lên lại."),
    "wrong_type": "Tệp có đuôi «{ext}» nhưng nội dung là {actual}. Hãy đổi đuôi tệp cho đúng rồi tải lên lại.",
    "zip_bomb": "Tệp DOCX giải nén ra quá lớn ({size:.0f} MB), có thể là tệp độc hại. Hãy kiểm tra lại tệp gốc.",
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


_VIETNAMESE_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ")
# Characters that Vietnamese text in the old 8-bit font encodings shows when read as Windows-1258.
_TCVN3_MARKS = set("¸µ¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÐÌÎÏÑªÒÕÓÔÖ×ÝØÜÞ¬ßâàáã«äçåæè")
_VNI_MARKS = set("øùöõïìñëèéêåäãâáàôóòû")


# TCVN3 (ABC), the old 8-bit font encoding (TCVN 5712 VN3): one byte per letter, so it converts exactly
# (but for case: capitals with tones lived in a separate font). Bytes as Latin-1 -> Unicode.
_TCVN3 = str.maketrans(dict(zip(
    "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦",
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ")))


def _looks_vietnamese(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 127 and c.isalpha()]
    return not non_ascii or sum(c in _VIETNAMESE_LETTERS for c in non_ascii) / len(non_ascii) >= 0.8


def _decode(data: bytes) -> str:
    """UTF-8 (or UTF-16 with a BOM), else Windows-1258, else TCVN3 converted; VNI is named, not guessed."""
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        text = nfc(data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise LoadError("encoding", str(exc)) from exc
    if _looks_vietnamese(text):
        return text
    odd = [c for c in text if ord(c) > 127 and c not in _VIETNAMESE_LETTERS]
    tcvn3 = sum(c in _TCVN3_MARKS for c in odd)
    vni = sum(c in _VNI_MARKS for c in odd)
    if tcvn3 >= vni:
        converted = data.decode("latin-1").translate(_TCVN3)
        if _looks_vietnamese(converted):
            log.info("converted from TCVN3 (ABC) to Unicode")
            return nfc(converted)
    raise LoadError("legacy_encoding", name="TCVN3/ABC" if tcvn3 >= vni else "VNI")


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


def _has_text_layer(page_texts: list[str]) -> bool:
    chars = sum(len(t.strip()) for t in page_texts)
    return chars >= 20 * len(page_texts) or chars >= 200


def _load_pdf(path: Path, ocr_language: str | None) -> tuple[str, list[PageSpan], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    from bot.documents.ocr import OcrUnavailable, ocr_pages

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted")
        page_texts = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
        if page_texts and not _has_text_layer(page_texts):
            if not ocr_language:
                raise LoadError("scanned")
            try:
                page_texts = ocr_pages(reader, ocr_language)
            except OcrUnavailable as exc:
                raise LoadError("ocr_unavailable", str(exc)) from exc
            if not _has_text_layer(page_texts):
                raise LoadError("ocr_empty")
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
    return "\n\n".join(parts), pages, title


def _check_zip(path: Path, max_unpacked_mb: float) -> None:
    """A DOCX is a zip: refuse one that is not, or that unpacks to far more than any document needs."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist()) / 1_048_576
    except zipfile.BadZipFile as exc:
        raise LoadError("corrupt", f"not a zip archive ({exc})") from exc
    if unpacked > max_unpacked_mb:
        raise LoadError("zip_bomb", f"{unpacked:.0f} MB unpacked", size=unpacked)


def _load_docx(path: Path, max_unpacked_mb: float) -> tuple[str, list[PageSpan], str | None]:
    import docx

    _check_zip(path, max_unpacked_mb)
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


_KIND_NAMES_VI = {"pdf": "tệp PDF", "docx": "tệp nén (DOCX/ZIP)", "plain": "văn bản thuần"}


def _sniff(data: bytes) -> str | None:
    """The format the bytes say they are, where their magic number tells."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    return None


_LOADERS_BY_EXT = {".txt": "plain", ".md": "plain", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


def load_document(path: Path, corpus_dir: Path, max_file_mb: float, ocr_language: str | None = None) -> Document:
    """Read one file. Raises LoadError with a Vietnamese message when it cannot be used.

    ``ocr_language`` (e.g. "vie"): OCR scanned PDFs with Tesseract instead of refusing them.
    """
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
    actual = _sniff(data)
    if actual and actual != kind and not (actual == "docx" and kind == "docx"):
        raise LoadError("wrong_type", f"{ext} holds {actual}", ext=ext, actual=_KIND_NAMES_VI[actual])
    if kind == "plain":
        raw, pages, title = _load_plain(data)
    elif kind == "html":
        raw, pages, title = _load_html(data)
    elif kind == "pdf":
        raw, pages, title = _load_pdf(path, ocr_language)
    else:
        raw, pages, title = _load_docx(path, max_file_mb * 20)

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
