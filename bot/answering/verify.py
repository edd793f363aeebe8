"""Citation verification: the one check between a model's text and what users read.

Public API (the evaluation harness imports it):

- ``sentence_supported(sentence, passage_text, question=None) -> float`` — how much of a sentence the
  passage holds, 0..1 (mean of content-syllable recall and syllable-bigram recall, on ``fold``-ed text;
  with the question, only what the sentence adds to it counts);
- ``numbers_supported(sentence, passage_texts) -> list[str]`` — the numbers and dates of the sentence
  that none of the texts holds (empty: all found);
- ``verify(answer_text, passages, threshold, question=None) -> VerifiedAnswer`` — split the answer into
  sentences and keep each one only with citations [n] to passages that support it:
  * a marker [n] that points at no passage is never shown;
  * a sentence whose cited passages do not support it is re-cited to the passage that does, or dropped;
  * every number or date of a kept sentence occurs in one of its cited passages;
  * a range is not cut to one end, and working days («05 ngày làm việc») are not stated as days;
  * with the question given, a sentence that only restates it supports nothing;
  * questions, repeated sentences and copies of the prompt's frame ("Tài liệu:", "[2] (…)") are dropped;
  * nothing supported, or only the refusal sentence: the answer is the refusal.

Passages are numbered from 1 in the order given, as in the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.documents.normalize import fold, numbers, sentence_spans
from bot.retrieval.query import question_words

REFUSAL_VI = "Tài liệu hiện có không đề cập đến nội dung này."  # the one refusal sentence (types re-exports it)

DEFAULT_THRESHOLD = 0.65
# An answer sentence adds at least this many content syllables to the question.
MIN_NOVEL = 2
# Why a sentence was dropped, when it only echoes the question.
QUESTION_REASON = "a question is no answer"
RESTATES_REASON = "it only restates the question"
ECHO_REASONS = (QUESTION_REASON, RESTATES_REASON)
# A cited passage that supports a sentence this much less than another passage gives way to it.
RECITE_MARGIN = 0.3

# [1], [1, 2], [1][2], [1-2] as models write them; also "[Đoạn 1]" / "[đoạn 2]".
_MARKER = re.compile(r"\[\s*(?:đoạn\s*|doan\s*)?(\d+(?:\s*[,;\-–]\s*\d+)*)\s*\]", re.IGNORECASE)
# A marker group right after a sentence's end belongs to that sentence: "… văn bản. [1] Tiếp" -> "… văn bản [1]. Tiếp".
_MARKERS_AFTER_END = re.compile(r"([.!?;…])((?:\s*" + _MARKER.pattern + r")+)", re.IGNORECASE)
# List bullets and numbering at a line's start: shown, but neither content nor a figure of the answer.
_BULLET = re.compile(r"^\s*(?:[-*•+]+|\d{1,2}[.)]|[a-zđ]\))\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


# --- Support ---------------------------------------------------------------------------------

def _syllables(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?…])", r"\1", _MARKER.sub(" ", text)).strip()


# "Theo tài liệu [2], …", "Trong đoạn tài liệu, …": where the model read it, not what it claims.
_PREAMBLE = re.compile(r"^\s*(?:theo|trong|dựa (?:theo|vào)|căn cứ(?: vào)?)\s+(?:các\s+|những\s+)?(?:đoạn\s+)?"
                       r"(?:tài liệu|văn bản|thông tin)(?:\s+(?:trên|này|được cung cấp|hiện có))?\s*,?\s*",
                       re.IGNORECASE)


# Talk about the passages rather than their content: "tài liệu cung cấp thông tin cụ thể về …".
_META = re.compile(r"\b(?:các\s+|những\s+)?(?:đoạn\s+)?tài liệu(?:\s+(?:trên|này|hiện có|được cung cấp))?"
                   r"(?:\s+(?:có|cung cấp|nêu(?:\s+rõ)?|cho biết|đề cập(?:\s+(?:đến|tới))?))?"
                   r"|\bthông tin cụ thể\b|\bcâu hỏi\b", re.IGNORECASE)


def _content(text: str) -> str:
    """What a sentence claims: no markers, bullet, preamble, talk about the passages or markdown emphasis."""
    text = _BULLET.sub("", strip_markers(text)).replace("**", "").replace("__", "")
    return _META.sub(" ", _PREAMBLE.sub("", text))


def _content_syllables(text: str) -> list[str]:
    stop = question_words()
    return [w for w in _syllables(_content(text)) if w not in stop]


def novel_terms(sentence: str, question: str) -> list[str]:
    """Content syllables of the sentence that the question does not already hold: what it adds."""
    asked = set(_syllables(question))
    return [w for w in _content_syllables(sentence) if w not in asked]


def _restates(novel: list[str]) -> bool:
    """Too little added to the question to be an answer (a figure alone is enough: '… tổ chức 3 lớp')."""
    return len(novel) < MIN_NOVEL and not any(w.isdigit() for w in novel)


def sentence_supported(sentence: str, passage_text: str, question: str | None = None) -> float:
    """Share of the sentence found in the passage: mean of content-syllable and bigram recall (0..1).

    With the question: a sentence that adds fewer than MIN_NOVEL syllables to it and no figure (an echo of
    the question) scores 0, and the score is at most the share of what it adds that the
    passage holds — words of the question, found in every passage on the topic, prove nothing.
    """
    words = _syllables(_content(sentence))
    if not words:
        return 0.0
    haystack = _syllables(passage_text)
    vocabulary = set(haystack)
    stop = question_words()
    content = [w for w in words if w not in stop] or words
    unigram = sum(w in vocabulary for w in content) / len(content)
    if len(words) < 2:
        score = unigram
    else:
        pairs = set(zip(haystack, haystack[1:]))
        bigrams = list(zip(words, words[1:]))
        score = (unigram + sum(b in pairs for b in bigrams) / len(bigrams)) / 2
    if question is None:
        return score
    novel = novel_terms(sentence, question)
    if _restates(novel):
        return 0.0
    return min(score, sum(w in vocabulary for w in novel) / len(novel))


def _number_forms(text: str) -> tuple[set[str], set[str]]:
    """Numbers as written (leading zeros dropped) and their parts split at '/', for dates."""
    whole = set(numbers(text))
    parts = {p.lstrip("0") or "0" for n in whole for p in n.split("/")}
    return whole, parts


# "từ 03 đến 09 thành viên": a range, which a sentence must not cut to one end ("có 09 thành viên").
_RANGE = re.compile(r"\btừ\s+(\d[\d.,]*)\s*(?:\([^)]{1,30}\)\s*)?(?:đến|tới)\s+(\d[\d.,]*)\s*(?:\([^)]{1,30}\)\s*)?(\w+)")
_COUNTED = re.compile(r"(\d[\d.,]*)\s*(?:\([^)]{1,30}\)\s*)?(\w+)")
# Words that state one end as a bound: "tối đa 09 thành viên", "từ 03 thành viên trở lên".
_BOUND = re.compile(r"\b(?:từ|đến|tới|tối đa|tối thiểu|không quá|không ít hơn|ít nhất|nhiều nhất|trên|dưới|trở lên|"
                    r"trở xuống)\b")


def cut_ranges(sentence: str, passage_texts: Sequence[str]) -> list[str]:
    """The ranges of the passages that the sentence states by one end only, of the same thing and without a
    bound ('3–9' for 'có 09 thành viên' of 'từ 03 đến 09 thành viên': a small model's slip). Checked against
    every passage the model read: another passage's '09 người' does not make it true."""
    text = fold(_content(sentence))
    if _BOUND.search(text):
        return []
    stated = {(n.lstrip("0") or "0", word) for n, word in _COUNTED.findall(text)}
    cut = []
    for passage in passage_texts:
        for low, high, word in _RANGE.findall(fold(passage)):
            ends = [n.lstrip("0") or "0" for n in (low, high)]
            if sum((end, word) in stated for end in ends) == 1:
                cut.append("–".join(ends))
    return cut


# «05 (năm) ngày làm việc»: a count of days, and whether they are working days.
_DAYS = re.compile(r"(?<![\w/.,])(\d+)\s*(?:\([^)]{1,30}\)\s*)?ngày(\s+làm\s+việc)?")  # not «QH15 ngày 10 …»


def lost_working_days(sentence: str, passage_texts: Sequence[str]) -> list[str]:
    """Counts of working days the sentence states as plain days («chậm nhất 05 ngày» of «chậm nhất là 05 ngày
    làm việc»: a small model's slip that changes the deadline), where no passage the model read counts them as
    plain days."""
    plain_days = {n.lstrip("0") or "0" for n, working in _DAYS.findall(fold(_content(sentence))) if not working}
    if not plain_days:
        return []
    working_days, calendar_days = set(), set()
    for passage in passage_texts:
        for n, working in _DAYS.findall(fold(passage)):
            (working_days if working else calendar_days).add(n.lstrip("0") or "0")
    return sorted(plain_days & (working_days - calendar_days), key=int)


def numbers_supported(sentence: str, passage_texts: Sequence[str]) -> list[str]:
    """Numbers and dates of the sentence that no passage holds ('01/7/2023' matches 'ngày 01 tháng 7 năm 2023')."""
    wanted = numbers(_content(sentence))
    if not wanted:
        return []
    whole: set[str] = set()
    parts: set[str] = set()
    for text in passage_texts:
        w, p = _number_forms(text)
        whole |= w
        parts |= p
    missing = []
    for number in wanted:
        if number in whole:
            continue
        if "/" in number and all((piece.lstrip("0") or "0") in parts for piece in number.split("/")):
            continue
        missing.append(number)
    return missing


# --- Verification ------------------------------------------------------------------------------

@dataclass
class CheckedSentence:
    text: str  # as shown, without markers
    claimed: list[int]  # the markers the model wrote
    cited: list[int] = field(default_factory=list)  # after checking; empty when dropped
    support: float = 0.0  # best support among the cited passages (or the best passage when dropped)
    status: str = ""  # supported | recited | connective | refusal | dropped
    reason: str = ""  # why dropped or re-cited (English, for logs)
    sep: str = " "  # what followed the sentence in the model's text

    @property
    def kept(self) -> bool:
        return self.status in ("supported", "recited", "connective")


@dataclass
class VerifiedAnswer:
    text: str  # the checked answer with markers [n] (passage numbers as given), or the refusal
    refused: bool
    sentences: list[CheckedSentence]
    reason: str = ""  # why refused (English)

    @property
    def cited(self) -> list[int]:
        """Passage numbers cited by the kept sentences, in order of first appearance."""
        seen: dict[int, None] = {}
        for sentence in self.sentences:
            if sentence.kept:
                for n in sentence.cited:
                    seen.setdefault(n, None)
        return list(seen)

    @property
    def echoed(self) -> bool:
        """Refused because every sentence only asks or repeats the question."""
        return self.refused and bool(self.sentences) and all(s.reason in ECHO_REASONS for s in self.sentences)

    @property
    def dropped(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.status == "dropped"]

    @property
    def faithfulness(self) -> float:
        """Share of the model's claims (sentences, connectives and refusals aside) supported as it cited them."""
        claims = [s for s in self.sentences if s.status not in ("connective", "refusal")]
        if not claims:
            return 1.0
        return sum(1 for s in claims if s.status == "supported") / len(claims)


def _passage_text(passage: object) -> str:
    if isinstance(passage, str):
        return passage
    chunk = getattr(passage, "chunk", passage)
    context = getattr(chunk, "context", "") or getattr(chunk, "heading", "")
    return f"{context}\n{chunk.text}" if context else chunk.text


def _marker_numbers(group: str) -> list[int]:
    out: list[int] = []
    for piece in re.split(r"\s*[,;]\s*", group):
        if re.search(r"[\-–]", piece):
            low, high = (int(x) for x in re.split(r"\s*[\-–]\s*", piece)[:2])
            out.extend(range(low, min(high, low + 10) + 1))
        elif piece.strip():
            out.append(int(piece))
    return out


# Lines of the prompt that a model may copy back: "Tài liệu:", "[2] (Nghị định … › Điều 5)", "Câu hỏi: …".
_PROMPT_ECHO = re.compile(r"^[ \t]*(?:(?:tài liệu|trả lời|câu trả lời)[ \t]*:[ \t]*|\[\d+\][ \t]*\([^)\n]*\)[ \t]*"
                          r"|câu hỏi[ \t]*:.*)$", re.IGNORECASE | re.MULTILINE)
_ANSWER_LABEL = re.compile(r"^\s*(?:câu\s+)?trả lời\s*:\s*", re.IGNORECASE)


def split_sentences(answer_text: str) -> list[tuple[str, list[int], str]]:
    """(sentence without markers, marker numbers, separator after it) for each sentence of a model's text.

    Lines that copy the prompt's frame (labels, passage headers, the question) are left out.
    """
    text = _ANSWER_LABEL.sub("", _PROMPT_ECHO.sub("", answer_text.strip()).strip())
    text = _MARKERS_AFTER_END.sub(lambda m: f"{m.group(2)}{m.group(1)}", text)
    out = []
    spans = sentence_spans(text)
    for i, (s, e) in enumerate(spans):
        raw = text[s:e]
        claimed: list[int] = []
        for match in _MARKER.finditer(raw):
            claimed.extend(n for n in _marker_numbers(match.group(1)) if n not in claimed)
        shown = strip_markers(raw)
        following = text[e:spans[i + 1][0]] if i + 1 < len(spans) else ""
        sep = "\n" if "\n" in following else " "
        if shown.strip(" .;,:!?…-*"):
            out.append((shown, claimed, sep))
        elif out and claimed:  # a marker alone on its line: it belongs to the sentence before
            prev_text, prev_claimed, _ = out[-1]
            out[-1] = (prev_text, prev_claimed + [n for n in claimed if n not in prev_claimed], sep)
    return out


# A small model words the refusal its own way: «Tài liệu không cung cấp thông tin cụ thể về …».
_REFUSAL_WORDING = re.compile(
    r"^(?:(?:các|những) )?(?:đoạn )?(?:tài liệu|văn bản)(?: \w+){0,3}? không (?:đề cập|cung cấp|nêu|nói|chứa"
    r"|có thông tin|quy định)|^(?:tôi )?không (?:có|tìm thấy|tìm được) thông tin\b|^(?:tôi )?không (?:thể trả lời|biết)\b")


def _is_refusal(sentence: str) -> bool:
    said = " ".join(_syllables(sentence))
    return " ".join(_syllables(REFUSAL_VI)) in said or _REFUSAL_WORDING.search(said) is not None


def _check(sentence: CheckedSentence, texts: list[str], threshold: float, question: str | None) -> None:
    """Set sentence.cited/status/support from the passages."""
    cut = cut_ranges(sentence.text, texts)
    if cut:
        sentence.status, sentence.reason = "dropped", f"ranges {cut} cut to one end"
        return
    lost = lost_working_days(sentence.text, texts)
    if lost:
        sentence.status, sentence.reason = "dropped", f"working days {lost} stated as days"
        return
    valid = [n for n in sentence.claimed if 1 <= n <= len(texts)]
    scores = {n: sentence_supported(sentence.text, texts[n - 1], question) for n in range(1, len(texts) + 1)}
    best = max(scores.values(), default=0.0)
    # A cited passage must support the sentence, and not far less than the best passage does.
    supporting = [n for n in valid if scores[n] >= threshold and scores[n] >= best - RECITE_MARGIN]
    if supporting and not numbers_supported(sentence.text, [texts[n - 1] for n in supporting]):
        sentence.cited = supporting
        sentence.support = max(scores[n] for n in supporting)
        sentence.status = "supported" if supporting == valid and valid == sentence.claimed else "recited"
        if sentence.status == "recited":
            sentence.reason = f"markers {sentence.claimed} -> {supporting}"
        return
    # Re-cite: the best passage that supports the sentence and holds its numbers.
    ranked = sorted(scores, key=lambda n: -scores[n])
    for n in ranked:
        if scores[n] < threshold:
            break
        if not numbers_supported(sentence.text, [texts[n - 1]]):
            sentence.cited = [n]
            sentence.support = scores[n]
            sentence.status = "recited"
            sentence.reason = f"markers {sentence.claimed} -> [{n}]"
            return
    sentence.support = scores[ranked[0]] if ranked else 0.0
    sentence.status = "dropped"
    if question is not None and _restates(novel_terms(sentence.text, question)):
        sentence.reason = RESTATES_REASON
    elif ranked and scores[ranked[0]] >= threshold:
        missing = numbers_supported(sentence.text, [texts[ranked[0] - 1]])
        sentence.reason = f"numbers {missing} not in a supporting passage"
    else:
        sentence.reason = f"no passage supports it (best {sentence.support:.2f})"


def render(sentences: Sequence[CheckedSentence], number: dict[int, int] | None = None) -> str:
    """The kept sentences with their markers; number maps passage numbers to shown numbers."""
    parts: list[str] = []
    for sentence in sentences:
        if not sentence.kept:
            continue
        text = sentence.text.rstrip()
        if sentence.cited:
            marks = "".join(f"[{number.get(n, n) if number else n}]" for n in sentence.cited)
            text = f"{text} {marks}"
        parts.append(text + sentence.sep)
    return "".join(parts).strip()


def verify(answer_text: str, passages: Sequence[object], threshold: float = DEFAULT_THRESHOLD,
           question: str | None = None) -> VerifiedAnswer:
    """Check a model's answer against the passages it was given (strings, Passages or Chunks).

    With the question, sentences that only restate it are dropped (see ``sentence_supported``).
    """
    texts = [_passage_text(p) for p in passages]
    checked: list[CheckedSentence] = []
    seen: set[str] = set()
    for text, claimed, sep in split_sentences(answer_text):
        sentence = CheckedSentence(text, claimed, sep=sep)
        key = " ".join(_syllables(_content(text)))
        if _is_refusal(text):
            sentence.status = "refusal"
        elif key in seen:  # small models loop: a sentence said twice is shown once
            sentence.status = "dropped"
            sentence.reason = "repeats an earlier sentence"
        elif text.rstrip(" \"'”*").endswith("?"):  # models echo the question, or ask one: no claim either way
            sentence.status = "dropped"
            sentence.reason = QUESTION_REASON
        elif text.rstrip().endswith(":") and len(_syllables(text)) <= 20:
            sentence.status = "connective"  # "Các nội dung gồm:" — kept only before a kept sentence
        else:
            _check(sentence, texts, threshold, question)
        if sentence.kept:
            seen.add(key)
        checked.append(sentence)
    # A connective stays when a kept claim follows it and its own numbers are in a cited passage.
    for i, sentence in enumerate(checked):
        if sentence.status != "connective":
            continue
        later = [s for s in checked[i + 1:] if s.status in ("supported", "recited")]
        cited_texts = [texts[n - 1] for s in checked if s.status in ("supported", "recited") for n in s.cited]
        if not later or numbers_supported(sentence.text, cited_texts):
            sentence.status = "dropped"
            sentence.reason = "connective without a supported claim after it"
    if not any(s.status in ("supported", "recited") for s in checked):
        reason = ("the model refused" if any(s.status == "refusal" for s in checked)
                  else "empty answer" if not checked else "no sentence is supported by the passages")
        return VerifiedAnswer(REFUSAL_VI, True, checked, reason)
    return VerifiedAnswer(render(checked), False, checked)
