"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by reciprocal rank."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from bot.documents.model import Chunk, innermost_title
from bot.documents.normalize import fold, plain_form
from bot.indexing.index import Index
from bot.indexing.lexical import doc_numbers, plain_tokens, word_tokens
from bot.retrieval.query import (Query, article_references, asks_which_article, expand_abbreviations, mentions_number,
                                 named_documents, plain_question_words, question_words, restore_accents)
from bot.retrieval.scope import fits, passage_scope, question_scope


@dataclass
class Passage:
    chunk: Chunk
    score: float  # fused RRF score
    rank: int  # 1-based
    dense_score: float | None = None  # cosine similarity, when the dense retriever found it
    lexical_rank: int | None = None


def rrf(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the lists that hold an id."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def _content_tokens(tokens: list[str]) -> list[str]:
    stop = question_words()
    return [t for t in tokens if not all(part in stop for part in t.split("_"))]


def _article_candidates(index: Index, query: Query, named: set[str], lexical_order: list[str]) -> list[str]:
    """Chunks of the articles the question names ('Điều 33 của Luật …'), of the documents it names if any."""
    numbers = article_references(query.question)
    if not numbers:
        return []
    documents = index.doc_articles()
    candidates = [cid for doc_id, number in ((d, n) for d in (named or documents) for n in numbers)
                  for cid in index.article_chunks(doc_id, number)]
    order = {cid: rank for rank, cid in enumerate(lexical_order)}
    return sorted(candidates, key=lambda cid: order.get(cid, len(order)))


_ARTICLE_TITLE = re.compile(r"^\s*Điều\s+\d+[a-z]?\.\s*(.+)$")
# «những nội dung nào», «những việc gì»: a question asking for a list, which an article's title may announce
_ASKS_FOR_A_LIST = re.compile(r"\bnhung\b(?:\s+\w+){0,3}\s+(?:gi|nao)\b")
# «… có nhiệm vụ quyền hạn gì?» asks for what a title opens with («Nhiệm vụ, quyền hạn của Ban …»)
# («thế nào» asks how, «khi nào», «lúc nào» when; «Nhiệm vụ, quyền hạn của Ban … là gì?» asks for it too)
_ASKS_FOR_HEAD = r"\b{0} {1}\b(?:\s+\w+){{0,3}}?\s+(?<!the )(?<!khi )(?<!luc )(?:gi|nao)\b|^{0} {1}\b.*\bla gi$"
_ECHO_MIN_WORDS = 4  # shared title words: fewer («Hương ước, quy ước») name a subject, not an article's topic
_ECHO_SHARE = 0.5  # of the title's words in the question, and of the question's words in the title


def _echoed_titles(index: Index, query: Query, candidates: list[str]) -> list[str]:
    """The candidates (best echo first) whose article title a list question repeats, head first: «Nhân dân …
    bàn và quyết định những nội dung nào?» is «Điều 15. Những nội dung Nhân dân bàn và quyết định», not
    Điều 16 («Đề xuất nội dung để Nhân dân bàn và quyết định») whose sentences share as many words but only
    point to Điều 15's list. So does a question asking which article holds a rule («điều nào quy định hình thức
    công khai thông tin ở dnnn»: Điều 65, not Điều 66 that refers to its forms), and one asking for what a title
    opens with («BTTND ở dnnn có nhiệm vụ quyền hạn gì»: «Điều 78. Nhiệm vụ, quyền hạn của Ban Thanh tra nhân
    dân ở doanh nghiệp nhà nước»). Other questions reuse titles' words for other things (ALQAC dev: hit@1 0.94
    -> 0.84 without the restriction)."""
    text = plain_form(query.text)
    # (typed with accents, «nhưng» is no «những»)
    any_title = asks_which_article(query.question) or (
        _ASKS_FOR_A_LIST.search(text) is not None and (query.plain or "những" in fold(query.text)))
    own = " ".join(re.findall(r"\w+", plain_form(query.question)))  # this turn, not the question leaned on
    asked = set(plain_tokens(query.text))  # syllables and adjacent pairs («noi_dung»)
    stop = plain_question_words()
    question = {w for w in re.findall(r"\w+", text) if w not in stop}
    echoed = []
    for cid in candidates:
        chunk = index.chunk(cid)
        title = _ARTICLE_TITLE.match(innermost_title(chunk.context)) if chunk is not None else None
        if title is None:
            continue
        ordered = [w for w in re.findall(r"\w+", plain_form(title.group(1))) if w not in stop]
        words = set(ordered)
        shared = words & asked
        if len(ordered) < 2 or not (any_title or re.search(_ASKS_FOR_HEAD.format(*ordered[:2]), own)):
            continue
        if (f"{ordered[0]}_{ordered[1]}" in asked and len(shared) >= _ECHO_MIN_WORDS
                and len(shared) >= _ECHO_SHARE * len(words) and len(words & question) >= _ECHO_SHARE * len(question)):
            echoed.append((-len(words & question), len(echoed), cid))
    return [cid for *_, cid in sorted(echoed)]


def _document_candidates(index: Index, named: set[str], candidates: list[str]) -> list[str]:
    """The candidates (in the order given) of the documents the question names ('theo Luật Thực hiện dân chủ
    ở cơ sở', 'Nghị định 61'); none when it names none, or every one."""
    if not named or len(named) == len(index.doc_articles()):
        return []
    return list(dict.fromkeys(cid for cid in candidates
                              if (chunk := index.chunk(cid)) is not None and chunk.doc_id in named))


def _citing_candidates(index: Index, query: Query, candidates: list[str]) -> list[str]:
    """The candidates (in the order given) that cite a document number the question types and no indexed
    document bears: «nq 25-nq/tw là nq về cái gì» is answered by the news article naming «Nghị quyết số
    25-NQ/TW», not by the articles numbered 25 of the decrees."""
    own = {plain_form(number) for number, _, _ in index.doc_articles().values() if number}
    numbers = [n for n in dict.fromkeys(map(plain_form, doc_numbers(query.text))) if n not in own]
    if not numbers:
        return []
    def cites(chunk: Chunk) -> bool:
        text = plain_form(chunk.text)
        return any(mentions_number(text, n) for n in numbers)

    return list(dict.fromkeys(cid for cid in candidates if (chunk := index.chunk(cid)) is not None and cites(chunk)))


def _lift_by_article(index: Index, vector: list[float], fused: dict[str, float], weight: float, depth: int,
                     k: int) -> None:
    """Candidates gain weight / (k + rank) by how well their whole article matches the question."""
    matrix, groups = index.article_vectors()
    if not groups:
        return
    similarity = matrix @ np.asarray(vector, dtype=np.float32)
    top = np.argpartition(-similarity, depth)[:depth] if len(groups) > depth else np.arange(len(groups))
    for rank, article in enumerate(top[np.argsort(-similarity[top])], start=1):
        for cid in groups[article]:
            if cid in fused:
                fused[cid] += weight / (k + rank)


def _asked_scope(query: Query) -> str | None:
    """The question's scope; a follow-up naming one has its own: the standalone «xã phải công khai … Còn ở cơ
    quan thì sao?» names two, the user asks of one."""
    own = (question_scope(" ".join([query.question, *expand_abbreviations(query.question)]), query.plain)
           if query.leans_on else None)  # «còn DNNN thì sao»
    return own or question_scope(query.text, query.plain)


def _weigh_by_scope(index: Index, query: Query, fused: dict[str, float], mismatch: float, named: set[str]) -> None:
    """Candidates whose titles apply them to another scope than the question names weigh less: the law repeats
    its rules for the xã, the cơ quan and the doanh nghiệp, in the same words. An article the question names
    keeps its weight."""
    asked = _asked_scope(query)
    if asked is None:
        return
    for cid in fused:
        chunk = index.chunk(cid)
        scope = passage_scope(chunk.context) if chunk is not None else None
        if scope is not None and not fits(asked, scope) and cid not in named:
            fused[cid] *= mismatch


def retrieve(index: Index, query: Query, k: int | None = None, timings: dict[str, float] | None = None) -> list[Passage]:
    cfg = index.settings.retrieval
    k = k or cfg.top_k
    timings = timings if timings is not None else {}

    started = time.perf_counter()
    text = query.text
    if query.plain:  # the encoder and the word index read accented Vietnamese
        text = restore_accents(query.text, index.accents)
    vector = index.embeddings.embed_query(text)
    dense = index.dense.search(vector, cfg.candidates)
    timings["dense_ms"] = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    lexical = index.lexical.search(_content_tokens(word_tokens(text)), cfg.candidates)
    rankings = [[cid for cid, _ in dense], [cid for cid, _ in lexical]]
    weights = [cfg.dense_weight, cfg.lexical_weight]
    # Syllables and syllable pairs without diacritics: the only word index an accent-free question can
    # use, and for any question a phrase match (pairs) that single words miss.
    pairs_weight = cfg.lexical_weight if query.plain else cfg.phrase_weight
    if pairs_weight:
        accentless = index.lexical.search(plain_tokens(query.text), cfg.candidates, plain=True)
        rankings.append([cid for cid, _ in accentless])
        weights.append(pairs_weight)
    timings["lexical_ms"] = (time.perf_counter() - started) * 1000

    named = named_documents(query.question, index.doc_articles())
    articles = _article_candidates(index, query, named, [cid for cid, _ in lexical])
    if articles:
        rankings.append(articles)
        weights.append(cfg.article_weight)

    if cfg.document_weight:
        found = [cid for cid, _ in lexical] + [cid for cid, _ in dense]
        for in_named in (_document_candidates(index, named, found), _citing_candidates(index, query, found)):
            if in_named:
                rankings.append(in_named)
                weights.append(cfg.document_weight)

    if cfg.title_echo_weight:
        echoed = _echoed_titles(index, query, list(dict.fromkeys([cid for cid, _ in lexical] + [cid for cid, _ in dense])))
        if echoed:
            rankings.append(echoed)
            weights.append(cfg.title_echo_weight)
    fused = rrf(rankings, weights, cfg.rrf_k)
    if cfg.article_dense_weight:
        started = time.perf_counter()
        _lift_by_article(index, vector, fused, cfg.article_dense_weight, cfg.candidates, cfg.rrf_k)
        timings["articles_ms"] = (time.perf_counter() - started) * 1000
    if cfg.scope_mismatch != 1.0:
        _weigh_by_scope(index, query, fused, cfg.scope_mismatch, set(articles))
    dense_scores = dict(dense)
    lexical_ranks = {cid: rank for rank, (cid, _) in enumerate(lexical, start=1)}
    passages = []
    for cid, score in sorted(fused.items(), key=lambda item: -item[1]):
        chunk = index.chunk(cid)
        if chunk is None:  # in Chroma but not (yet) in the catalog: never shown
            continue
        passages.append(Passage(chunk, score, len(passages) + 1, dense_scores.get(cid), lexical_ranks.get(cid)))
        if len(passages) == k:
            break
    return passages
