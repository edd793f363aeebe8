"""The no-LLM composer: the sentences of the retrieved passages that best match the question, cited."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import takewhile
from typing import Protocol

from bot.documents.model import Chunk, innermost_title
from bot.documents.normalize import sentence_spans
from bot.documents.structure import ARTICLE, CLAUSE, POINT
from bot.retrieval.hybrid import Passage
from bot.retrieval.query import (Query, asked_of_place, asks_which_article, content_pairs, plain_question_words,
                                 typed_without_accents)
from bot.answering.evidence import own_terms, term_coverage, terms_found
from bot.answering.facts import Fact, counted_as_people, expected_fact, figure_predicate, holds, said_of_figure
from bot.settings import AnswerSettings
from bot.answering.prompts import looks_like_injection
from bot.answering.verify import REFUSAL_VI


@dataclass
class Sentence:
    passage: Passage
    start: int  # in the document's display text
    end: int
    text: str
    score: float


# A photo's credit left at the head of the next sentence: «(Ảnh: An Đăng/TTXVN) Nhân kỷ niệm …».
_PHOTO_CREDIT = re.compile(r"^\((?:ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ)\s*:[^)]{0,80}\)\s*", re.IGNORECASE)


def _leading_credit_length(text: str) -> int:
    match = _PHOTO_CREDIT.match(text)
    return match.end() if match and match.end() < len(text) else 0


# A quotation of more words than this is quoted sentence by sentence.
_MAX_QUOTATION_WORDS = 80


def answer_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of a passage as an answer quotes them: a quotation «“… . … .”» closing within
    _MAX_QUOTATION_WORDS stays whole, or the answer would stop inside it, its closing mark lost."""
    spans = sentence_spans(text)
    merged: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        j = i
        while text[start:end].count("“") > text[start:end].count("”") and j + 1 < len(spans):
            j += 1
            end = spans[j][1]
        closed = text[start:end].count("“") <= text[start:end].count("”")
        if j > i and closed and len(text[start:end].split()) <= _MAX_QUOTATION_WORDS:
            merged.append((start, end))
            i = j + 1
        else:
            merged.append(spans[i])
            i += 1
    return merged


def candidate_sentences(query: Query, passages: list[Passage], rank_decay: float) -> list[Sentence]:
    """Every sentence of the passages, scored by the question terms it holds, best first.

    rank_decay: later passages count less at equal overlap (the retrieval rank knows more than word overlap).

    An article's title line ('Điều 33. Hội nghị định kỳ …') answers only a question asking which article.
    """
    titles_answer = asks_which_article(query.question)
    scored = []
    for passage in passages:
        chunk = passage.chunk
        context = chunk.context
        for s, e in answer_sentences(chunk.text):
            s += _leading_credit_length(chunk.text[s:e])
            text = chunk.text[s:e]
            if len(text.split()) < 4 or (ARTICLE.match(text) and not titles_answer):
                continue
            if looks_like_injection(text):  # orders to a model are no answer, and never quoted
                continue
            overlap = 0.5 * term_coverage(query, text) + 0.5 * term_coverage(query, context + " " + text)
            score = overlap / (1 + rank_decay * (passage.rank - 1))
            scored.append(Sentence(passage, chunk.start + s, chunk.start + e, text, score))
    scored.sort(key=lambda s: -s.score)
    # Overlapping chunks repeat sentences: keep the best-scored copy. A chunk that holds a quotation whole
    # gives the copy its whole span («“Khuyết điểm to … rất có hại”.» over the next chunk's «Đó là sai lầm
    # rất to, rất có hại”.»), at the better score.
    kept: list[Sentence] = []
    for sentence in scored:
        same = next((k for k in kept if k.passage.chunk.doc_id == sentence.passage.chunk.doc_id
                     and k.start < sentence.end and sentence.start < k.end), None)
        if same is None:
            kept.append(sentence)
        elif sentence.start <= same.start and same.end <= sentence.end and sentence.text != same.text:
            whole = Sentence(sentence.passage, sentence.start, sentence.end, sentence.text, same.score)
            kept[kept.index(same)] = whole
            kept = [k for k in kept if k is whole or k.passage.chunk.doc_id != whole.passage.chunk.doc_id
                    or not (whole.start <= k.start and k.end <= whole.end)]
    return kept


def repeats(text: str, said: set[tuple[str, str]], asked: set[tuple[str, str]], plain: bool, share: float) -> bool:
    """Does text say again what an answer said (pairs of content syllables: most of the answer's in it, or most
    of its in the answer), and none of the pairs a follow-up asks about anew?"""
    own = content_pairs(text, plain)
    common = len(own & said)
    return (bool(common) and not own & asked
            and (common >= share * len(said) or common >= share * len(own)))


def after_what_was_said(sentences: list[Sentence], query: Query, cfg: AnswerSettings) -> list[Sentence]:
    """A follow-up asks for something new: the sentences repeating the answer to the question it leans on weigh
    less («Việc xây dựng các mô hình đó đem lại tác dụng gì?» after «… chỉ đạo triển khai mô hình nào?» is not
    answered again by «… chỉ đạo … thực hiện hiệu quả mô hình “Dân vận khéo” …», seed_dev sd-008). What the
    questions name is no repeat («Ban Thanh tra nhân dân» in «Ai bầu ra Ban đó?» after its term), nor a refusal."""
    if not query.said_before or REFUSAL_VI in query.said_before:
        return sentences
    answered = content_pairs(query.said_before, query.plain)
    said = answered - content_pairs(query.text, query.plain)
    asked = content_pairs(query.question, query.plain) - answered
    if not said:
        return sentences
    for sentence in sentences:
        if repeats(sentence.text, said, asked, query.plain, cfg.said_before_share):
            sentence.score *= cfg.said_before_weight
    return sorted(sentences, key=lambda s: -s.score)


Closeness = Callable[[list[str]], list[float]]  # how close in meaning each text is to a follow-up's own words


def closest_to_own_words(sentences: list[Sentence], query: Query, closeness: Closeness | None,
                         cfg: AnswerSettings) -> list[Sentence]:
    """A follow-up is searched with the question it leans on, whose words then outweigh its own: among the
    sentences scoring near the best, the one closest in meaning to the follow-up's own words leads when it is
    clearly closer than the best, and the others weigh less the farther they are. «Việc xây dựng các mô hình đó
    đem lại tác dụng gì?» after «… chỉ đạo triển khai mô hình nào …?» is answered by «Việc xây dựng và thực hiện
    các mô hình … đã có hiệu ứng xã hội tích cực …» (seed_dev sd-008), «Trong đó có bao nhiêu mô hình đăng ký
    mới?» by «80 mô hình đăng ký mới.», not the long sentence listing all of them (seed ts-016)."""
    own = own_terms(query)
    stop = plain_question_words() if query.plain else set()  # «dau», «gi»: accent-free question words
    if (closeness is None or not query.leans_on or not sentences
            or len([t for t in own if t not in stop]) < cfg.own_words_min_terms):
        return sentences  # «niêm yết ở đâu?», «ai chủ trì?»: too few words to tell sentences apart by meaning
    best = sentences[0].score
    near = [s for s in sentences if s.score >= cfg.own_words_near * best][:cfg.own_words_sentences]
    closeness_of = closeness([_in_its_place(s) for s in near])
    leader = max(range(len(near)), key=closeness_of.__getitem__)
    lead = closeness_of[leader]
    # short sentences are close to anything short: the leader must hold as many of the follow-up's words
    held = terms_found(own, near[leader].text, query.plain)
    if (lead < closeness_of[0] + cfg.own_words_margin or not held
            or held < terms_found(own, near[0].text, query.plain)):
        return sentences
    weights = [0.5 ** ((lead - close) / cfg.own_words_margin) for close in closeness_of]
    for sentence, weight in zip(near, weights):
        sentence.score *= weight
    for sentence in sentences[len(near):]:  # those not compared weigh as little as the farthest compared
        sentence.score *= min(weights)
    near[leader].score = best
    return sorted(sentences, key=lambda s: -s.score)


def _in_its_place(sentence: Sentence) -> str:
    """A sentence under the title it falls under: «1. Kiểm tra việc thực hiện …» says what it is only under «Điều
    … Nhiệm vụ, quyền hạn của Ban Thanh tra nhân dân»."""
    title = innermost_title(sentence.passage.chunk.context)
    return f"{title}\n{sentence.text}" if title else sentence.text


def focus_passages(sentences: list[Sentence], keep_ratio: float) -> list[Passage]:
    """The passages whose best sentence scores at least keep_ratio of the best one, best first.

    A passage that only shares some words with the question lowers citation precision when it is cited,
    and a small model mixes its figures into the answer (reg_dev rd-019: a deadline from another decree).
    """
    focused: dict[str, Passage] = {}
    for sentence in sentences:  # best first: a passage's first sentence here is its best
        if sentence.score < keep_ratio * sentences[0].score:
            break
        focused.setdefault(sentence.passage.chunk.id, sentence.passage)
    return list(focused.values())


def select_sentences(sentences: list[Sentence], focused: list[Passage], max_sentences: int,
                     keep_ratio: float) -> list[Sentence]:
    """The best sentence, and the next ones of the focused passages close to it in score, in reading order."""
    if not sentences:
        return []
    ids = {p.chunk.id for p in focused}
    best = sentences[0].score
    chosen = [s for s in sentences if s.passage.chunk.id in ids and s.score >= keep_ratio * best][:max_sentences]
    chosen.sort(key=lambda s: (s.passage.rank, s.start))
    return chosen


def _is_lead_in(text: str) -> bool:
    """«… như sau:», or a clause that is only a heading for its points («1. Điều kiện tổ chức biểu quyết trực
    tuyến tại thôn, tổ dân phố», no closing punctuation)."""
    end = text.rstrip()[-1:]
    return end == ":" or (CLAUSE.match(text) is not None and end not in ".;!?…”\")")


def is_list_item(text: str) -> bool:
    return _item_kind(text) is not None


def _item_kind(text: str) -> str | None:
    """'clause' for «2. …», 'point' for «b) …», None for other sentences."""
    return "clause" if CLAUSE.match(text) else "point" if POINT.match(text) else None


def _list_runs(kinds: list[str | None], kind: str) -> list[list[int]]:
    """The items of each list of this kind: runs of sentences that are its items or belong inside them (a
    point inside a clause, a clause's second sentence); any other sentence ends a list."""
    runs: list[list[int]] = []
    current: list[int] | None = None
    for j, k in enumerate(kinds):
        if k == kind:
            current = current if current is not None else []
            current.append(j)
            if len(current) == 1:
                runs.append(current)
        elif current is None or k not in (None, "point" if kind == "clause" else None):
            current = None
    return runs


@dataclass
class _Layout:
    """A passage's answer sentences, read once: their spans and texts, which sentence starts where (document
    positions), and what each is in a list («clause», «point» or None)."""
    passage: Passage
    spans: list[tuple[int, int]]
    texts: list[str]
    index: dict[int, int]
    kinds: list[str | None]

    @classmethod
    def of(cls, passage: Passage) -> _Layout:
        chunk = passage.chunk
        spans = answer_sentences(chunk.text)
        texts = [chunk.text[s:e] for s, e in spans]
        return cls(passage, spans, texts, {chunk.start + s: i for i, (s, _) in enumerate(spans)},
                   [_item_kind(text) for text in texts])

    def sentence(self, j: int) -> Sentence:
        start = self.passage.chunk.start
        return Sentence(self.passage, start + self.spans[j][0], start + self.spans[j][1], self.texts[j], 0.0)

    def mine(self, chosen: list[Sentence]) -> set[int]:
        return {self.index[s.start] for s in chosen if s.passage is self.passage and s.start in self.index}


def complete_lists(chosen: list[Sentence], max_items: int) -> list[Sentence]:
    """A chosen lead-in («… như sau:») brings the list that follows it, and two items of one list bring the
    rest of it: a list cut after three items reads as if it were all (Luật Điều 9 holds five forbidden acts),
    and a lead-in alone says nothing. A list is taken whole or not at all, within max_items sentences; once a
    list of points is, a stray point of another list of the passage is left out (Nghị định 59 Điều 5: the
    conditions a)–c) of khoản 1, not also b) of khoản 2).

    Only the chunk's own text is read; the items keep the reading order.
    """
    result = list(chosen)
    for passage in {id(s.passage): s.passage for s in chosen}.values():
        layout = _Layout.of(passage)
        mine = layout.mine(chosen)
        completed_points: set[int] = set()
        for kind in ("clause", "point"):
            for run in _list_runs(layout.kinds, kind):
                led = run[0] - 1 in mine and _is_lead_in(layout.texts[run[0] - 1])
                missing = [j for j in run if j not in mine]
                if not missing or not (led or len(mine & set(run)) >= 2) or len(result) + len(missing) > max_items:
                    continue
                if any(looks_like_injection(layout.texts[j]) for j in missing):  # never quoted (candidate_sentences)
                    continue
                result += [layout.sentence(j) for j in missing]
                mine.update(missing)
                if kind == "point":
                    completed_points.update(run)
        if completed_points:  # (the points of a completed list of clauses are parts of it, never strays)
            strays = {j for run in _list_runs(layout.kinds, "point") if not set(run) <= mine for j in run if j in mine}
            result = [s for s in result if s.passage is not passage or layout.index.get(s.start) not in strays]
    return sorted(result, key=lambda s: (s.passage.rank, s.start))


def continued_lists(chosen: list[Sentence], following: Callable[[Passage], Passage | None],
                    max_items: int) -> tuple[list[Sentence], list[tuple[Passage, Passage]]]:
    """A list quoted from its lead-in to the end of its chunk goes on in the article's next chunks: Luật Điều 11's
    fourteen khoản are cut in four, and an answer quoting the first three read as if they were all. Items are
    added while the next chunk opens with them, within max_items sentences in all, none twice and none that
    gives orders to a model; returns the sentences and (passage, the passage it continues) for each brought."""
    result, added = list(chosen), []
    quoted = {(s.passage.chunk.doc_id, s.start) for s in chosen}
    for passage in list({id(s.passage): s.passage for s in chosen}.values()):
        layout = _Layout.of(passage)
        mine, last = layout.mine(chosen), len(layout.texts) - 1
        kind = layout.kinds[last] if last in mine else None
        run = next((r for r in _list_runs(layout.kinds, kind) if last in r), []) if kind else []
        if not run or run[0] - 1 not in mine or not _is_lead_in(layout.texts[run[0] - 1]):
            continue  # only a list the answer quotes from its lead-in («… các nội dung sau đây:») goes on
        while kind is not None and (after := following(layout.passage)) is not None:
            previous, layout = layout.passage, _Layout.of(after)
            runs = _list_runs(layout.kinds, kind)
            run = runs[0] if runs and runs[0][0] == 0 else []
            items = [layout.sentence(j) for j in run]
            items = [s for s in items if (s.passage.chunk.doc_id, s.start) not in quoted]
            if not run or len(result) + len(items) > max_items or any(looks_like_injection(s.text) for s in items):
                break
            result += items
            quoted.update((s.passage.chunk.doc_id, s.start) for s in items)
            added.append((after, previous))
            kind = kind if run[-1] == len(layout.texts) - 1 else None
    return sorted(result, key=lambda s: (s.passage.rank, s.start)), added


def earlier_lists(chosen: list[Sentence], preceding: Callable[[Passage], Passage | None],
                  max_items: int) -> list[Sentence]:
    """A list quoted from the start of its chunk began in the article's chunk before: «những việc gì xã phải lấy
    ý kiến dân trước khi quyết» found Luật Điều 25's khoản 5–9, whose khoản 1–4 and title sit in the chunk
    before. The items that close the earlier chunks, back to the lead-in or article title opening them, come
    first, when all of them fit within max_items sentences in all; only for a list the answer quotes two items
    of or more, and not when the answer quotes from an earlier chunk already. A passage brought takes the rank
    of the one it comes before, so that the answer keeps the reading order."""
    result = list(chosen)
    quoted = {s.passage.chunk.id for s in chosen}
    for passage in list({id(s.passage): s.passage for s in chosen}.values()):
        layout = _Layout.of(passage)
        kind = layout.kinds[0] if layout.kinds else None
        run = next((r for r in _list_runs(layout.kinds, kind) if r[0] == 0), []) if kind else []
        if len(layout.mine(chosen) & set(run)) < 2 or 0 not in layout.mine(chosen):
            continue
        brought: list[Sentence] = []
        while (before := preceding(layout.passage)) is not None and before.chunk.id not in quoted:
            layout = _Layout.of(before)
            end, runs = len(layout.texts) - 1, _list_runs(layout.kinds, kind)
            inside = (None, "point") if kind == "clause" else (None,)  # a point, or an item's next sentence
            last = runs[-1] if runs and all(layout.kinds[j] in inside for j in range(runs[-1][-1] + 1, end + 1)) else []
            if not last:
                break
            run = list(range(last[0], end + 1))  # the list that closes the chunk, all of it
            opening = layout.texts[run[0] - 1] if run[0] > 0 else ""  # «… sau đây:», or the article's title
            lead = [run[0] - 1] if opening and (_is_lead_in(opening) or ARTICLE.match(opening)) else []
            brought = [layout.sentence(j) for j in lead + run] + brought
            if run[0] > 0:  # the list's opening: all of it is brought, or none
                if lead and len(result) + len(brought) <= max_items and not any(
                        looks_like_injection(s.text) for s in brought):
                    result += brought
                break
    return sorted(result, key=lambda s: (s.passage.rank, s.start))


def with_lead_ins(chosen: list[Sentence]) -> list[Sentence]:
    """A point quoted without the others of its list brings the list's lead-in: «b) Công nhận kết quả bầu thành
    viên Ban Thanh tra nhân dân; …» does not say who does it, «2. Ủy ban Mặt trận Tổ quốc Việt Nam cấp xã có
    trách nhiệm sau đây:» does."""
    result = list(chosen)
    for passage in {id(s.passage): s.passage for s in chosen}.values():
        layout = _Layout.of(passage)
        mine = layout.mine(result)
        for run in _list_runs(layout.kinds, "point"):
            lead = run[0] - 1
            if lead < 0 or lead in mine or not mine & set(run) or not _is_lead_in(layout.texts[lead]):
                continue
            if looks_like_injection(layout.texts[lead]):
                continue
            result.append(layout.sentence(lead))
            mine.add(lead)
    return sorted(result, key=lambda s: (s.passage.rank, s.start))


def without_other_lists(chosen: list[Sentence], found: Sentence) -> list[Sentence]:
    """A fact's answer without the points of lists other than the fact's own: «chậm nhất là 15 ngày» (khoản 2)
    is not preceded by «g) Thông qua mạng viễn thông, …» of khoản 1's list of forms."""
    layout = _Layout.of(found.passage)
    own = next((set(run) for run in _list_runs(layout.kinds, "point") if layout.index.get(found.start) in run), set())
    return [s for s in chosen
            if s.passage is not found.passage or not POINT.match(s.text) or layout.index.get(s.start) in own]


def _with_continuations(focused: list[Passage], continued: list[tuple[Passage, Passage]]) -> list[Passage]:
    """The passages the model reads, each continuation right after the passage it continues (a model reads
    the first few only), none twice."""
    after: dict[str, list[Passage]] = {}
    for passage, continues in continued:
        after.setdefault(continues.chunk.id, []).append(passage)
    result: list[Passage] = []

    def place(passage: Passage) -> None:
        if all(p.chunk.id != passage.chunk.id for p in result):
            result.append(passage)
            for nxt in after.get(passage.chunk.id, []):
                place(nxt)

    for passage in focused:
        place(passage)
    return result


@dataclass
class Selection:
    sentences: list[Sentence]  # every candidate sentence, best first
    focused: list[Passage]  # the passages that answer: quoted, or given to the model
    chosen: list[Sentence]  # the extractive answer
    fact: Fact | None = None  # the kind of fact the question asks for
    fact_sentence: Sentence | None = None  # the best answering sentence that holds it
    # how many focused passages, first, state that fact (with the chunks its list goes on in; a rule and the
    # article it applies to)
    stating: int = 1

    @property
    def read(self) -> list[Passage]:
        """What the model reads: the passages stating the fact asked for where one does, else all that answer.
        Other passages only dilute a fact, and a small model mixes them in: for «thuc hien phap luat ve dan chu o
        co so co y nghia gi» it listed the Luật's principles from the second passage (seed_dev sd-020)."""
        return self.focused[:self.stating] if self.fact_sentence is not None else self.focused


def _fact_sentence(fact: Fact, query: Query, asked: str, plain: bool, sentences: list[Sentence],
                   focused: list[Passage], cfg: AnswerSettings) -> Sentence | None:
    """The best sentence holding the fact among those of the passages that answer and, for a required fact
    (the evidence rules refuse without it), the best few; for a fact that only picks the sentence, any
    sentence scoring at least fact_keep_ratio of the best (seed ts-038: the definition sits in the second
    passage), never a weak one from a far passage. The answering passages' sentences go first: «hằng năm rà
    soát, đánh giá hương ước vào ngày nào» is answered by Điều 15's «ngày 18 tháng 11», not by the deadline
    of a report in the next passage («Trước ngày 30 tháng 11 hằng năm, …»).

    The fact often sits in the sentence after the one that repeats the question's words (Nghị định 61 Điều 9:
    «… phải được niêm yết công khai …» then «Thời hạn niêm yết … không ít hơn 30 (ba mươi) ngày»).

    A figure said of what the question says it of goes before the others: «… bao nhiêu phần trăm hộ tán
    thành?» is answered by Điều 10's «trên 50% … tán thành», not Điều 7's «10% … đồng thuận» (seed ts-046).

    Before a required fact is refused, a sentence beyond those, scoring at least fact_keep_ratio of the best,
    holds it if it holds most of the question's words itself: «hội nghị định kỳ của thôn tổ chức mấy lần 1
    năm» is answered by Luật Điều 33's «… định kỳ mỗi năm một lần …» at the second passage, the seventh best
    sentence; «phụ cấp hàng tháng cho trưởng thôn là bao nhiêu tiền» is not by a «50%» of another rule.
    """
    ids = {p.chunk.id for p in focused}
    best = sentences[0].score if sentences else 0.0
    if fact.required:
        pool = [s for i, s in enumerate(sentences) if i < cfg.evidence_sentences or s.passage.chunk.id in ids]
    else:
        pool = [s for s in sentences if s.passage.chunk.id in ids or s.score >= cfg.fact_keep_ratio * best]
    def answering_first(candidates: list[Sentence]) -> list[Sentence]:  # by score within each group
        return sorted(candidates, key=lambda s: s.passage.chunk.id not in ids)

    holding = [s for s in answering_first(pool) if holds(fact, s.text, asked, plain, s.passage.chunk.context)]
    if not holding and fact.required:
        holding = [s for s in sentences if s.score >= cfg.fact_keep_ratio * best and s not in pool
                   and term_coverage(query, s.text) >= cfg.far_fact_coverage
                   and holds(fact, s.text, asked, plain, s.passage.chunk.context)]
    predicate = figure_predicate(asked) if fact.kind == "figure" else []
    if predicate:  # the figure said of what the question says it of, first (sort is stable)
        holding.sort(key=lambda s: -said_of_figure(fact, s.text, asked, plain, predicate))
    found = holding[0] if holding else None
    people = counted_as_people(fact, plain) if found is None else None
    if people is None:
        return found
    # a sentence naming the role it counts answers from any passage retrieved («ban ttnd xa duoc may pho truong
    # ban»: NĐ 59 Điều 13 at the second passage)
    return next((s for s in answering_first(sentences if people.named else pool) if holds(people, s.text, asked, plain)),
                None)


def asked_fact(query: Query) -> tuple[Fact | None, str, bool]:
    """The fact asked for, the question that asks for it, and whether that was typed without accents.

    A follow-up that asks the same of another place («Thế còn ở doanh nghiệp nhà nước thì sao?») asks for
    the count, date or duration that the question it leans on asked for («… có bao nhiêu thành viên?»);
    other kinds name their subject (an office, a term, a speaker), which the new place may not have.
    """
    if query.leans_on and asked_of_place(query.question):
        plain = typed_without_accents(query.leans_on)
        fact = expected_fact(query.leans_on, plain)
        if fact is not None and fact.kind == "figure":
            return fact, query.leans_on, plain
    return expected_fact(query.question, query.plain), query.question, query.plain


class ArticleChunks(Protocol):
    """The chunks around one in its article (``Index``)."""

    def next_in_article(self, chunk: Chunk) -> Chunk | None: ...

    def previous_in_article(self, chunk: Chunk) -> Chunk | None: ...


def select(query: Query, passages: list[Passage], cfg: AnswerSettings,
           articles: ArticleChunks | None = None, closeness: Closeness | None = None) -> Selection:
    """What answers the question, for both backends (``pipeline.gather`` follows references between articles too).
    articles: the chunks around one in its article (the ``Index``), for lists that begin or go on there.
    closeness: of texts to a follow-up's own words, to tell which of the sentences found answers it."""
    sentences = after_what_was_said(candidate_sentences(query, passages, cfg.rank_decay), query, cfg)
    sentences = closest_to_own_words(sentences, query, closeness, cfg)
    focused = focus_passages(sentences, cfg.passage_keep_ratio)
    chosen = select_sentences(sentences, focused, cfg.max_sentences, cfg.sentence_keep_ratio)
    if asks_which_article(query.question):  # the article's title line is the answer, alone
        chosen = [s for s in chosen if ARTICLE.match(s.text)][:1] or chosen
    fact, asked, plain = asked_fact(query)
    stating = 1
    found = _fact_sentence(fact, query, asked, plain, sentences, focused, cfg) if fact else None
    if found is not None:  # the sentence that states the fact answers; other passages' sentences only dilute it
        same = [s for s in chosen if s.passage is found.passage and s is not found]
        kept = sorted(same, key=lambda s: -s.score)[:cfg.max_sentences - 1]
        chosen = sorted([*kept, found], key=lambda s: s.start)
        focused = [found.passage, *(p for p in focused if p is not found.passage)]
    # a question asking for one fact is answered by the sentence holding it, not a list; what a thing means or
    # brings may be one
    if fact is None or fact.kind == "significance":
        chosen = complete_lists(chosen, cfg.max_list_items)
        if articles is not None:
            retrieved = {p.chunk.id: p for p in passages}

            def next_passage(passage: Passage) -> Passage | None:  # the retrieved one, if it was
                chunk = articles.next_in_article(passage.chunk)
                return None if chunk is None else retrieved.get(chunk.id) or Passage(chunk, passage.score, passage.rank)

            def previous_passage(passage: Passage) -> Passage | None:  # at the rank of the one it comes before
                chunk = articles.previous_in_article(passage.chunk)
                return None if chunk is None else Passage(chunk, passage.score, passage.rank)

            # the model reads the passages found, not a list's beginning: it would crowd them out of its window
            chosen = earlier_lists(chosen, previous_passage, cfg.max_list_items)
            chosen, continued = continued_lists(chosen, next_passage, cfg.max_list_items)
            focused = _with_continuations(focused, continued)
            if found is not None:  # the chunks its list goes on in, placed right after it
                going_on = {p.chunk.id for p, _ in continued}
                stating += len(list(takewhile(lambda p: p.chunk.id in going_on, focused[1:])))
    else:  # where a lead-in («… các điều kiện sau đây:») would say nothing without its items
        chosen = [s for s in chosen if s is found or not _is_lead_in(s.text)] or chosen
        if found is not None:
            chosen = without_other_lists(chosen, found)
    chosen = with_lead_ins(chosen)
    return Selection(sentences, focused, chosen, fact, found, stating)
