"""Loaders for every format, and every way a file can be unusable (with its Vietnamese message)."""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from pathlib import Path

import pytest

from bot.documents.chunking import chunk_document
from bot.documents.loaders import MESSAGES_VI, LoadError, load_document, split_header
from bot.settings import ChunkingSettings
from conftest import encrypt_pdf, make_docx, make_image_pdf, make_pdf, make_scanned_pdf

PAGE_1 = ("Trang một: Hội nghị tổng kết công tác dân vận năm 2023 được tổ chức tại Hà Nội "
          "với sự tham gia của nhiều đại biểu.")
PAGE_2 = ("Trang hai: Ban Thanh tra nhân dân giám sát việc thực hiện hương ước, quy ước "
          "của cộng đồng dân cư ở thôn.")


def load(path: Path, max_file_mb: float = 50.0):
    return load_document(path, path.parent, max_file_mb)


def load_error(path: Path, max_file_mb: float = 50.0) -> LoadError:
    with pytest.raises(LoadError) as info:
        load(path, max_file_mb)
    return info.value


def cp1258_bytes(text: str) -> bytes:
    """Vietnamese in Windows-1258: base letter (with its vowel modifier) + combining tone mark."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in decomposed if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every PDF case, generated once."""
    folder = tmp_path_factory.mktemp("pdfs")
    two = make_pdf(folder / "two-pages.pdf", [PAGE_1, PAGE_2], title="Báo cáo công tác dân vận")
    encrypt_pdf(two, folder / "locked.pdf", user_password="mat-khau-123")
    encrypt_pdf(two, folder / "owner-only.pdf", user_password="")
    data = two.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (folder / "not-a-pdf.pdf").write_bytes(b"This file only pretends to be a PDF. " * 20)
    make_scanned_pdf(folder / "scanned.pdf")
    make_pdf(folder / "legal.pdf", [
        "Điều 1. Phạm vi điều chỉnh\nQuy chế này quy định việc thực hiện dân chủ ở cơ quan.",
        "Điều 2. Đối tượng áp dụng\nCán bộ, công chức, viên chức và người lao động của cơ quan.",
    ], title="Quy chế dân chủ ở cơ quan")
    return folder


# --- Plain text, Markdown, HTML -----------------------------------------------------------------

def test_txt_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bai-viet.txt"
    path.write_text("Hội nghị dân vận khéo\n\nĐại biểu đã thảo luận về công tác dân vận.\n", encoding="utf-8")
    doc = load(path)
    assert doc.id == "bai-viet.txt"
    assert doc.type == "txt"
    assert doc.title == "Hội nghị dân vận khéo"
    assert doc.text == "Hội nghị dân vận khéo\n\nĐại biểu đã thảo luận về công tác dân vận."
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.pages == [] and doc.meta == {}


@pytest.mark.parametrize("raw, expected", [
    ("\ufeffCó BOM ở đầu tệp.".encode("utf-8"), "Có BOM ở đầu tệp."),
    ("Văn bản UTF-16 có BOM.".encode("utf-16"), "Văn bản UTF-16 có BOM."),
    (cp1258_bytes("Hội nghị dân vận tổ chức tại thôn Đông."), "Hội nghị dân vận tổ chức tại thôn Đông."),
    (unicodedata.normalize("NFD", "Uỷ ban nhân dân xã").encode("utf-8"), "Uỷ ban nhân dân xã"),
    ("Dòng một\r\nDòng hai\r\n".encode("utf-8"), "Dòng một\nDòng hai"),
])
def test_txt_encodings_end_as_nfc(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "van-ban.txt"
    path.write_bytes(raw)
    doc = load(path)
    assert doc.text == expected
    assert unicodedata.is_normalized("NFC", doc.text)


SENTENCE = "Hội nghị dân vận tổ chức tại thôn Đông, người dân được bàn và quyết định trực tiếp."


def tcvn3_bytes(text: str) -> bytes:
    """Vietnamese in TCVN3 (ABC): one byte per letter."""
    from bot.documents.loaders import _TCVN3

    to_tcvn3 = {unicode: chr(code) for code, unicode in _TCVN3.items()}
    return "".join(to_tcvn3.get(c, c) for c in text).encode("latin-1")


def test_tcvn3_text_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "van-ban-cu.txt"
    path.write_bytes(tcvn3_bytes(SENTENCE))
    assert load(path).text == SENTENCE


def test_vni_text_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "van-ban-vni.txt"  # the same sentence typed in the VNI font encoding
    path.write_bytes("Hoäi nghò daân vaän toå chöùc taïi thoân Ñoâng, ngöôøi daân ñöôïc baøn vaø quyeát ñònh "
                     "tröïc tieáp.".encode("cp1252"))
    error = load_error(path)
    assert error.reason == "legacy_encoding" and "VNI" in error.message_vi and "Unikey" in error.message_vi


def test_txt_with_undecodable_bytes_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "hong.txt"
    path.write_bytes(b"abc \x81\x8d\x8e\x8f\x90 xyz")
    error = load_error(path)
    assert error.reason == "encoding"
    assert "UTF-8" in error.message_vi


def test_markdown_with_regulation_header(tmp_path: Path) -> None:
    path = tmp_path / "nghi-quyet.md"
    path.write_text("Tiêu đề: Nghị quyết về công tác dân vận\nSố hiệu: 25-NQ/TW\nLoại văn bản: Nghị quyết\n"
                    "Ngày ban hành: 03/6/2013\n---\n# Nội dung\n\nTăng cường công tác dân vận của Đảng.\n",
                    encoding="utf-8")
    doc = load(path)
    assert doc.type == "md"
    assert doc.title == "Nghị quyết về công tác dân vận"
    assert doc.meta == {"title": "Nghị quyết về công tác dân vận", "number": "25-NQ/TW", "kind": "Nghị quyết",
                        "issued": "03/6/2013"}
    assert doc.text == "# Nội dung\n\nTăng cường công tác dân vận của Đảng."


@pytest.mark.parametrize("text, meta, body", [
    ("Tiêu đề: X\nSố hiệu: 1/2023/NĐ-CP\n---\nThân", {"title": "X", "number": "1/2023/NĐ-CP"}, "Thân"),
    ("Tiêu đề: X\nCơ quan ban hành: Chính phủ\nĐầy đủ: có\n---\nA\nB",
     {"title": "X", "issuer": "Chính phủ", "completeness": "có"}, "A\nB"),
    ("Tiêu đề: X\nKhóa lạ: giá trị\n----\nThân", {"title": "X", "khóa lạ": "giá trị"}, "Thân"),
    # No closing '---': not a header, the text stays whole.
    ("Tiêu đề: X\nThân bài không có dấu kết thúc", {}, "Tiêu đề: X\nThân bài không có dấu kết thúc"),
    # A ruler with nothing before it is not a header either.
    ("---\nThân", {}, "---\nThân"),
    # A first line that is not 'key: value' means no header.
    ("Bài viết thường\nTác giả: A\n---\nThân", {}, "Bài viết thường\nTác giả: A\n---\nThân"),
])
def test_split_header(text: str, meta: dict, body: str) -> None:
    assert split_header(text) == (meta, body)


def test_html_drops_scripts_navigation_and_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "tin-tuc.html"
    path.write_text(
        "<html><head><title>Tựa đề trang</title><style>p{color:red}</style>"
        "<script>var tracking = 1;</script></head><body>"
        "<nav>Trang chủ | Tin tức</nav><header>Báo điện tử</header>"
        "<h1>Hội nghị dân vận khéo</h1>"
        "<p>Đoạn một nói về dân vận.<br>Dòng hai của đoạn một.</p>"
        "<div><p>Đoạn hai: Mặt trận Tổ quốc phối hợp tổ chức.</p></div>"
        "<p>Gửi bình luận của bạn</p><p>http://example.org/bai-viet</p>"
        "<footer>Bản quyền thuộc về tòa soạn</footer></body></html>", encoding="utf-8")
    doc = load(path)
    assert doc.type == "html"
    assert doc.title == "Hội nghị dân vận khéo"
    assert "Đoạn một nói về dân vận.\nDòng hai của đoạn một." in doc.text
    assert "Đoạn hai: Mặt trận Tổ quốc phối hợp tổ chức." in doc.text
    for gone in ["tracking", "color", "Trang chủ", "Báo điện tử", "Bản quyền", "Gửi bình luận", "http://",
                 "Tựa đề trang"]:
        assert gone not in doc.text


def test_htm_title_falls_back_to_title_tag(tmp_path: Path) -> None:
    path = tmp_path / "trang.htm"
    path.write_text("<html><head><title>Tựa đề trong thẻ title</title></head>"
                    "<body><p>Nội dung trang về công tác dân vận.</p></body></html>", encoding="utf-8")
    doc = load(path)
    assert doc.type == "html"
    assert doc.title == "Tựa đề trong thẻ title"
    assert doc.text == "Nội dung trang về công tác dân vận."


# --- DOCX -------------------------------------------------------------------------------------

def test_docx_paragraphs_tables_and_heading_title(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "quy-che.docx", [
        ("Quy chế dân chủ ở cơ quan", "Heading 1"),
        ("Điều 1. Phạm vi điều chỉnh", None),
        ("Quy chế này quy định việc thực hiện dân chủ trong hoạt động của cơ quan.", None),
        ("Điều 2. Đối tượng áp dụng", None),
        ("Cán bộ, công chức, viên chức và người lao động của cơ quan.", None),
    ], table=[["Họ tên", "Chức vụ"], ["Nguyễn Văn A", "Trưởng ban"]], title="")
    doc = load(path)
    assert doc.type == "docx"
    assert doc.title == "Quy chế dân chủ ở cơ quan"
    assert doc.text.split("\n") == [
        "Quy chế dân chủ ở cơ quan",
        "Điều 1. Phạm vi điều chỉnh",
        "Quy chế này quy định việc thực hiện dân chủ trong hoạt động của cơ quan.",
        "Điều 2. Đối tượng áp dụng",
        "Cán bộ, công chức, viên chức và người lao động của cơ quan.",
        "Họ tên | Chức vụ",
        "Nguyễn Văn A | Trưởng ban",
    ]
    chunks = chunk_document(doc, ChunkingSettings())
    assert [c.heading for c in chunks] == ["", "Quy chế dân chủ ở cơ quan › Điều 1",
                                           "Quy chế dân chủ ở cơ quan › Điều 2"]
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)


def test_docx_core_title_wins(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx", [("Đoạn văn về dân vận khéo ở cơ sở.", None)], title="Tiêu đề trong thuộc tính")
    assert load(path).title == "Tiêu đề trong thuộc tính"


@pytest.mark.parametrize("maker", ["garbage", "text", "zip-without-docx-parts"])
def test_corrupt_docx(tmp_path: Path, maker: str) -> None:
    path = tmp_path / "hong.docx"
    if maker == "garbage":
        path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    elif maker == "text":
        path.write_text("chỉ là văn bản đổi đuôi thành docx", encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "xin chào")
    error = load_error(path)
    assert error.reason == "corrupt"
    assert "hỏng" in error.message_vi and "xuất lại" in error.message_vi


def test_docx_zip_bomb_is_refused_without_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (25 * 1024 * 1024))  # 25 MB that packs to ~25 KB
    assert path.stat().st_size < 100_000
    error = load_error(path, max_file_mb=1)  # unpacked limit: 20 x the file limit
    assert error.reason == "zip_bomb" and "độc hại" in error.message_vi


def test_empty_docx_is_empty(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "rong.docx", [("", None)])
    assert load_error(path).reason == "empty"


# --- PDF --------------------------------------------------------------------------------------

def test_pdf_two_pages(pdf_dir: Path) -> None:
    doc = load(pdf_dir / "two-pages.pdf")
    assert doc.type == "pdf"
    assert doc.title == "Báo cáo công tác dân vận"
    assert [p.number for p in doc.pages] == [1, 2]
    page_1 = doc.text[doc.pages[0].start:doc.pages[0].end]
    page_2 = doc.text[doc.pages[1].start:doc.pages[1].end]
    assert " ".join(page_1.split()) == PAGE_1
    assert " ".join(page_2.split()) == PAGE_2
    assert doc.pages[0].end <= doc.pages[1].start
    assert doc.page_at(doc.text.index("Hội nghị")) == 1
    assert doc.page_at(doc.text.index("hương ước")) == 2
    assert doc.meta == {}


def test_pdf_chunks_know_their_page(pdf_dir: Path) -> None:
    doc = load(pdf_dir / "legal.pdf")
    assert doc.title == "Quy chế dân chủ ở cơ quan"
    chunks = chunk_document(doc, ChunkingSettings())
    assert [c.heading for c in chunks] == ["Quy chế dân chủ ở cơ quan › Điều 1", "Quy chế dân chủ ở cơ quan › Điều 2"]
    assert [c.page for c in chunks] == [1, 2]
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)


def test_pdf_with_empty_user_password_loads(pdf_dir: Path) -> None:
    doc = load(pdf_dir / "owner-only.pdf")
    assert "Hội nghị tổng kết công tác dân vận" in doc.text
    assert len(doc.pages) == 2


def test_pdf_with_user_password_is_refused(pdf_dir: Path) -> None:
    error = load_error(pdf_dir / "locked.pdf")
    assert error.reason == "encrypted"
    assert "mật khẩu" in error.message_vi


def test_scanned_pdf_asks_for_ocr(pdf_dir: Path) -> None:
    error = load_error(pdf_dir / "scanned.pdf")
    assert error.reason == "scanned"
    assert "OCR" in error.message_vi


def tesseract_has(language: str) -> bool:
    from bot.documents.ocr import OcrUnavailable, check_ocr

    try:
        check_ocr(language)
        return True
    except OcrUnavailable:
        return False


SCAN_LINES = ["Điều 3. Hương ước, quy ước", "Hương ước, quy ước do cộng đồng dân cư", "thỏa thuận xây dựng và thông qua."]


@pytest.mark.skipif(not tesseract_has("vie"), reason="needs tesseract-ocr and tesseract-ocr-vie")
def test_scanned_pdf_is_read_with_ocr_when_enabled(tmp_path: Path) -> None:
    path = make_image_pdf(tmp_path / "ban-scan.pdf", SCAN_LINES)
    assert load_error(path).reason == "scanned"  # OCR is off by default
    doc = load_document(path, tmp_path, 50, ocr_language="vie")
    assert "Hương ước" in doc.text and "cộng đồng dân cư" in doc.text
    assert doc.pages and doc.pages[0].number == 1


@pytest.mark.parametrize(("ocr_language", "reason"), [
    ("vie", "ocr_empty"),              # a page with no image at all: nothing to read
    ("khong-co-ngon-ngu", "ocr_unavailable"),  # language data not installed
])
def test_ocr_failures_say_what_to_do(pdf_dir: Path, ocr_language: str, reason: str) -> None:
    if reason == "ocr_empty" and not tesseract_has("vie"):
        pytest.skip("needs tesseract-ocr and tesseract-ocr-vie")
    with pytest.raises(LoadError) as info:
        load_document(pdf_dir / "scanned.pdf", pdf_dir, 50, ocr_language=ocr_language)
    assert info.value.reason == reason
    assert "tesseract" in info.value.message_vi.lower() or "scan" in info.value.message_vi


@pytest.mark.parametrize("name", ["truncated.pdf", "not-a-pdf.pdf"])
def test_corrupt_pdf(pdf_dir: Path, name: str) -> None:
    error = load_error(pdf_dir / name)
    assert error.reason == "corrupt"
    assert "hỏng" in error.message_vi
    assert str(error).startswith("corrupt")


# --- Files that are not documents ---------------------------------------------------------------

@pytest.mark.parametrize("name, content", [
    ("rong.txt", b""),
    ("trang.md", b"   \n\n \t "),
    ("chi-co-rac.txt", "leftcenterrightdel\nGửi bình luận của bạn\nhttp://x.vn/a\n-----\n".encode()),
    ("chi-script.html", b"<html><head><script>var x=1;</script></head><body><nav>menu</nav></body></html>"),
    ("chi-header.txt", "Tiêu đề: Văn bản rỗng\nSố hiệu: 1/2023/NĐ-CP\n---\n\n".encode()),
])
def test_empty_files(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = load_error(path)
    assert error.reason == "empty"
    assert "rỗng" in error.message_vi


@pytest.mark.parametrize("name, shown", [
    ("bang-tinh.xlsx", ".xlsx"),
    ("van-ban.doc", ".doc"),
    ("anh.PNG", ".png"),
    ("khong-duoi", "khong-duoi"),
])
def test_unsupported_extension(tmp_path: Path, name: str, shown: str) -> None:
    path = tmp_path / name
    path.write_text("nội dung", encoding="utf-8")
    error = load_error(path)
    assert error.reason == "unsupported"
    assert shown in error.message_vi
    assert "PDF" in error.message_vi and "DOCX" in error.message_vi


@pytest.mark.parametrize("source, name", [
    ("two-pages.pdf", "bao-cao-pdf.txt"),  # a PDF saved with a text extension
    ("quy-che.docx", "quy-che-docx.md"),  # a DOCX saved as Markdown
    ("plain-text", "van-ban.pdf"),  # text saved with a PDF extension
    ("plain-text", "van-ban.docx"),
])
def test_wrong_extension_fails_instead_of_loading_garbage(pdf_dir: Path, tmp_path: Path, source: str,
                                                          name: str) -> None:
    path = tmp_path / name
    if source == "plain-text":
        path.write_text("Đây là văn bản thường về công tác dân vận, không phải tệp nhị phân.", encoding="utf-8")
    elif source.endswith(".docx"):
        path.write_bytes(make_docx(tmp_path / source, [("Hội nghị dân vận khéo ở cơ sở.", None)]).read_bytes())
    else:
        path.write_bytes((pdf_dir / source).read_bytes())
    error = load_error(path)
    assert error.reason in {"corrupt", "encoding", "wrong_type"}
    if error.reason == "wrong_type":  # the bytes say what they are: a PDF or a zip under another name
        assert "đổi đuôi" in error.message_vi
    assert error.message_vi


@pytest.mark.parametrize("name", ["DOC.TXT", "Trang.HTML", "Van-ban.Md"])
def test_extension_is_case_insensitive(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("<p>Nội dung văn bản về công tác dân vận.</p>" if "HTML" in name
                    else "Nội dung văn bản về công tác dân vận.", encoding="utf-8")
    assert "công tác dân vận" in load(path).text


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "lon.txt"
    path.write_text("Công tác dân vận. " * 2000, encoding="utf-8")
    error = load_error(path, max_file_mb=0.01)
    assert error.reason == "too_large"
    assert "quá lớn" in error.message_vi and "MB" in error.message_vi
    # The same file is fine under a normal limit.
    assert load(path, max_file_mb=1).text


def test_oversized_check_happens_before_reading_a_pdf(pdf_dir: Path) -> None:
    assert load_error(pdf_dir / "not-a-pdf.pdf", max_file_mb=0.0001).reason == "too_large"


def test_every_reason_has_a_vietnamese_message() -> None:
    assert set(MESSAGES_VI) == {"too_large", "unsupported", "empty", "encrypted", "scanned", "corrupt", "encoding",
                                "legacy_encoding", "wrong_type", "zip_bomb", "ocr_unavailable", "ocr_empty"}
    for reason in MESSAGES_VI:
        error = LoadError(reason, "chi tiết", size=60.0, limit=50.0, ext=".xyz", name="VNI", actual="tệp PDF")
        assert error.reason == reason
        assert error.message_vi and "{" not in error.message_vi
