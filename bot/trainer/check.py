"""Every item against its quotes, with the shared citation verifier (``bot.answering.verify``).

``check_item`` sets ``item.checked``, ``item.support`` and ``item.flags`` (empty: verified):

- each quote is a verbatim span of its document (``document.text[start:end] == quote``, re-found
  when only the offsets moved) of at most 200 characters;
- the answer is supported by the quotes: ``verify.sentence_supported(answer, quotes) >= threshold``,
  and ``verify.numbers_supported`` finds every figure of it in a quote; for MCQ the correct option
  too (a short option also counts as supported when the quotes state it word for word, '30 ngày'
  for '30 (ba mươi) ngày');
- MCQ: exactly 4 distinct options, one correct index, no "all/none of the above", no distractor
  that the quotes state, and the correct option not given away by the question.

The threshold is the shared one (``settings.llm.support_threshold``; see ``settings.support_threshold``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.documents.model import Document
from bot.trainer.text import fold
from bot.trainer.items import QAItem
from bot.trainer.text import mentions

QUOTE_MAX = 200

FLAG_MESSAGES_VI = {
    "no_document": "Không tìm thấy tài liệu nguồn.",
    "no_source": "Câu hỏi chưa có trích dẫn nguồn.",
    "quote_not_found": "Trích dẫn không có nguyên văn trong tài liệu.",
    "quote_too_long": "Trích dẫn dài hơn 200 ký tự.",
    "empty": "Thiếu câu hỏi hoặc đáp án.",
    "unsupported": "Đáp án không được trích dẫn hỗ trợ (bộ kiểm chứng trích dẫn).",
    "numbers_not_in_quote": "Đáp án có con số hoặc ngày tháng không có trong trích dẫn.",
    "options_count": "Câu trắc nghiệm phải có đúng 4 phương án.",
    "options_not_distinct": "Các phương án trắc nghiệm bị trùng nhau.",
    "no_correct_option": "Chưa chọn phương án đúng.",
    "all_of_the_above": "Không dùng phương án kiểu «tất cả các đáp án trên».",
    "distractor_in_quote": "Một phương án nhiễu lại có trong trích dẫn (có thể cũng đúng).",
    "answer_in_question": "Câu hỏi để lộ đáp án.",
}

_ALL_OF_THE_ABOVE = re.compile(r"tất cả (?:các )?(?:phương án|đáp án|ý)|cả [abcd],? [abcd]"
                               r"|không (?:có )?(?:phương án|đáp án) nào"
                               r"|(?:đáp án|phương án|ý) (?:trên|khác) đều", re.IGNORECASE)

DocLookup = Callable[[str], Document | None] | Mapping[str, Document]


def _lookup(docs: DocLookup) -> Callable[[str], Document | None]:
    if isinstance(docs, Mapping):
        return docs.get
    return docs




def check_item(item: QAItem, docs: DocLookup, threshold: float | None = None) -> QAItem:
    """Verify the item in place (and return it). ``docs``: doc id -> Document (a mapping or a function)."""
    from bot.answering.verify import numbers_supported, sentence_supported  # the one shared verifier
    from bot.trainer.settings import support_threshold

    threshold = support_threshold() if threshold is None else threshold
    find = _lookup(docs)
    flags: list[str] = []
    if not item.question.strip() or not item.answer.strip():
        flags.append("empty")
    if not item.sources:
        flags.append("no_source")
    for source in item.sources:
        doc = find(source.doc)
        if doc is None:
            flags.append("no_document")
            continue
        if len(source.quote) > QUOTE_MAX:
            flags.append("quote_too_long")
        if not source.quote.strip():
            flags.append("quote_not_found")
        elif doc.text[source.start:source.end] != source.quote:
            at = doc.text.find(source.quote)
            if at < 0:
                flags.append("quote_not_found")
            else:
                source.start, source.end = at, at + len(source.quote)
    quotes = [s.quote for s in item.sources if s.quote.strip()]
    passage = "\n".join(quotes)
    support = sentence_supported(item.answer, passage) if quotes and item.answer.strip() else 0.0
    claims = [item.answer] if item.answer.strip() else []
    if item.kind == "mcq" and item.correct_option:
        # A short option ('30 ngày') is supported when the quotes state it ('30 (ba mươi) ngày'),
        # or when the verifier says so.
        option = item.correct_option
        option_support = 1.0 if mentions(passage, option) else sentence_supported(option, passage)
        support = min(support, option_support)
        claims.append(option)
    if quotes and claims:
        if support < threshold:
            flags.append("unsupported")
        if any(numbers_supported(c, quotes) for c in claims):
            flags.append("numbers_not_in_quote")
    if item.kind == "mcq":
        flags.extend(_check_options(item, passage))
    item.support = round(support, 4)
    item.flags = list(dict.fromkeys(flags))
    item.checked = True
    return item


def _check_options(item: QAItem, passage: str) -> list[str]:
    flags = []
    options = [o.strip() for o in item.options]
    if len(options) != 4 or not all(options):
        flags.append("options_count")
    if len({fold(" ".join(o.split())) for o in options}) != len(options):
        flags.append("options_not_distinct")
    if item.correct is None or not 0 <= item.correct < len(options):
        flags.append("no_correct_option")
        return flags
    if any(_ALL_OF_THE_ABOVE.search(o) for o in options):
        flags.append("all_of_the_above")
    correct = options[item.correct]
    if any(mentions(passage, o) for i, o in enumerate(options) if i != item.correct):
        flags.append("distractor_in_quote")
    if len(fold(correct).split()) >= 2 and mentions(item.question, correct):
        flags.append("answer_in_question")
    return flags


def explain(item: QAItem) -> str:
    """The item's flags in Vietnamese, one line ('' when verified)."""
    if not item.checked:
        return "Chưa kiểm chứng."
    return " ".join(FLAG_MESSAGES_VI.get(f, f) for f in item.flags)
