"""Is there evidence enough to answer? Rules that refuse instead of guessing.

Each rule is general (it reads the question's shape, not any one document):
- a question about an article (Điều N) of a named document that has no such article;
- a question asking for a number, duration or date when the best sentences hold none;
- evidence too weak: low dense similarity and few of the question's terms found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents.normalize import fold, strip_diacritics
from bot.documents.structure import DOC_NUMBER
from bot.retrieval.hybrid import Passage
from bot.retrieval.query import Query, article_references, content_terms, names_document, plain_form, question_words
from bot.settings import AnswerSettings


@dataclass
class Evidence:
    ok: bool
    reason: str = ""
    coverage: float = 0.0
    dense: float = 0.0


def _norm(text: str, plain: bool) -> str:
    folded = fold(text)
    return strip_diacritics(folded) if plain else folded


def term_coverage(query: Query, text: str) -> float:
    """Weighted share of the question's content syllables found in text (accent-free when the question is).

    Terms the user typed in this turn weigh twice those that came from history or abbreviations,
    so that a follow-up's new words decide which passage answers it.
    """
    own = [_norm(t, query.plain) for t in content_terms(query.question)]
    extra = [t for t in (_norm(t, query.plain) for t in content_terms(query.text)) if t not in own]
    total = 2 * len(own) + len(extra)
    if not total:
        return 0.0
    haystack = set(re.findall(r"\w+", _norm(text, query.plain)))
    return (2 * sum(t in haystack for t in own) + sum(t in haystack for t in extra)) / total


# --- Answer types: what kind of fact the question asks for ------------------------------------

# A figure in digits or words, with an optional spelled-out repeat: "05 (năm)", "hai phần ba", "50%".
_FIGURE = (r"(?:\b\d+(?:[.,]\d+)?%?|\b(?:hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|nửa)\b)"
           r"(?:\s*\([^)]{1,30}\))?")
_DURATION = _FIGURE + r"\s*(?:ngày|tháng|năm|giờ|tuần|phút)"
_DAY_DATE = r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}"
_ANY_NUMBER = _FIGURE
# Counted nouns whose figure is written with another word ("bao nhiêu tiền" -> "... đồng").
_UNIT_WORDS = {"tiền": r"(?:đồng|triệu|tỷ|nghìn|%)", "phần trăm": r"%"}
# Subjects that are amounts of money.
_MONEY_SUBJECT = re.compile(r"\b(?:lương|tiền|kinh phí|lệ phí|mức phạt|phụ cấp|trợ cấp)\b")
# Counts whose noun the text may name otherwise ("bao nhiêu người" -> "05 thành viên").
_GENERIC_COUNTS = {"người", "lần", "cái", "loại", "bước", "nội", "hình", "trường"}


def _amount(unit: str) -> str:
    """Digits written with the unit word ("tiền" -> "… đồng", "… triệu")."""
    return rf"\d[\d.,]*\s*{_UNIT_WORDS[unit]}"


def _expected_pattern(question: str) -> str | None:
    q = fold(question)
    plain_q = strip_diacritics(q)
    if re.search(r"\bbao lau\b", plain_q):
        return _DURATION
    if re.search(r"\b(ngay nao|hom nao|thoi diem nao)\b", plain_q):
        return _DAY_DATE
    match = re.search(r"bao nhiêu\s+(\w+(?:\s+\w+)?)", q)
    if match:
        words = match.group(1).split()
        stop = question_words()
        if words[0] in stop or words[0] in _GENERIC_COUNTS:
            return _ANY_NUMBER
        unit = " ".join(words) if " ".join(words) in _UNIT_WORDS else words[0]
        if unit in _UNIT_WORDS:
            return _amount(unit)
        return rf"{_FIGURE}\s+(?:tổng số\s+)?(?:\w+\s+)?{re.escape(words[0])}"
    if re.search(r"\bbao nhieu\b", plain_q):
        # "Mức lương … là bao nhiêu?": an amount of money, not any figure
        return _amount("tiền") if _MONEY_SUBJECT.search(q) else _ANY_NUMBER
    return None


# "2. " or "b) " opening a sentence numbers a clause, and "khoản 6 Điều 15" refers to one: neither is a
# figure of the answer ("tối đa bao nhiêu điều?" is not answered by "khoản 6 Điều 15").
_ENUMERATION = re.compile(r"^\s*(?:\d+\.|[a-zđ]\))\s+")
_REFERENCE = re.compile(r"\b(?:khoản|điểm|điều|chương|mục|phần)\s+\d+[a-zđ]?\b")


def _figures_text(sentence: str) -> str:
    return _REFERENCE.sub(" ", fold(_ENUMERATION.sub("", sentence)))


# --- Article references ----------------------------------------------------------------------

def _missing_article(question: str, doc_articles: dict[str, tuple[str, str, set[str]]]) -> str | None:
    """'Điều 26 của Nghị định 61/2023/NĐ-CP' when that decree has no Điều 26 -> a reason."""
    articles = article_references(question)
    if not articles:
        return None
    for number, title, article_numbers in doc_articles.values():
        if not names_document(question, number, title):
            continue
        missing = [a for a in articles if a not in article_numbers]
        if missing:
            return f"document {number or title} has no article {', '.join(missing)}"
    return None


# "Bộ luật Lao động": a document named by its kind and a capitalised name of two words.
_NAMED_DOC = re.compile(r"\b(?:bộ luật|luật|nghị định|nghị quyết|thông tư|chỉ thị|pháp lệnh)\s+(\w+)\s+(\w+)",
                        re.IGNORECASE)


def _unknown_document(question: str, titles: list[str], passages: list[Passage]) -> str | None:
    """A document named by number, or by kind and name, that neither the corpus nor the passages know."""
    known = plain_form(" ".join(titles) + " " + " ".join(p.chunk.context + " " + p.chunk.text for p in passages))
    for number in DOC_NUMBER.findall(question):
        if plain_form(number) not in known:
            return f"document {number} is not in the corpus"
    for match in _NAMED_DOC.finditer(question):
        if match.group(1)[0].isupper() and not match.group(1).isdigit() and plain_form(match.group(0)) not in known:
            return f"'{match.group(0)}' is not in the corpus"
    return None


def assess(query: Query, passages: list[Passage], best_sentences: list[str],
           doc_articles: dict[str, tuple[str, str, set[str]]], cfg: AnswerSettings) -> Evidence:
    """doc_articles: doc id -> (number, title, article numbers) of every legal document indexed."""
    if not passages:
        return Evidence(False, "nothing retrieved")
    top = passages[: min(3, len(passages))]
    coverage = max(term_coverage(query, p.chunk.context + "\n" + p.chunk.text) for p in top)
    dense = max((p.dense_score or 0.0) for p in top)
    titles = [f"{number} {title}" for number, title, _ in doc_articles.values()]
    missing = _missing_article(query.question, doc_articles) or _unknown_document(query.question, titles, passages)
    if missing:
        return Evidence(False, missing, coverage, dense)
    pattern = _expected_pattern(query.question)
    if pattern and not any(re.search(pattern, _figures_text(s)) for s in best_sentences):
        return Evidence(False, "the best sentences hold no fact of the kind asked for", coverage, dense)
    if dense < cfg.min_dense_score and coverage < cfg.min_term_coverage:
        return Evidence(False, f"weak evidence (dense {dense:.3f}, coverage {coverage:.2f})", coverage, dense)
    return Evidence(True, "", coverage, dense)
