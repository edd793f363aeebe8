"""The kind of fact a question asks for, and whether a sentence holds one.

"bao lâu" is answered by a duration, "ngày nào" by a date, "bao nhiêu hộ" by a count of households,
"là ai" by a person's name, "có tên là gì" by a quoted name, "X phát biểu gì" by a sentence where X speaks;
"… là gì" by the sentence that opens with the term, "văn bản nào" by a document number.
The evidence rules refuse when no answering sentence holds a required fact (a guess otherwise: seed ts-049,
ts-056, seed_dev sd-001), and the composer centres the answer on the sentence that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.documents.normalize import fold, strip_diacritics
from bot.documents.structure import DOC_NUMBER
from bot.retrieval.query import data_lines, expand_abbreviations, question_words

# A figure in digits or words, with an optional spelled-out repeat: "05 (năm)", "hai phần ba", "50%".
_FIGURE = (r"(?:\b\d+(?:[.,]\d+)?%?|\b(?:hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|nửa)\b)"
           r"(?:\s*\([^)]{1,30}\))?")
_DURATION = _FIGURE + r"\s*(?:ngày|tháng|năm|giờ|tuần|phút)"
# "13/1/2022", "ngày 13/1", "(15/10)", "13 tháng 1"; "59/2023" and "16/CT-TTg" are document numbers.
_DAY_DATE = r"\b\d{1,2}\s*/\s*\d{1,2}\b(?!\s*/\s*\D)|\b\d{1,2}\s+tháng\s+\d{1,2}"
# Counted nouns whose figure is written with another word ("bao nhiêu tiền" -> "... đồng").
_UNIT_WORDS = {"tiền": r"(?:đồng|triệu|tỷ|nghìn|%)", "phần trăm": r"%"}
# Subjects that are amounts of money.
_MONEY_SUBJECT = re.compile(r"\b(?:lương|tiền|kinh phí|lệ phí|mức phạt|phụ cấp|trợ cấp)\b")
# Counts whose noun the text may name otherwise ("bao nhiêu người" -> "05 thành viên").
_GENERIC_COUNTS = {"người", "lần", "cái", "loại", "bước", "nội", "hình", "trường"}

# "2. " or "b) " opening a sentence numbers a clause, and "khoản 6 Điều 15" refers to one: neither is a
# figure of the answer ("tối đa bao nhiêu điều?" is not answered by "khoản 6 Điều 15").
_ENUMERATION = re.compile(r"^\s*(?:\d+\.|[a-zđ]\))\s+")
_REFERENCE = re.compile(r"\b(?:khoản|điểm|điều|chương|mục|phần)\s+\d+[a-zđ]?\b")

_ASKS_PERSON = r"^(.*?)\s+(?:hiện nay\s+|bây giờ\s+)?là ai\b"
_ASKS_WHO = re.compile(r"\bai\b")
_ASKS_NAME = r"^(.*?)\s+(?:có |mang )?tên(?: gọi)?(?: là)? gì\b"
_SPEECH_VERBS = r"phát biểu|nói|nhấn mạnh|cho biết|khẳng định|kết luận|chỉ đạo|đề nghị|yêu cầu"
_ASKS_SPEECH = rf"^(.*?)\s+(?:đã\s+)?(?:{_SPEECH_VERBS})\s+(?:những\s+)?(?:gì|điều gì|nội dung gì)\b"
_SPEECH = re.compile(rf"\b(?:{_SPEECH_VERBS})\b")
_ASKS_DEFINITION = r"^(.*?)\s+(?:được hiểu\s+|có nghĩa\s+)?là gì\s*[?.!]*\s*$"
_ASKS_DOCUMENT = re.compile(r"\b(?:van ban|nghi dinh|nghi quyet|quyet dinh|thong tu|chi thi|luat) nao\b")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
_LEAD_WORDS = re.compile(r"^(?:(?:theo|tại|trong|hãy cho (?:tôi|em) biết|cho (?:tôi|em) hỏi|xin hỏi|đồng chí|ông|bà)\s+)+")
_NUMERALS = {"một", "hai", "ba", "bốn", "năm", "các", "những", "mot", "bon", "cac", "nhung"}


@dataclass(frozen=True)
class Fact:
    kind: str  # "figure" | "person" | "name" | "document" | "definition" | "speech"
    pattern: str = ""  # the figure asked for ("figure")
    subject: str = ""  # folded; accent-free when the question is: the office, the speaker, the thing named
    # False: the fact only picks the sentence to quote. "Ai chủ trì …?" is answered in a law by a role
    # ("Trưởng thôn"), in the news by a name; "… là ai?" asks for a person.
    required: bool = True


def _amount(unit: str) -> str:
    """Digits written with the unit word ("tiền" -> "… đồng", "… triệu")."""
    return rf"\d[\d.,]*\s*{_UNIT_WORDS[unit]}"


def _figure_pattern(q: str, plain: bool) -> str | None:
    """q: the folded question, accent-free when typed so (then the pattern is accent-free too)."""
    form = strip_diacritics if plain else str
    plain_q = strip_diacritics(q)
    if re.search(r"\bbao lau\b", plain_q):
        return form(_DURATION)
    if re.search(r"\b(ngay nao|hom nao|thoi diem nao)\b", plain_q):
        return form(_DAY_DATE)
    match = re.search(form(r"bao nhiêu\s+(\w+(?:\s+\w+)?)"), q)
    if match:
        words = match.group(1).split()
        if words[0] in {form(w) for w in (*question_words(), *_GENERIC_COUNTS)}:
            return form(_FIGURE)
        units = {form(u): u for u in _UNIT_WORDS}
        unit = " ".join(words) if " ".join(words) in units else words[0]
        if unit in units:
            return form(_amount(units[unit]))
        # "50% tổng số đại diện hộ gia đình" counts households; "05 thành viên Ban" counts no Ban
        return form(rf"{_FIGURE}\s+(?:tổng số\s+)?(?:đại diện\s+|\w+\s+)?") + re.escape(words[0])
    if re.search(r"\bbao nhieu\b", plain_q):
        # "Mức lương … là bao nhiêu?": an amount of money, not any figure
        return form(_amount("tiền") if re.search(form(_MONEY_SUBJECT.pattern), q) else _FIGURE)
    return None


def _subject(phrase: str) -> str:
    """The last clause before the question's verb, without leading filler words."""
    clause = re.split(r"[,.;:?!]", phrase)[-1].strip()
    return _LEAD_WORDS.sub("", clause).strip()


def expected_fact(question: str, plain: bool = False) -> Fact | None:
    """plain: the question was typed without accents (its patterns are matched accent-free)."""
    q = fold(question)
    plain_q = strip_diacritics(q)
    pattern = _figure_pattern(plain_q if plain else q, plain)
    if pattern:
        return Fact("figure", pattern=pattern)
    text, form = (plain_q, strip_diacritics) if plain else (q, str)
    person = re.search(form(_ASKS_PERSON), text)
    if person:  # "Chủ tịch … hiện nay là ai?": a name, in a sentence that names the office
        return Fact("person", subject=_subject(person.group(1)))
    if _ASKS_WHO.search(text):
        return Fact("person", required=False)
    name = re.search(form(_ASKS_NAME), text)
    if name:
        words = [w for w in _subject(name.group(1)).split() if w not in _NUMERALS]
        return Fact("name", subject=" ".join(words[:2]))
    if _ASKS_DOCUMENT.search(plain_q):  # "… thay thế văn bản nào?": a sentence citing a document by number
        return Fact("document", required=False)
    definition = re.search(form(_ASKS_DEFINITION), text)
    if definition:  # "Hương ước, quy ước là gì?": the sentence that says what it is ("Hương ước, quy ước là …")
        clauses = [c.strip() for c in re.split(r"[,;:]", re.sub(r"[“”\"]", " ", definition.group(1)))]
        while len(clauses) > 1 and _LEAD_WORDS.match(clauses[0] + " "):  # "Theo Luật, …"
            clauses.pop(0)
        subject = " ".join(" ".join(clauses).split())
        if subject:
            return Fact("definition", subject=subject, required=False)
    speech = re.search(form(_ASKS_SPEECH), text)
    if speech and _subject(speech.group(1)):
        return Fact("speech", subject=_subject(speech.group(1)))
    return None


def _figures_text(sentence: str) -> str:
    return _REFERENCE.sub(" ", fold(_ENUMERATION.sub("", sentence)))


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    return frozenset(line.strip() for line in data_lines("surnames.txt"))


def person_names(text: str) -> list[str]:
    """Full names ('Đào Ngọc Dung'): a common surname and two or three capitalised syllables after it.

    Two-syllable runs are left out: 'Hà Nội' begins with a surname too.
    """
    words = text.split()
    names = []
    for i, word in enumerate(words):
        if word.strip("(,;:") not in _surnames():
            continue
        run = [word.strip("(")]
        for following in words[i + 1:i + 4]:
            bare = following.rstrip(",.;:)")
            if not bare[:1].isupper() or bare.isupper() or not bare.isalpha():
                break
            run.append(bare)
            if bare != following:
                break
        if len(run) >= 3:
            names.append(" ".join(run))
    return names


def _words(text: str, plain: bool) -> str:
    folded = fold(text)
    return " ".join(re.findall(r"\w+", strip_diacritics(folded) if plain else folded))


def _contains(haystack: str, needle: str, plain: bool) -> bool:
    return f" {_words(needle, plain)} " in f" {_words(haystack, plain)} "


def holds(fact: Fact, sentence: str, question: str, plain: bool = False) -> bool:
    """Does the sentence state the kind of fact asked for (and not only repeat the question)?"""
    if fact.kind == "figure":
        text = _figures_text(sentence)
        return re.search(fact.pattern, strip_diacritics(text) if plain else text) is not None
    if fact.kind == "person":
        return (any(not _contains(question, name, plain) for name in person_names(sentence))
                and (not fact.subject or _contains(sentence, fact.subject, plain)))
    if fact.kind == "name":
        named = [q for q in _QUOTED.findall(sentence) if not _contains(question, q, plain)]
        first = fact.subject.split()[0] if fact.subject else ""
        heads = [fact.subject, *(fold(e) for e in expand_abbreviations(first.upper()))]
        return bool(named) and any(_contains(sentence, h, plain) for h in heads if h)
    if fact.kind == "document":
        return any(not _contains(question, number, plain) for number in DOC_NUMBER.findall(sentence))
    if fact.kind == "definition":  # the sentence opens with the term: "1. Hương ước, quy ước là …"
        return f"{_words(_ENUMERATION.sub('', sentence), plain)} ".startswith(f"{_words(fact.subject + ' là', plain)} ")
    if fact.kind == "speech":
        return _SPEECH.search(fold(sentence)) is not None and _contains(sentence, fact.subject, plain)
    raise ValueError(f"unknown fact kind {fact.kind!r}")
