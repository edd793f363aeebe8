"""The no-LLM composer: the sentences of the retrieved passages that best match the question, cited."""

from __future__ import annotations

from dataclasses import dataclass

from bot.documents.normalize import sentence_spans
from bot.documents.structure import ARTICLE
from bot.retrieval.hybrid import Passage
from bot.retrieval.query import Query
from bot.answering.evidence import term_coverage
from bot.answering.prompts import looks_like_injection

# Later passages count a little less than earlier ones at equal overlap.
_RANK_DECAY = 0.08


@dataclass
class Sentence:
    passage: Passage
    start: int  # in the document's display text
    end: int
    text: str
    score: float


def candidate_sentences(query: Query, passages: list[Passage]) -> list[Sentence]:
    """Every sentence of the passages, scored by the question terms it holds, best first."""
    scored = []
    for passage in passages:
        chunk = passage.chunk
        context = chunk.context
        for s, e in sentence_spans(chunk.text):
            text = chunk.text[s:e]
            if len(text.split()) < 4 or ARTICLE.match(text):  # a bare "Điều N. title" answers nothing
                continue
            if looks_like_injection(text):  # orders to a model are no answer, and never quoted
                continue
            overlap = 0.5 * term_coverage(query, text) + 0.5 * term_coverage(query, context + " " + text)
            score = overlap / (1 + _RANK_DECAY * (passage.rank - 1))
            scored.append(Sentence(passage, chunk.start + s, chunk.start + e, text, score))
    scored.sort(key=lambda s: -s.score)
    unique: dict[tuple[str, int], Sentence] = {}
    for sentence in scored:  # overlapping chunks repeat sentences: keep the best-ranked copy
        unique.setdefault((sentence.passage.chunk.doc_id, sentence.start), sentence)
    return list(unique.values())


def select_sentences(sentences: list[Sentence], max_sentences: int, keep_ratio: float) -> list[Sentence]:
    """The best sentence, and the next ones close to it in score, in reading order per passage."""
    if not sentences:
        return []
    best = sentences[0].score
    chosen = [s for s in sentences[:max_sentences] if s.score >= keep_ratio * best]
    chosen.sort(key=lambda s: (s.passage.rank, s.start))
    return chosen
