"""Legal structure parsing and chunking, on the demo corpus files and on small inline texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.documents.chunking import prose_sections, chunk_document
from bot.documents.loaders import load_document
from bot.documents.model import Document
from bot.documents.structure import DOC_NUMBER, doc_label, is_legal, parse_articles, referred_articles
from bot.settings import ChunkingSettings
from conftest import CORPUS, DECREE_59, DECREE_61, LAW, NEWS_000, NEWS_003

CORPUS_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".txt")
BOILERPLATE = ["leftcenterrightdel", "Gửi bình luận của bạn", "Tìm theo ngày", "Di chuột vào ngôi sao",
               "http://", "https://", "-----"]


@pytest.fixture(scope="module")
def corpus_docs() -> dict[str, Document]:
    return {name: load_document(CORPUS / name, CORPUS, 50) for name in CORPUS_FILES}


@pytest.fixture(scope="module")
def corpus_chunks(corpus_docs):
    return {name: chunk_document(doc, ChunkingSettings()) for name, doc in corpus_docs.items()}


# --- DOC_NUMBER and labels --------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("Chỉ thị 16/CT-TTg ngày 16 tháng 5 năm 2016", "16/CT-TTg"),
    ("Luật số 10/2022/QH15.", "10/2022/QH15"),
    ("theo Nghị định 59/2023/NĐ-CP,", "59/2023/NĐ-CP"),
    ("Nghị định 61/2023/NĐ-CP về hương ước", "61/2023/NĐ-CP"),
    ("Nghị quyết số 25-NQ/TW của Ban Chấp hành", "25-NQ/TW"),
    ("Pháp lệnh số 34/2007/PL-UBTVQH11 ngày 20 tháng 4", "34/2007/PL-UBTVQH11"),
    ("Quyết định 217-QĐ/TW", "217-QĐ/TW"),
    ("Thông tư 04/2018/TT-BNV", "04/2018/TT-BNV"),
])
def test_doc_number_matches_whole(text: str, number: str) -> None:
    assert DOC_NUMBER.findall(text) == [number]


@pytest.mark.parametrize("text, articles", [
    ("nội dung quy định tại khoản 1 và khoản 2 Điều 15 của Luật này được thông qua", {"15": {"1", "2"}}),
    ("nội dung quy định tại các khoản 3, 4, 5 và 6 Điều 15 của Luật này", {"15": {"3", "4", "5", "6"}}),
    ("theo quy định tại các điều 8, 9 và 10 Nghị định này", {"8": set(), "9": set(), "10": set()}),
    ("quy định tại Điều 4 Nghị định này và Điều 12 Nghị định này", {"4": set(), "12": set()}),
    ("Điều 41 và Điều 42 của Luật này", {"41": set(), "42": set()}),
    ("khoản 1 Điều 15 và Điều 19 của Luật này", {"15": {"1"}, "19": set()}),
    ("Điều 15, Điều 16 hoặc Điều 17 Luật này", {"15": set(), "16": set(), "17": set()}),
    ("từ Điều 18 đến Điều 21 của Luật này", {"18": set(), "19": set(), "20": set(), "21": set()}),
    ("từ khoản 1 đến khoản 3 Điều 15 của Luật này", {"15": {"1", "2", "3"}}),
    ("điểm a khoản 1 Điều 7 Nghị định này", {"7": {"1"}}),
    ("theo Điều 5a của Bộ luật này", {"5a": set()}),
    ("tại Điều 15 của Luật này và khoản 2 Điều 15 của Luật này", {"15": set()}),  # the whole article
    ("theo quy định tại các điều 20 và 21 Luật Thực hiện dân chủ ở cơ sở", {}),  # another document's
    ("trừ trường hợp quy định tại khoản 2 Điều này", {}),  # its own article
    ("theo Mẫu số 03 tại Phụ lục ban hành kèm theo Nghị định này", {}),
    ("Điều 15. Những nội dung Nhân dân bàn và quyết định", {}),
])
def test_referred_articles_are_those_of_the_same_document(text: str, articles: dict[str, set[str]]) -> None:
    assert referred_articles(text) == articles


@pytest.mark.parametrize("text", ["ngày 01/7/2023", "tỷ lệ 2/3 số hộ", "năm 2022", "khoản 4 Điều 23"])
def test_doc_number_ignores_dates_and_fractions(text: str) -> None:
    assert DOC_NUMBER.findall(text) == []


@pytest.mark.parametrize("title, number, label", [
    ("Luật Thực hiện dân chủ ở cơ sở", "10/2022/QH15", "Luật 10/2022/QH15"),
    ("Nghị định về xây dựng và thực hiện hương ước", "61/2023/NĐ-CP", "Nghị định 61/2023/NĐ-CP"),
    ("Bộ luật Lao động", "45/2019/QH14", "Bộ luật 45/2019/QH14"),
    ("Chỉ thị 16/CT-TTg về tăng cường công tác dân vận", None, "Chỉ thị 16/CT-TTg"),
    ("Tài liệu hướng dẫn số 25-NQ/TW", None, "Văn bản 25-NQ/TW"),
    ("Bài báo về dân vận khéo", None, "Bài báo về dân vận khéo"),
])
def test_doc_label(title: str, number: str | None, label: str) -> None:
    assert doc_label(title, number) == label


@pytest.mark.parametrize("text, expected", [
    ("Điều 1. Phạm vi\nNội dung.\nĐiều 2. Đối tượng\nNội dung.", True),
    ("Điều 1. Phạm vi\nNội dung.", False),
    ("Theo Điều 1. và Điều 2. của Luật", False),  # references inside a line are not headings
    ("Bài viết về công tác dân vận.", False),
])
def test_is_legal(text: str, expected: bool) -> None:
    assert is_legal(text) is expected


# --- Inline legal text ------------------------------------------------------------------------

LEGAL_TEXT = """LUẬT MẪU VỀ CÔNG TÁC DÂN VẬN
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam.

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Luật này quy định về công tác dân vận ở cơ sở.

Điều 2. Giải thích từ ngữ
1. Dân vận là vận động nhân dân thực hiện chủ trương của Đảng và chính sách của Nhà nước.
2. Cơ sở là xã, phường, thị trấn và cộng đồng dân cư trên địa bàn.
3. Tổ dân vận là tổ chức tự quản của thôn, tổ dân phố do cộng đồng bầu ra.

Chương II. TỔ CHỨC THỰC HIỆN
Mục 1. CẤP XÃ
Điều 3. Trách nhiệm của Ủy ban nhân dân cấp xã
1. Ủy ban nhân dân cấp xã tổ chức hội nghị dân vận mỗi năm ít nhất hai lần để lắng nghe ý kiến của Nhân dân về các vấn đề ở địa phương.
2. Chủ tịch Ủy ban nhân dân cấp xã thực hiện các việc sau đây:
a) Tiếp công dân định kỳ mỗi tháng một lần tại trụ sở Ủy ban nhân dân;
b) Trả lời kiến nghị của Nhân dân trong thời hạn mười lăm ngày kể từ ngày nhận được;
c) Báo cáo kết quả thực hiện với Hội đồng nhân dân cùng cấp vào kỳ họp cuối năm.
3. Công chức văn hóa - xã hội giúp Ủy ban nhân dân cấp xã theo dõi việc thực hiện.
Mục 2. CẤP HUYỆN
Tiểu mục 1. ỦY BAN NHÂN DÂN
Điều 3a. Trách nhiệm của Ủy ban nhân dân cấp huyện
Ủy ban nhân dân cấp huyện hướng dẫn, kiểm tra việc thực hiện công tác dân vận ở cấp xã.
Chương III
ĐIỀU KHOẢN THI HÀNH
Điều 4. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2025.
"""


def legal_doc(text: str = LEGAL_TEXT, number: str | None = "99/2024/QH15") -> Document:
    return Document(id="luat-mau.txt", title="Luật Công tác dân vận mẫu", type="txt", sha256="0" * 64,
                    text=text, meta={"number": number} if number else {})


def test_parse_articles_sections_and_titles() -> None:
    articles, preamble_end = parse_articles(LEGAL_TEXT)
    assert [a.number for a in articles] == ["1", "2", "3", "3a", "4"]
    assert [a.title for a in articles] == ["Phạm vi điều chỉnh", "Giải thích từ ngữ",
                                           "Trách nhiệm của Ủy ban nhân dân cấp xã",
                                           "Trách nhiệm của Ủy ban nhân dân cấp huyện", "Hiệu lực thi hành"]
    assert [a.sections for a in articles] == [
        ["Chương I"], ["Chương I"], ["Chương II", "Mục 1"], ["Chương II", "Mục 2", "Tiểu mục 1"], ["Chương III"]]
    # A title on the line after the heading is attached to it; a title on the same line too.
    assert articles[0].section_titles == ["Chương I. QUY ĐỊNH CHUNG"]
    assert articles[2].section_titles == ["Chương II. TỔ CHỨC THỰC HIỆN", "Mục 1. CẤP XÃ"]
    assert articles[4].section_titles == ["Chương III. ĐIỀU KHOẢN THI HÀNH"]
    assert LEGAL_TEXT[:preamble_end].strip() == (
        "LUẬT MẪU VỀ CÔNG TÁC DÂN VẬN\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam.")


def test_parse_articles_spans_are_trimmed_and_stop_before_next_heading() -> None:
    articles, _ = parse_articles(LEGAL_TEXT)
    for art in articles:
        body = LEGAL_TEXT[art.start:art.end]
        assert body.startswith(f"Điều {art.number}.")
        assert body == body.rstrip()
        assert "Chương" not in body and "Mục " not in body
    assert LEGAL_TEXT[articles[-1].start:articles[-1].end].endswith("ngày 01 tháng 7 năm 2025.")


def test_inline_legal_chunks_one_per_short_article_with_heading_paths() -> None:
    doc = legal_doc()
    chunks = chunk_document(doc, ChunkingSettings())
    assert [c.heading for c in chunks] == [
        "",  # the preamble: prose, named by its context
        "Luật 99/2024/QH15 › Chương I › Điều 1",
        "Luật 99/2024/QH15 › Chương I › Điều 2",
        "Luật 99/2024/QH15 › Chương II › Mục 1 › Điều 3",
        "Luật 99/2024/QH15 › Chương II › Mục 2 › Tiểu mục 1 › Điều 3a",
        "Luật 99/2024/QH15 › Chương III › Điều 4",
    ]
    assert chunks[0].context == "Luật 99/2024/QH15" and chunks[0].text.startswith("LUẬT MẪU")
    assert chunks[3].context == ("Luật Công tác dân vận mẫu (99/2024/QH15) › Chương II. TỔ CHỨC THỰC HIỆN › "
                                 "Mục 1. CẤP XÃ › Điều 3. Trách nhiệm của Ủy ban nhân dân cấp xã")
    assert chunks[3].embedding_text() == chunks[3].context + "\n" + chunks[3].text
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text


def test_inline_legal_long_article_is_cut_at_clauses() -> None:
    doc = legal_doc()
    chunks = chunk_document(doc, ChunkingSettings(legal_max_words=40))
    by_heading = {c.heading: c for c in chunks}
    assert "Luật 99/2024/QH15 › Chương I › Điều 2 › khoản 1" in by_heading
    assert "Luật 99/2024/QH15 › Chương I › Điều 2 › khoản 2–3" in by_heading
    assert by_heading["Luật 99/2024/QH15 › Chương I › Điều 2 › khoản 2–3"].text.startswith("2. Cơ sở là")
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text.split()) <= 40 * 1.15


def test_inline_legal_long_clause_is_cut_at_points() -> None:
    doc = legal_doc()
    chunks = chunk_document(doc, ChunkingSettings(legal_max_words=40))
    headings = [c.heading for c in chunks]
    assert any("khoản 2 › điểm" in h for h in headings), headings
    # Every chunk of khoản 2 starts at a line start (its intro line or a point), never mid-line.
    for chunk in chunks:
        if "khoản 2" in chunk.heading and "Điều 3" in chunk.heading:
            assert chunk.start == 0 or doc.text[chunk.start - 1] == "\n", chunk.text


def test_inline_legal_without_number_uses_title() -> None:
    chunks = chunk_document(legal_doc(number=None), ChunkingSettings())
    assert chunks[1].heading == "Luật Công tác dân vận mẫu › Chương I › Điều 1"


def test_prose_is_packed_from_sentences() -> None:
    sentences = [f"Câu số {i} nói về công tác dân vận ở cơ sở trong năm nay." for i in range(1, 61)]
    text = "\n".join(" ".join(sentences[i:i + 5]) for i in range(0, 60, 5))
    doc = Document(id="bai.txt", title="Bài viết", type="txt", sha256="1" * 64, text=text)
    cfg = ChunkingSettings(prose_target_words=60, prose_max_words=90, prose_overlap_sentences=1)
    chunks = chunk_document(doc, cfg)
    assert len(chunks) > 3
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(c.heading == "" and c.context == "Bài viết" for c in chunks)
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text.split()) <= 90 * 1.15
        assert chunk.text.startswith("Câu số") and chunk.text.endswith("năm nay.")
    # Consecutive chunks share one sentence (overlap) and together cover the text.
    for previous, current in zip(chunks, chunks[1:]):
        assert current.start < previous.end
    assert chunks[0].start == 0 and chunks[-1].end == len(text)


def test_chunk_ids_depend_on_content_hash() -> None:
    doc = legal_doc()
    first = chunk_document(doc, ChunkingSettings())
    again = chunk_document(legal_doc(), ChunkingSettings())
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    changed = Document(**{**vars(legal_doc()), "sha256": "f" * 64})
    assert not {c.id for c in chunk_document(changed, ChunkingSettings())} & {c.id for c in first}


# --- Demo corpus ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CORPUS_FILES)
def test_span_invariant_on_corpus(name: str, corpus_docs, corpus_chunks) -> None:
    doc, chunks = corpus_docs[name], corpus_chunks[name]
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip() and not chunk.text[0].isspace()
        assert chunk.doc_id == name
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_chunks_cover_the_text(name: str, corpus_docs, corpus_chunks) -> None:
    """No words are lost: every article (legal) or every character (prose) is in some chunk."""
    doc, chunks = corpus_docs[name], corpus_chunks[name]
    covered = bytearray(len(doc.text))
    for chunk in chunks:
        covered[chunk.start:chunk.end] = b"\x01" * (chunk.end - chunk.start)
    if is_legal(doc.text):
        articles, _ = parse_articles(doc.text)
        positions = [i for a in articles for i in range(a.start, a.end)]
    else:
        positions = range(len(doc.text))
    missing = [i for i in positions if not covered[i] and not doc.text[i].isspace()]
    assert not missing, doc.text[missing[0]:missing[0] + 60]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_chunk_size_limits_on_corpus(name: str, corpus_chunks) -> None:
    cfg = ChunkingSettings()
    for chunk in corpus_chunks[name]:
        # A short tail may join its neighbour: up to 15 % over the limit.
        assert len(chunk.text.split()) <= max(cfg.prose_max_words, cfg.legal_max_words) * 1.15


@pytest.mark.parametrize("name", [n for n in CORPUS_FILES if n[:3].isdigit()])
def test_boilerplate_gone_from_seed_chunks(name: str, corpus_chunks) -> None:
    raw = (CORPUS / name).read_text(encoding="utf-8")
    for chunk in corpus_chunks[name]:
        for marker in BOILERPLATE:
            assert marker not in chunk.text, (marker, chunk.text[:80])
    if name in (NEWS_000, NEWS_003):
        assert "leftcenterrightdel" in raw or "Di chuột vào ngôi sao" in raw  # the test means something


def test_raw_boilerplate_of_003_is_removed(corpus_docs) -> None:
    doc = corpus_docs[NEWS_003]
    lines = doc.text.split("\n")
    assert "Đánh giá" not in [line.strip() for line in lines]
    assert "(Di chuột vào ngôi sao để chọn điểm)" not in doc.text


@pytest.mark.parametrize("name, number, title", [
    (LAW, "10/2022/QH15", "Luật Thực hiện dân chủ ở cơ sở"),
    (DECREE_59, "59/2023/NĐ-CP", "Nghị định quy định chi tiết một số điều của Luật Thực hiện dân chủ ở cơ sở"),
    (DECREE_61, "61/2023/NĐ-CP", "Nghị định về xây dựng và thực hiện hương ước, quy ước của cộng đồng dân cư"),
])
def test_regulation_header_is_metadata_not_text(name: str, number: str, title: str, corpus_docs,
                                                corpus_chunks) -> None:
    doc = corpus_docs[name]
    assert doc.meta["number"] == number
    assert doc.meta["title"] == title
    assert doc.title == title
    assert doc.meta["issuer"] in ("Quốc hội", "Chính phủ")
    assert "Ngày ban hành" not in doc.text and "Cơ quan ban hành" not in doc.text
    assert not doc.text.startswith("Tiêu đề")
    for chunk in corpus_chunks[name]:
        assert "Tiêu đề:" not in chunk.text and "Số hiệu:" not in chunk.text and "Nguồn:" not in chunk.text


def test_law_heading_paths(corpus_chunks) -> None:
    headings = [c.heading for c in corpus_chunks[LAW]]
    assert headings[0] == "Luật 10/2022/QH15 › Chương I › Điều 1"
    assert "Luật 10/2022/QH15 › Chương II › Mục 1 › Điều 11 › khoản 1–3" in headings
    assert "Luật 10/2022/QH15 › Chương II › Mục 2 › Điều 15" in headings
    assert all(h.startswith("Luật 10/2022/QH15 › Chương ") for h in headings)
    # All 91 articles are there.
    articles = {re.search(r"Điều \d+", h).group(0) for h in headings}
    assert {f"Điều {n}" for n in range(1, 92)} <= articles


def test_law_clause_chunks_start_at_their_clause(corpus_chunks) -> None:
    problems = []
    for chunk in corpus_chunks[LAW]:
        last = chunk.heading.split(" › ")[-1]
        if last.startswith("khoản "):
            first_clause = last.split(" ")[1].split("–")[0]
            if not chunk.text.startswith((f"{first_clause}. ", "Điều ")):
                problems.append((chunk.heading, chunk.text[:40]))
        if re.search(r"\n\d+\.$", chunk.text.rstrip()):
            problems.append((chunk.heading, "ends with " + chunk.text.rstrip()[-10:]))
    assert not problems


@pytest.mark.parametrize("name, label", [(DECREE_59, "Nghị định 59/2023/NĐ-CP"), (DECREE_61, "Nghị định 61/2023/NĐ-CP")])
def test_decree_heading_paths(name: str, label: str, corpus_chunks) -> None:
    headings = [c.heading for c in corpus_chunks[name]]
    assert headings[0] == f"{label} › Điều 1"
    assert all(h.startswith(f"{label} › Điều ") for h in headings)


def test_news_chunks_carry_the_section_they_sit_in(corpus_chunks, corpus_docs) -> None:
    """Only 003 has sections (three headings); captions, dates and bylines head none."""
    sections = {"003_f149c6c5f599da1f.txt": ["Đổi mới sự lãnh đạo của Đảng trong công tác dân vận",
                                             "Nâng cao trách nhiệm công tác dân vận của đảng bộ cơ sở",
                                             "Luật Thực hiện dân chủ ở cơ sở - nền tảng pháp lý quan trọng"]}
    for name in CORPUS_FILES:
        if name[:3].isdigit():
            doc, chunks = corpus_docs[name], corpus_chunks[name]
            assert not is_legal(doc.text)
            headings = [c.heading for c in chunks]
            assert [h for h in dict.fromkeys(headings) if h] == [f"{doc.title} › {s}" for s in sections.get(name, [])]
            for chunk in chunks:  # the heading names the document, as a legal chunk's does
                assert chunk.context == (chunk.heading or doc.title)


@pytest.mark.parametrize("line, after, heading", [
    ("Đổi mới sự lãnh đạo của Đảng trong công tác dân vận", "Tại Hội nghị, " + "đồng chí " * 20 + ".", True),
    ("Quang cảnh Hội nghị.", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),  # a caption, closed by a full stop
    ("Toàn cảnh hội nghị", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),  # a photo caption
    ("Thứ hai, 13/05/2024 10:45", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),  # a date
    ("Đổi mới sự lãnh đạo của Đảng", "Ngắn thôi.", False),  # no paragraph follows
    ("các giải pháp sau", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),  # not capitalised: a broken line
    ("Một " + "dòng rất dài " * 8, "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),  # too long for a heading
    # numbered and all-caps headings of a resolution
    ("1. Mục tiêu", "Tại Hội nghị, " + "đồng chí " * 20 + ".", True),
    ("II. NHIỆM VỤ VÀ GIẢI PHÁP", "Tại Hội nghị, " + "đồng chí " * 20 + ".", True),
    # captions, bylines, dates, quotes, a PDF line broken mid-sentence
    ("Thủ tướng Phạm Minh Chính phát biểu tại hội nghị (Ảnh: TTXVN)", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),
    ("Lãnh đạo tỉnh trao tặng Bằng khen cho các tập thể", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),
    ("Minh Anh - Thu Hà", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),
    ("Thanh Hà (TTXVN)", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),
    ("Hà Nội, ngày 3 tháng 6 năm 2013", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),
    ("Bác Hồ đã dạy “Dân vận kém thì việc gì cũng kém.”", "Tại Hội nghị, " + "đồng chí " * 20 + ".", False),
    ("Đảng, Nhà nước và Mặt trận Tổ quốc các cấp trong", "công tác dân vận " * 8 + ".", False),
])
def test_a_heading_of_prose(line: str, after: str, heading: bool) -> None:
    from bot.documents.chunking import is_heading

    assert is_heading(line, after, ChunkingSettings().heading_max_words) is heading


def test_prose_chunks_end_at_a_heading_and_carry_it() -> None:
    paragraph = "Câu văn nói về công tác dân vận ở cơ sở trong năm nay và những kết quả đạt được. " * 3
    title = "Tiêu đề bài báo rất dài " * 5  # a title as long as a paragraph heads nothing, nor what follows it
    text = f"{title}\n\nThu Hằng\n\nTừ viết tắt Xem với cỡ chữ\n\n{paragraph}\n\nMục thứ hai của bài\n\n{paragraph}"
    doc = Document(id="bai.txt", title="Bài viết", type="txt", sha256="1" * 64, text=text)
    chunks = chunk_document(doc, ChunkingSettings())
    section = "Bài viết › Mục thứ hai của bài"
    assert [(c.heading, c.context) for c in chunks] == [("", "Bài viết"), (section, section)]
    assert chunks[1].text.startswith("Mục thứ hai của bài")
    assert chunks[0].end <= chunks[1].start


def test_a_line_met_on_every_page_heads_nothing() -> None:
    """A PDF's running header («Tạp chí Cộng sản») between paragraphs."""
    paragraph = "Câu văn nói về công tác dân vận ở cơ sở trong năm nay và những kết quả đạt được. " * 3
    text = "\n".join(["Tiêu đề", paragraph, "Tạp chí Cộng sản", paragraph, "Tạp chí Cộng sản", paragraph])
    assert [h for _, _, h in prose_sections(text, 0, len(text), 15)] == [""]


def test_loading_from_a_subfolder_gives_a_posix_id(tmp_path: Path) -> None:
    (tmp_path / "van-ban" / "2023").mkdir(parents=True)
    path = tmp_path / "van-ban" / "2023" / "nd61.txt"
    path.write_text((CORPUS / DECREE_61).read_text(encoding="utf-8"), encoding="utf-8")
    doc = load_document(path, tmp_path, 50)
    assert doc.id == "van-ban/2023/nd61.txt"
    assert all(c.doc_id == doc.id for c in chunk_document(doc, ChunkingSettings()))


@pytest.mark.parametrize("heading, article", [
    ("Luật 10/2022/QH15 › Chương II › Mục 1 › Điều 11 › khoản 1–3", "11"),
    ("Nghị định 61/2023/NĐ-CP › Điều 7", "7"),
    ("Bài viết › Những điểm mới tại Điều 11 về hương ước", None),  # a news section that speaks of one
    ("", None),
])
def test_the_article_a_heading_path_holds(heading: str, article: str | None) -> None:
    from bot.indexing.index import _ARTICLE_IN_HEADING

    match = _ARTICLE_IN_HEADING.search(heading)
    assert (match.group(1) if match else None) == article


@pytest.mark.parametrize("heading, start_at, end_at, expected", [
    ("Luật › Điều 11 › khoản 1–2", "1. Ủy", "quy ước.", "Luật › Điều 11 › khoản 1"),
    ("Luật › Điều 11 › khoản 1–2", "2. Hương", "sau đây:", "Luật › Điều 11 › khoản 2"),
    ("Luật › Điều 11 › khoản 1–2", "1. Ủy", "sau đây:", "Luật › Điều 11 › khoản 1–2"),
    ("Luật › Điều 11 › khoản 1–2", "Điều 11", "quy ước.", "Luật › Điều 11 › khoản 1–2"),  # opens before khoản 1
    ("Luật › Điều 11", "1. Ủy", "quy ước.", "Luật › Điều 11 › khoản 1"),  # a whole article gains the khoản
    ("Luật › Điều 11 › khoản 1 › điểm a – khoản 2", "1. Ủy", "quy ước.",
     "Luật › Điều 11 › khoản 1 › điểm a – khoản 2"),
    ("Bài viết › Điều chỉnh phương thức vận động", "1. Ủy", "quy ước.",
     "Bài viết › Điều chỉnh phương thức vận động"),  # a news section, not an article
])
def test_a_span_is_headed_by_the_khoan_it_lies_in(heading: str, start_at: str, end_at: str, expected: str) -> None:
    from bot.documents.chunking import span_heading

    text = ("Điều 11. Công nhận hương ước\n1. Ủy ban nhân dân cấp xã công nhận hương ước, quy ước.\n"
            "2. Hương ước được công nhận khi có đủ các điều kiện sau đây:")
    start, end = text.index(start_at), text.index(end_at) + len(end_at)
    assert span_heading(heading, text, start, end) == expected
