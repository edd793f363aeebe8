"""Vietnamese text rules: folding, diacritics, boilerplate cleaning, sentences, numbers."""

from __future__ import annotations

import unicodedata

import pytest

from bot.documents.normalize import (
    clean_text,
    fold,
    has_diacritics,
    numbers,
    sentence_spans,
    strip_diacritics,
    syllables,
)


# --- fold -----------------------------------------------------------------------------------

@pytest.mark.parametrize("old_style, new_style", [
    ("hoà", "hòa"),
    ("thuý", "thúy"),
    ("khoẻ", "khỏe"),
    ("uỷ", "ủy"),
    ("Uỷ ban", "ủy ban"),
    ("toà án", "tòa án"),
    ("hoạ sĩ", "họa sĩ"),
    ("Thuỵ Điển", "thụy điển"),
    ("HOÀ BÌNH", "hòa bình"),
    ("Hoà bình, khoẻ mạnh", "hòa bình, khỏe mạnh"),
])
def test_fold_maps_both_tone_placements_together(old_style: str, new_style: str) -> None:
    assert fold(old_style) == fold(new_style)
    assert fold(old_style) == new_style.lower()


@pytest.mark.parametrize("word", [
    "quý", "quả", "giữa", "gìn", "người", "thuở", "nước", "Nghị định", "Đảng", "khuyến",
])
def test_fold_keeps_words_that_have_one_placement(word: str) -> None:
    assert fold(word) == word.lower()


@pytest.mark.parametrize("text", [
    "Hoà bình", "Uỷ ban nhân dân", "THUÝ", "khoẻ", "Điều 5. Quyền của công dân", "16/CT-TTg", "", "abc 123",
    "Đảng uỷ Khối tổ chức Hội nghị",
])
def test_fold_preserves_length_of_nfc_text(text: str) -> None:
    assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


def test_fold_normalizes_decomposed_input_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hoà bình")
    assert fold(decomposed) == "hòa bình"


# --- diacritics -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Luật Thực hiện dân chủ ở cơ sở", "Luat Thuc hien dan chu o co so"),
    ("Đảng ủy Khối", "Dang uy Khoi"),
    ("đường làng", "duong lang"),
    ("Hương ước, quy ước", "Huong uoc, quy uoc"),
    ("abc 123", "abc 123"),
    ("", ""),
])
def test_strip_diacritics(text: str, expected: str) -> None:
    assert strip_diacritics(text) == expected
    assert len(strip_diacritics(text)) == len(text)


@pytest.mark.parametrize("text, expected", [
    ("luat thuc hien dan chu", False),
    ("Luật", True),
    ("đ", True),
    ("Đ", True),
    ("UBND 2023", False),
    ("", False),
])
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected


# --- clean_text -----------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "leftcenterrightdel",
    "Gửi bình luận của bạn",
    "Tìm theo ngày",
    "Đánh giá",
    "(Di chuột vào ngôi sao để chọn điểm)",
    "http://www.vietnamplus.vn/tang-cuong-va-doi-moi-cong-tac-dan-van/286084.vnp",
    "https://example.org/a?b=c",
    "www.dangcongsan.vn",
    "-----",
    "-----------------",
    "   =====   ",
])
def test_clean_text_drops_boilerplate_lines(line: str) -> None:
    text = f"Hội nghị tổng kết công tác dân vận.\n{line}\nĐại biểu thảo luận sôi nổi."
    assert clean_text(text) == "Hội nghị tổng kết công tác dân vận.\nĐại biểu thảo luận sôi nổi."


@pytest.mark.parametrize("text, expected", [
    # A widget marker glued to a caption: the marker goes, the caption stays.
    ("leftcenterrightdel Phó Bí thư phát biểu. Ảnh: T.Trang", "Phó Bí thư phát biểu. Ảnh: T.Trang"),
    # Content lines that merely contain a widget word are kept.
    ("Hội nghị đánh giá cao vai trò của Mặt trận.", "Hội nghị đánh giá cao vai trò của Mặt trận."),
    ("Xem chi tiết tại http://example.org trong báo cáo.", "Xem chi tiết tại http://example.org trong báo cáo."),
    # Line endings, runs of blank lines, non-breaking spaces, trailing spaces, ends.
    ("Dòng một\r\nDòng hai\rDòng ba", "Dòng một\nDòng hai\nDòng ba"),
    ("Đoạn một.\n\n\n\nĐoạn hai.", "Đoạn một.\n\nĐoạn hai."),
    ("Ngày\u00a015/10   \n", "Ngày 15/10"),
    ("\n\n  Nội dung  \n\n", "Nội dung"),
    ("Gửi bình luận của bạn\nTìm theo ngày", ""),
])
def test_clean_text_cases(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_clean_text_returns_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Công tác dân vận")
    cleaned = clean_text(decomposed)
    assert cleaned == "Công tác dân vận"
    assert unicodedata.is_normalized("NFC", cleaned)


# --- sentences ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Câu một. Câu hai.", ["Câu một.", "Câu hai."]),
    ("Có không? Có! Chắc chắn rồi.", ["Có không?", "Có!", "Chắc chắn rồi."]),
    ("Họp lúc 8 giờ; 20 người dự.", ["Họp lúc 8 giờ;", "20 người dự."]),
    ("Dòng một\nDòng hai", ["Dòng một", "Dòng hai"]),
    ("Ông nói. “Dân vận khéo” là phong trào.", ["Ông nói.", "“Dân vận khéo” là phong trào."]),
    # Not a sentence end: lower-case continuation, decimals, dates.
    ("Tỷ lệ đạt 2.5 lần so với năm 2022.", ["Tỷ lệ đạt 2.5 lần so với năm 2022."]),
    ("Ngày 15/10 là ngày truyền thống. tiếp theo", ["Ngày 15/10 là ngày truyền thống. tiếp theo"]),
    # A bare label joins the sentence that follows it.
    ("Điều 5.\nQuyền của công dân.", ["Điều 5.\nQuyền của công dân."]),
    ("Chương II.\nNỘI DUNG", ["Chương II.\nNỘI DUNG"]),
    ("  \n  ", []),
])
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_sentence_spans_respect_start_and_end() -> None:
    text = "Bỏ qua. Câu cần lấy một. Câu cần lấy hai. Bỏ qua nữa."
    start = text.index("Câu cần lấy một")
    end = text.index(" Bỏ qua nữa")
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Câu cần lấy một.", "Câu cần lấy hai."]
    assert all(start <= s < e <= end for s, e in spans)


def test_clause_number_stays_with_its_sentence() -> None:
    text = "2. Chủ tịch Ủy ban nhân dân cấp xã thực hiện các việc sau đây:"
    assert [text[s:e] for s, e in sentence_spans(text)] == [text]


# --- syllables and numbers --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Hoà bình, 2023", ["hòa", "bình", "2023"]),
    ("Uỷ ban MTTQ", ["ủy", "ban", "mttq"]),
    ("", []),
])
def test_syllables(text: str, expected: list[str]) -> None:
    assert syllables(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ngày 01/7/2023 có 1.000 người", ["1/7/2023", "1.000"]),
    ("Nhiệm kỳ 02 năm", ["2"]),
    ("tỷ lệ 2,5% và 50%", ["2,5", "50"]),
    ("3 lớp tập huấn năm 2023", ["3", "2023"]),
    ("số 0", ["0"]),
    ("không có số", []),
])
def test_numbers(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected
