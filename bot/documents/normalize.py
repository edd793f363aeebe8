"""Vietnamese text rules, as pure functions.

Two forms of a text exist: the *display* form (NFC, web boilerplate removed),
which users read and which every span indexes, and the *matching* form
(lower-case, one tone placement), used to compare texts. ``fold`` keeps the
length of its input, so a span found in the matching form is the same span in
the display form.
"""

from __future__ import annotations

import re
import unicodedata

# --- Unicode and tone placement -------------------------------------------------

_TONE_MARKS = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}
_VOWELS = set("aăâeêioôơuưy")
_MODIFIED_VOWELS = set("ăâêôơư")
_WORD = re.compile(r"[^\W_]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _split_tone(char: str) -> tuple[str, str]:
    """('ả') -> ('a', '\u0309'): the base letter (with its vowel modifier) and its tone mark."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = "".join(c for c in decomposed if c in _TONE_MARKS)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return base, tone


def _tone_position(letters: list[str]) -> int | None:
    """Index of the vowel that carries the tone, by the classic rule (hòa, thúy, khỏe)."""
    start = 0
    lowered = [c.lower() for c in letters]
    # 'qu' and 'gi' (before another vowel) belong to the initial consonant.
    if len(lowered) > 2 and lowered[0] == "q" and lowered[1] == "u":
        start = 2
    elif len(lowered) > 2 and lowered[0] == "g" and lowered[1] == "i" and lowered[2] in _VOWELS:
        start = 2
    vowel_idx = [i for i in range(start, len(lowered)) if lowered[i] in _VOWELS]
    if not vowel_idx:
        return None
    modified = [i for i in vowel_idx if lowered[i] in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    has_final_consonant = vowel_idx[-1] < len(lowered) - 1
    if has_final_consonant or len(vowel_idx) == 1:
        return vowel_idx[-1]
    if len(vowel_idx) == 2:
        return vowel_idx[0]
    return vowel_idx[1]


def _retone_syllable(word: str) -> str:
    parts = [_split_tone(c) for c in word]
    tones = [t for _, t in parts if t]
    if len(tones) != 1:
        return word
    letters = [b for b, _ in parts]
    pos = _tone_position(letters)
    if pos is None:
        return word
    letters[pos] = unicodedata.normalize("NFC", letters[pos] + tones[0])
    retoned = "".join(letters)
    return retoned if len(retoned) == len(word) else word


def fold(text: str) -> str:
    """Matching form: NFC, lower-case, one tone placement; same length as the NFC input."""
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in nfc(text))
    return _WORD.sub(lambda m: _retone_syllable(m.group(0)), lowered)


def strip_diacritics(text: str) -> str:
    """'Luật Thực hiện' -> 'Luat Thuc hien'; keeps the length of an NFC input."""
    out = []
    for char in text:
        if char in "đĐ":
            out.append("d" if char == "đ" else "D")
            continue
        base = unicodedata.normalize("NFD", char)[0]
        out.append(base if base.isascii() else char)
    return "".join(out)


def plain_form(text: str) -> str:
    """Matching form without accents: what reference rules compare."""
    return strip_diacritics(fold(text))


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


# --- Web boilerplate ---------------------------------------------------------------

# Lines that are page furniture of news sites, compared after folding and trimming
# punctuation. General widgets, not phrases of one file.
_BOILERPLATE_LINES = {
    "leftcenterrightdel",
    "gửi bình luận của bạn",
    "gửi bình luận",
    "bình luận",
    "tìm theo ngày",
    "đánh giá",
    "di chuột vào ngôi sao để chọn điểm",
    "chia sẻ",
    "in bài",
    "in bài viết",
    "bản in",
    "tin liên quan",
    "tin cùng chuyên mục",
    "xem thêm",
    "quay lại",
    "lên đầu trang",
    "tags",
    "từ khóa",
}
_BOILERPLATE_PREFIXES = ("leftcenterrightdel",)
_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_SEPARATOR_LINE = re.compile(r"^\s*[-=_*~•.·]{3,}\s*$")
_TRIM = " \t:.;,!?()[]{}\"'“”"


def _is_boilerplate(line: str) -> bool:
    if _URL_LINE.match(line) or _SEPARATOR_LINE.match(line):
        return True
    key = fold(line).strip(_TRIM)
    return key in _BOILERPLATE_LINES


def clean_text(text: str) -> str:
    """Display form: NFC, boilerplate lines dropped, no runs of blank lines, trimmed ends."""
    lines = []
    for raw in nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\u00a0", " ").rstrip()
        for prefix in _BOILERPLATE_PREFIXES:
            if line.lower().startswith(prefix) and line.strip().lower() != prefix:
                line = line[len(prefix):].lstrip()
        if _is_boilerplate(line):
            continue
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line)
    return "\n".join(lines).strip()


# --- Sentences and tokens ------------------------------------------------------------

# A sentence ends at . ! ? ; or … followed by space and an upper-case letter, digit or quote,
# or at a line break. Abbreviations such as "TP." before a name are rare enough here.
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(\[]?[A-ZÀ-Ỹ0-9Đ])|\n+")


# "Điều 5.", "Chương II.", "2." or "b)" alone is a label, not a sentence: it joins the next one.
_LABEL_ONLY = re.compile(r"(?:(?:Điều|Chương|Mục|Phần|Khoản)\s+[\dIVXLC]+[a-z]?|\d+|[a-zđ])[.)]$", re.IGNORECASE)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of text[start:end], trimmed of whitespace."""
    end = len(text) if end is None else end
    spans = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        if trimmed and _LABEL_ONLY.match(text, trimmed[-1][0], trimmed[-1][1]):
            trimmed[-1] = (trimmed[-1][0], e)
        else:
            trimmed.append((s, e))
    return trimmed


def syllables(text: str) -> list[str]:
    """Matching-form syllables: 'Hoà bình, 2023' -> ['hòa', 'bình', '2023']."""
    return _WORD.findall(fold(text))


_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")


def numbers(text: str) -> list[str]:
    """Numbers and dates as written ('30', '01/7/2023', '1.000'), leading zeros dropped."""
    return [n.lstrip("0") or "0" for n in _NUMBER.findall(text)]
