"""Is there evidence enough to answer? Rules that refuse instead of guessing.

Each rule is general (it reads the question's shape, not any one document):
- a question about an article (Điều N) of a named document that has no such article;
- a document named (by number, by name in capitals, or a well-known law in any case) or a year asked about
  that neither the corpus' titles nor the retrieved passages mention;
- a question asking for a kind of fact (a number, date, duration, person, name, speaker's words) when no
  answering sentence holds one (``facts``);
- an organ at a level ("Hội đồng nhân dân cấp huyện") that no retrieved passage names: a false premise;
- evidence too weak: very low dense similarity, or low dense similarity and few of the question's terms or of
  its syllable pairs found;
- a follow-up leaning on the question before it whose own words are far from the passages found («giá vàng
  hôm nay» after a question on the corpus), unless a passage holds the pairs of words it adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.data import data_lines
from bot.documents.normalize import fold, plain_form, strip_diacritics
from bot.documents.structure import DOC_NUMBER
from bot.retrieval.hybrid import Passage
from bot.retrieval.query import (DOC_KINDS_PLAIN, Query, abbreviations, article_references, content_pairs,
                                 content_terms, mentions_number, names_document, title_name,
                                 typed_document_numbers, typed_number_spans, typed_without_accents)
from bot.answering.facts import Fact
from bot.settings import AnswerSettings


@dataclass
class Evidence:
    ok: bool
    reason: str = ""
    coverage: float = 0.0
    dense: float = 0.0
    # ok, but close to the weak-evidence line: the answer says the documents may not answer directly
    uncertain: bool = False


def _norm(text: str, plain: bool) -> str:
    folded = fold(text)
    return strip_diacritics(folded) if plain else folded


def term_coverage(query: Query, text: str) -> float:
    """Weighted share of the question's content syllables found in text (accent-free when the question is).

    Terms the user typed in this turn weigh twice those that came from history or abbreviations,
    so that a follow-up's new words decide which passage answers it.
    """
    own = own_terms(query)
    extra = [t for t in (_norm(t, query.plain) for t in content_terms(query.text)) if t not in own]
    total = 2 * len(own) + len(extra)
    if not total:
        return 0.0
    return (2 * terms_found(own, text, query.plain) + terms_found(extra, text, query.plain)) / total


def own_terms(query: Query) -> list[str]:
    """The content syllables the user typed in this turn, in matching form."""
    return [_norm(t, query.plain) for t in content_terms(query.question)]


def terms_found(terms: list[str], text: str, plain: bool) -> int:
    """How many of the matching-form terms text holds as syllables."""
    haystack = set(re.findall(r"\w+", _norm(text, plain)))
    return sum(t in haystack for t in terms)


def pair_coverage(query: Query, text: str) -> float | None:
    """Share of the question's adjacent content-syllable pairs ('thời tiết', 'dân vận') found adjacent in text;
    None when the question has none.

    Syllables alone mislead: «tỷ số trận đấu tối qua» finds tỷ, số, trận (Mặt trận), đấu (phấn đấu), tối
    (tối đa) and qua (thông qua) in the passages of a law, and none of its pairs.
    """
    asked = set().union(*(content_pairs(part, query.plain) for part in (query.standalone or query.question,
                                                                          *query.expansions)))
    if not asked:
        return None
    return len(asked & content_pairs(text, query.plain)) / len(asked)


def _own_words_found(query: Query, texts: list[str]) -> bool:
    """Does one passage hold half or more of the pairs of content syllables the follow-up adds to the question
    it leans on («niêm yết ở đâu» after a question on hương ước: «… niêm yết công khai …»)? Syllables alone
    mislead: «còn phí thì sao?» finds «kinh phí», «tỷ số trận đấu» finds «tỷ lệ», «Mặt trận», «phấn đấu»; a
    follow-up adding no pair is judged by its closeness alone."""
    own = content_pairs(query.question) - content_pairs(query.leans_on)
    return bool(own) and any(2 * len(own & content_pairs(text)) >= len(own) for text in texts)


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


# "Bộ luật Lao động": a document named by its kind and a capitalised name of two words («pháp luật Việt Nam»
# and «kỷ luật Đảng» name none).
_NAMED_DOC = re.compile(r"(?<!pháp )(?<!kỷ )(?<!kỉ )\b(?:bộ luật|luật|nghị định|nghị quyết|thông tư|chỉ thị|pháp lệnh)"
                        r"\s+(\w+)\s+(\w+)", re.IGNORECASE)
# «nghị định 145/2020», «NĐ 59/2024»: a document named by its kind, number and year, without the suffix.
_NUMBER_AND_YEAR = re.compile(rf"\b(?:{DOC_KINDS_PLAIN}|nd|nq|tt|qd|ct|phap lenh)\s+(?:so\s+)?(\d+/(?:19|20)\d\d)\b(?!/)")
_ISSUED_YEAR = re.compile(r"/((?:19|20)\d\d)/")


def _words(text: str) -> str:
    """Accent-free words between spaces, punctuation dropped: what a passage or title mentions."""
    return " " + " ".join(re.findall(r"\w+", plain_form(text))) + " "


def _name_pattern(name: str) -> re.Pattern:
    """A listed name as a question may type it: any case and accents, its own commas optional, and never a
    part of «pháp luật», «kỷ luật» or «bộ luật» («theo pháp luật, doanh nghiệp …» names no Luật Doanh nghiệp)."""
    pieces = re.split(r"(\s*,\s*|\s+)", plain_form(name).strip())  # words, and the gaps between them
    body = "".join((r",?\s*" if "," in piece else r"\s+") if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
    return re.compile(rf"(?<!phap )(?<!ky )(?<!bo )\b{body}\b")


@lru_cache(maxsize=1)
def _other_documents() -> tuple[tuple[str, re.Pattern, str], ...]:
    """Laws people name in lower case as often as not (bot/data/document_names.txt): (name, how a question
    types it, ``_words`` of it)."""
    return tuple((line.strip(), _name_pattern(line), _words(line)) for line in data_lines("document_names.txt"))


def _typed_numbers(question: str) -> list[str]:
    """Document numbers as the question writes them, or in lower or mixed case («nghi dinh 100/2019/nd-cp», «nq
    24-nq/tw», «59/2023/NĐ-cp»; not «50000/thang» or «2/nam»)."""
    typed = typed_number_spans(question)
    written = [m.group(0) for m in DOC_NUMBER.finditer(question)
               if not any(s <= m.start() and m.end() <= e and (s, e) != m.span() for s, e in typed)]
    return list(dict.fromkeys([*written, *typed_document_numbers(question)]))


def _written_out(name: str) -> str:
    """«nghị quyết TW 7» -> «nghị quyết Trung ương 7»: the documents write the name out."""
    table = abbreviations()
    return re.sub(r"\w+", lambda m: table.get(m.group(0), m.group(0)), name)


def _unknown_document(question: str, known_text: str) -> str | None:
    """A document named by number, by kind and a capitalised name, or by a well-known name in any case
    («luật đất đai»), that known_text (the corpus' titles and the passages) does not mention."""
    known, known_words, asked = plain_form(known_text), _words(known_text), plain_form(question)
    for number in _typed_numbers(question):
        if not mentions_number(known, plain_form(number)):
            return f"document {number} is not in the corpus"
    for number in _NUMBER_AND_YEAR.findall(asked):
        if not re.search(rf"(?<![\d/]){re.escape(number)}\b", known):
            return f"document {number} is not in the corpus"
    for match in _NAMED_DOC.finditer(question):
        name = match.group(0)
        if (match.group(1)[0].isupper() and not match.group(1).isdigit()
                and all(_words(form) not in known_words for form in (name, _written_out(name)))):
            return f"'{name}' is not in the corpus"
    for name, pattern, words in _other_documents():
        if pattern.search(asked) and words not in known_words:
            return f"'{name}' is not in the corpus"
    return None


# A year with its cue: «năm 2025», «giai đoạn 2021–2025», «nhiệm kỳ 2020-2025», «từ năm 2021 đến nay» (a bare
# «2000 hộ», «từ 2000 hộ» is a count; «Việt Nam 2024» has no cue: it is matched with accents when the text has
# them).
_YEAR = {plain: re.compile(rf"\b(?:{'nam|giai doan|nhiem ky' if plain else 'năm|giai đoạn|nhiệm kỳ'})\s+((?:19|20)\d\d)"
                           rf"(?:\s*[-–]\s*((?:19|20)\d\d))?(?![\d/]|[.,]\d)(\s+{'den nay' if plain else 'đến nay'}\b)?")
         for plain in (True, False)}
_NOW_ON = 9999  # «từ năm 2021 đến nay» runs to any year asked after it
_AMENDMENT = re.compile(r"\b(?:sua doi|bo sung|thay the)\b")


def _years(text: str, plain: bool, doc_articles: dict[str, tuple[str, str, set[str]]]) -> list[tuple[int, int]]:
    """The years text names with their cue, as (first, last); not a year naming the version of a document
    named just before it («Bộ luật Hình sự năm 2017»)."""
    text = plain_form(text) if plain else fold(text)
    names = [title_name(title) for _, title, _ in doc_articles.values()] + [w.strip() for _, _, w in _other_documents()]
    years = []
    for match in _YEAR[plain].finditer(text):
        before = _words(text[:match.start()]).strip()
        if fold(match.group(0)).startswith(("năm", "nam")) and any(name and before.endswith(name) for name in names):
            continue
        first = int(match.group(1))
        years.append((first, _NOW_ON if match.group(3) else int(match.group(2) or first)))
    return years


def _asked_years(question: str, doc_articles: dict[str, tuple[str, str, set[str]]]) -> list[tuple[int, int]]:
    """The years a question asks about, accents as typed."""
    return _years(question, typed_without_accents(question), doc_articles)


def _unmentioned_year(question: str, known_text: str, passages: list[Passage],
                      doc_articles: dict[str, tuple[str, str, set[str]]]) -> str | None:
    """A year the question asks about («Năm 2030 Đảng ủy Khối tổ chức mấy lớp tập huấn?», «… sửa đổi năm
    2025») that known_text (the corpus' titles and the passages) does not mention: the documents are of other
    years, and a clause of theirs would answer another question.

    A law stays in force: a year after a retrieved law's own («Năm 2025 bầu trưởng thôn theo trình tự nào?»)
    is no reason, unless the question asks for an amendment.
    """
    in_force = [int(year) for p in passages if p.chunk.doc_id in doc_articles
                for year in _ISSUED_YEAR.findall(doc_articles[p.chunk.doc_id][0])]
    amendment = _AMENDMENT.search(plain_form(question)) is not None
    for first, last in _asked_years(question, doc_articles):
        for year in dict.fromkeys(y for y in (first, last) if y != _NOW_ON):
            if re.search(rf"(?<!\d){year}(?!\d)", known_text) or (in_force and not amendment and min(in_force) <= year):
                continue
            return f"no passage mentions the year {year}"
    return None


def _fact_of_another_year(question: str, figure_sentence: str | None, passages: list[Passage],
                          doc_articles: dict[str, tuple[str, str, set[str]]]) -> str | None:
    """The sentence holding the figure asked for dates it to other years than the question asks about: «năm 2023
    … có bao nhiêu mô hình» is not answered by «Trong 6 tháng đầu năm 2024, … 182 mô hình» (a number of another
    year, stated as if it were the one asked for). A law's rule stays in force whatever year it names."""
    if not figure_sentence:
        return None
    source = next((p.chunk.doc_id for p in passages if figure_sentence in p.chunk.text), None)
    if source in doc_articles:
        return None
    stated = _years(DOC_NUMBER.sub(" ", figure_sentence), False, doc_articles)
    asked = _asked_years(question, doc_articles)
    if not stated or not asked or any(a <= d and c <= b for a, b in asked for c, d in stated):
        return None
    return f"the answering sentence is of {', '.join(str(first) for first, _ in stated)}, not of the year asked"


_ORGAN = r"(?:hoi dong nhan dan|uy ban nhan dan|uy ban mat tran to quoc|toa an nhan dan|vien kiem sat nhan dan)"
_ORGAN_AT_LEVEL = re.compile(rf"\b({_ORGAN})(?: viet nam)? cap (xa|huyen|tinh)\b")
# How far after an organ its level may be named: "Hội đồng nhân dân và Ủy ban nhân dân cấp huyện",
# "Ủy ban nhân dân cấp tỉnh, cấp huyện", "Hội đồng nhân dân các cấp".
_LEVEL_WINDOW = 60


def _organ_text(text: str) -> str:
    """Accent-free, with the abbreviations of organs written out ("UBND" -> "uy ban nhan dan")."""
    plain = plain_form(text)
    for short in ("UBND", "HĐND", "MTTQ"):
        plain = re.sub(rf"\b{plain_form(short)}\b", plain_form(abbreviations()[short]), plain)
    return plain


def _unnamed_organ(query: Query, passages: list[Passage]) -> str | None:
    """'Hội đồng nhân dân cấp huyện' in the question when no passage names that organ at that level."""
    asked = set(_ORGAN_AT_LEVEL.findall(_organ_text(query.question)))
    if not asked:
        return None
    text = _organ_text(" ".join(p.chunk.context + " " + p.chunk.text for p in passages))
    for organ, level in sorted(asked):
        named = any(re.search(rf"\bcap {level}\b|\bcac cap\b", text[m.end():m.end() + _LEVEL_WINDOW])
                    for m in re.finditer(rf"\b{organ}\b", text))
        if not named:
            return f"no passage names {organ} cap {level}"
    return None


def assess(query: Query, passages: list[Passage], fact: Fact | None, fact_sentence: str | None,
           doc_articles: dict[str, tuple[str, str, set[str]]], cfg: AnswerSettings,
           own_dense: float | None = None) -> Evidence:
    """fact: what the question asks for, fact_sentence: the answering sentence that holds it, if one does
    (``extractive.select``); doc_articles: doc id -> (number, title, article numbers) of every legal document
    indexed; own_dense: for a follow-up leaning on the question before it, how close its own words come to the
    passages that answer (``pipeline.own_closeness``)."""
    if not passages:
        return Evidence(False, "nothing retrieved")
    top = passages[: min(3, len(passages))]
    texts = [p.chunk.context + "\n" + p.chunk.text for p in top]
    coverage = max(term_coverage(query, text) for text in texts)
    pairs = [pair_coverage(query, text) for text in texts]
    pair_share = None if pairs[0] is None else max(pairs)
    dense = max((p.dense_score or 0.0) for p in top)
    titles = [f"{number} {title}" for number, title, _ in doc_articles.values()]
    known_text = " ".join(titles) + " " + " ".join(p.chunk.context + " " + p.chunk.text for p in passages)
    missing = (_missing_article(query.question, doc_articles) or _unknown_document(query.question, known_text)
               or _unmentioned_year(query.question, known_text, passages, doc_articles)
               or _fact_of_another_year(query.question, fact_sentence if fact and fact.kind == "figure" else None,
                                        passages, doc_articles)
               or _unnamed_organ(query, passages))
    if missing:
        return Evidence(False, missing, coverage, dense)
    if own_dense is not None and own_dense < cfg.follow_up_min_dense and not _own_words_found(query, texts):
        # leaning on the question before it, «giá vàng hôm nay» finds that question's passages
        return Evidence(False, f"the follow-up's own words are far from the passages (dense {own_dense:.3f})",
                        coverage, dense)
    if fact and fact.required and fact_sentence is None:
        return Evidence(False, f"no answering sentence holds the {fact.kind} asked for", coverage, dense)
    few_pairs = pair_share is None or pair_share < cfg.min_pair_coverage
    if dense < cfg.min_dense_floor or (dense < cfg.min_dense_score and (coverage < cfg.min_term_coverage or few_pairs)):
        pairs_found = "" if pair_share is None else f", pairs {pair_share:.2f}"
        return Evidence(False, f"weak evidence (dense {dense:.3f}, coverage {coverage:.2f}{pairs_found})",
                        coverage, dense)
    return Evidence(True, "", coverage, dense, uncertain=dense < cfg.confident_dense_score and few_pairs)
