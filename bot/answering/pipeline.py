"""``answer()``: the one entry point every consumer (CLI, UI, API, evaluation) calls.

``answer_stream()`` is the same pipeline for consumers that show the model's text as it comes: it yields
text deltas (the model's raw, unchecked words) and ends with the checked ``Answer``, which is what counts.

Steps: follow-up rewriting (the rule-based ``standalone_question``; the model's when ``llm.rewrite_followups``)
-> hybrid retrieval ->
the evidence rules (a refusal here costs no model call) -> the chosen backend: extractive sentences, or a
generated answer whose every sentence and [n] is checked against the passages (``verify.verify``).
A backend that cannot be used, or fails, falls back to extractive answers and says why (``fallback_reason``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.answering.evidence import assess
from bot.answering.extractive import Closeness, Selection, Sentence, answer_sentences, is_list_item, select
from bot.answering.llm import Backend, BackendUnavailable, GenerationStats, get_backend, unreachable_message
from bot.answering.prompts import (PromptPassage, TokenCounter, build_messages, parse_rewrite, prompt_tokens,
                                   rewrite_messages, select_passages)
from bot.answering.types import REFUSAL_VI, Answer, Citation
from bot.answering.verify import CheckedSentence, render, sentence_supported, verify
from bot.documents.chunking import span_heading
from bot.documents.normalize import sentence_spans
from bot.documents.structure import referred_articles
from bot.indexing.index import Index, open_index
from bot.indexing.ingest import ingest, rechunk
from bot.retrieval.hybrid import Passage, retrieve
from bot.retrieval.query import Query, Turn, is_small_talk, make_query, restore_accents, without_small_talk
from bot.settings import LLMSettings, Settings

log = logging.getLogger(__name__)

EMPTY_QUESTION_VI = "Bạn hãy nhập câu hỏi về công tác dân vận hoặc các văn bản đã được nạp."
TOO_SLOW_VI = ("Mô hình chưa trả lời xong trong {seconds} giây (máy đang bận hoặc cấu hình yếu). "
               "Tạm trả lời bằng cách trích nguyên văn tài liệu.")
MODEL_REFUSED_VI = ("Mô hình không tìm ra câu trả lời có căn cứ trong các đoạn tài liệu; "
                    "dưới đây là các câu trích nguyên văn gần nhất với câu hỏi.")
TOO_LONG_VI = ("Câu hỏi dài {length} ký tự, vượt giới hạn {limit} ký tự. "
               "Hãy rút gọn câu hỏi, chỉ nêu điều cần hỏi.")
SMALL_TALK_VI = ("Rất vui được hỗ trợ bạn. Tôi là trợ lý Hỏi đáp Dân vận: tôi trả lời câu hỏi về công tác dân vận "
                 "từ các tài liệu đã nạp, kèm đoạn văn bản làm căn cứ; khi tài liệu không có thông tin, tôi sẽ nói rõ. "
                 "Mời bạn đặt câu hỏi bất cứ lúc nào.")
CAUTION_VI = ("Tài liệu hiện có có thể không trả lời trực tiếp câu hỏi này: câu trả lời dưới đây dựa trên những đoạn "
              "gần nhất với câu hỏi. Hãy đọc kỹ nguồn trước khi sử dụng.")
NO_DOCUMENTS_VI = "Chưa có tài liệu nào được nạp. Hãy thêm tệp vào thư mục tài liệu rồi lập chỉ mục."

_indexes: dict[tuple, Index] = {}
_indexes_lock = threading.Lock()


def get_index(settings: Settings, build: bool = True) -> Index:
    """One open index per (index folder, store, embedding) for the process; built on first use, and its
    documents chunked again when another chunker (an older version, other settings) cut them."""
    key = (str(settings.index_dir), settings.chroma.host, settings.chroma.port, settings.chroma.collection,
           settings.embedding.backend, settings.embedding.model_path)
    with _indexes_lock:
        index = _indexes.get(key)
        opened = index is None
        if opened:
            index = _indexes[key] = open_index(settings)
    if not build:
        return index
    if not index.catalog.hashes() and Path(settings.corpus_dir).is_dir():
        log.info("index at %s is empty: building it from %s", settings.index_dir, settings.corpus_dir)
        ingest(index, Path(settings.corpus_dir), show_bar=True)
    elif opened:  # once per process, not on every question: later ingests record their own chunker
        rechunk(index, show_bar=True)
    return index


def _citations(index: Index, sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence in sentences:
        chunk = sentence.passage.chunk
        if chunk.id not in numbers:
            numbers[chunk.id] = len(numbers) + 1
            citations.append(Citation(
                n=numbers[chunk.id], doc=chunk.doc_id, title=index.doc_info(chunk.doc_id)["title"], page=chunk.page,
                heading=span_heading(chunk.heading, chunk.text, sentence.start - chunk.start,
                                     sentence.end - chunk.start),
                quote=sentence.text, start=sentence.start, end=sentence.end))
        else:  # a second sentence of the same passage widens its quote
            citation = citations[numbers[chunk.id] - 1]
            if sentence.start >= citation.end:
                doc_text = chunk.text
                citation.quote = doc_text[citation.start - chunk.start:sentence.end - chunk.start]
                citation.end = sentence.end
                citation.heading = span_heading(chunk.heading, chunk.text, citation.start - chunk.start,
                                                citation.end - chunk.start)
        if parts:  # a list item starts its own line
            parts.append("\n" if is_list_item(sentence.text) else " ")
        parts.append(f"{sentence.text.rstrip()} [{numbers[chunk.id]}]")
    return "".join(parts), citations


def _generated_citations(index: Index, prompt_passages: Sequence[PromptPassage],
                         sentences: Sequence[CheckedSentence]) -> tuple[str, list[Citation]]:
    """Number the cited passages 1..m in order of first use; quote the passage sentences that back the answer."""
    numbers: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    for sentence in sentences:
        if not sentence.kept:
            continue
        for n in sentence.cited:
            numbers.setdefault(n, len(numbers) + 1)
            chunk = prompt_passages[n - 1].passage.chunk
            candidates = sentence_spans(chunk.text) or [(0, len(chunk.text))]
            best = max(candidates, key=lambda se: sentence_supported(sentence.text, chunk.text[se[0]:se[1]]))
            spans.setdefault(n, []).append(best)
    citations = []
    for n, shown in numbers.items():
        chunk = prompt_passages[n - 1].passage.chunk
        start = min(s for s, _ in spans[n])
        end = max(e for _, e in spans[n])
        citations.append(Citation(
            n=shown, doc=chunk.doc_id, title=index.doc_info(chunk.doc_id)["title"], page=chunk.page,
            heading=span_heading(chunk.heading, chunk.text, start, end), quote=chunk.text[start:end],
            start=chunk.start + start, end=chunk.start + end))
    return render(sentences, numbers), citations


def _complete_sentences(text: str) -> str:
    """A reply cut off by the token or time limit, without its unfinished last sentence."""
    ends = [m.end() for m in re.finditer(r"[.!?…;:](?:\s*\[\d+(?:\s*,\s*\d+)*\])*|\]\s*(?=\n)|\n", text)]
    return text[:ends[-1]] if ends else ""


def model_passages(index: Index, query: Query, focused: Sequence[Passage], count: TokenCounter,
                   cfg: LLMSettings) -> list[PromptPassage]:
    """The passages the model reads, labelled with their heading or document title (bench/llm.py rebuilds
    them with this too)."""
    titles = {p.chunk.doc_id: index.doc_info(p.chunk.doc_id).get("title", p.chunk.doc_id) for p in focused}
    return select_passages(query, focused, count, cfg, titles)


def _rewrite(backend: Backend, question: str, history: list[Turn], settings: Settings,
             timings: dict[str, float]) -> str | None:
    """The model's standalone form of a follow-up, or None (then the rule-based rewriting stands)."""
    started = time.perf_counter()
    try:
        text = backend.complete(rewrite_messages(question, history), settings.llm.rewrite_max_tokens)
    finally:
        timings["rewrite_ms"] = (time.perf_counter() - started) * 1000
    rewritten = parse_rewrite(text, question)
    log.info("follow-up %r rewritten by %s as %r", question, backend.name, rewritten)
    return rewritten


def _make_query(question: str, history: list[Turn] | None, backend: Backend | None, settings: Settings,
                timings: dict[str, float]) -> Query:
    by_rules = make_query(question, history)
    if backend is None or not settings.llm.rewrite_followups:
        return by_rules
    conversation = without_small_talk(history)  # greetings and thanks are nothing to lean on
    if not any(t.get("role") == "user" and str(t.get("content", "")).strip() for t in conversation):
        return by_rules
    rewritten = _rewrite(backend, question, conversation, settings, timings)
    if not rewritten:
        return by_rules
    # what was said before counts where the rules too find that the follow-up leans on it
    return replace(make_query(rewritten), rewritten_from_history=True, said_before=by_rules.said_before)


def gather(index: Index, query: Query, settings: Settings, timings: dict[str, float]):
    """Retrieval, the answering sentences and the evidence rules' verdict for one standalone question."""
    passages = retrieve(index, query, settings.retrieval.top_k, timings)
    timings["retrieval_ms"] = timings.get("dense_ms", 0) + timings.get("lexical_ms", 0)
    own = own_vector(index, query) if query.leans_on else None
    closeness = own_words_closeness(index, own) if own is not None else None
    selection = select(query, passages, settings.answer, index, closeness)
    fact, best, held = selection.fact, selection.sentences[:1], selection.fact_sentence
    if (fact is not None and fact.required and fact.subject and best
            and not (held and _article_key(index, held.passage) == _article_key(index, best[0].passage))):
        # A figure of something counted («bao nhiêu hộ», «mấy ngày») that the article found does not hold may be
        # in an article applying a rule to it; not any figure («bao nhiêu tiền» would be met by Điều 16's «10%
        # tổng số hộ»).
        passages, selection = _with_referring_article(index, query, passages, selection, best[0], settings,
                                                      closeness)
    found = selection.fact_sentence.text if selection.fact_sentence else None
    own_dense = own_closeness(index, own, selection.focused[:2] or passages[:1]) if own is not None else None
    evidence = assess(query, passages, selection.fact, found, index.doc_articles(), settings.answer, own_dense)
    return passages, selection, evidence


def _article_key(index: Index, passage: Passage) -> tuple[str, str | None]:
    return passage.chunk.doc_id, index.article_of(passage.chunk)


def _with_referring_article(index: Index, query: Query, passages: list[Passage], selection: Selection,
                            best: Sentence, settings: Settings,
                            closeness: Closeness | None) -> tuple[list[Passage], Selection]:
    """The passages and selection with the sentence of another article that holds the fact asked for best, where
    it applies a rule to the article (and khoản) found, with the article found read right after it (what the model
    reads); else as they were. «Việc thu chi các khoản đóng góp cần bao nhiêu hộ tán thành?» finds Luật Điều 15
    khoản 2, and Điều 21's «… khoản 1 và khoản 2 Điều 15 … từ hai phần ba …» for it, not «… các khoản 3, 4, 5 và 6
    Điều 15 … trên 50% …» nor the «trên 50%» of online voting."""
    referring = referring_sentences(index, best)
    if not referring:
        return passages, selection
    wider = select(query, [*passages, *(p for p, _ in referring.values())], settings.answer, index, closeness)
    holder = wider.fact_sentence.passage.chunk.id if wider.fact_sentence is not None else None
    if holder not in referring:
        return passages, selection
    passage, referred = referring[holder]
    log.info("the fact asked for is in an article referring to the one found: %s", passage.chunk.text)
    # the sentence holding the fact is quoted alone (its chunk's other rules are not asked for); the model reads
    # it, then the article it refers to (``Selection.read``); the other passages found stay for the evidence
    # rules, not the other sentences referring to it
    others = [p for p in wider.focused if p.chunk.id not in referring and p.chunk.id != referred.chunk.id]
    focused = [passage, referred, *others]
    return [*passages, passage], replace(wider, focused=focused, stating=2)


def referring_sentences(index: Index, best: Sentence) -> dict[str, tuple[Passage, Passage]]:
    """The sentences of other articles that refer to the article of the best sentence found, each as a passage of
    its own (id -> it and the passage it refers to), at the rank of the passage it refers to and read with it: Luật
    Điều 21 «Quyết định … về nội dung quy định tại khoản 1 và khoản 2 Điều 15 của Luật này được thông qua khi có từ
    hai phần ba …» answers how many households must agree to Điều 15's «1. Chủ trương và mức đóng góp xây dựng cơ
    sở hạ tầng …» (seed ts-025). Where some name the khoản the best sentence is in, those alone: not Điều 16's «… đề
    xuất về nội dung quy định tại Điều 15 … 10% tổng số hộ gia đình …», nor a rule on other khoản of the article."""
    found = best.passage
    article = index.article_of(found.chunk)
    place = span_heading(found.chunk.heading, found.chunk.text, best.start - found.chunk.start,
                         best.end - found.chunk.start)
    in_clause = re.search(r"khoản (\d+)$", place)
    clause = in_clause.group(1) if in_clause else None
    named: dict[str, tuple[Passage, Passage]] = {}  # the sentences naming the khoản found
    whole: dict[str, tuple[Passage, Passage]] = {}  # those naming the article alone
    for chunk in index.citing_chunks(found.chunk):
        for start, end in answer_sentences(chunk.text):
            clauses = referred_articles(chunk.text[start:end]).get(article)
            if clauses is None or (clauses and clause and clause not in clauses):
                continue
            sentence = replace(chunk, id=f"{chunk.id}@{start}", text=chunk.text[start:end],
                               start=chunk.start + start, end=chunk.start + end,
                               heading=span_heading(chunk.heading, chunk.text, start, end),
                               context=f"{chunk.context}\n{found.chunk.text}")
            kept = named if clauses and clause else whole
            kept.setdefault(sentence.id, (Passage(sentence, found.score, found.rank), found))
    return named or whole


def own_vector(index: Index, query: Query) -> np.ndarray:
    """The vector of a follow-up's own words (without the question it leans on), accents restored."""
    own = restore_accents(query.question, index.accents) if query.plain else query.question
    return np.asarray(index.embeddings.embed_query(own), dtype=np.float32)


def own_words_closeness(index: Index, own: np.ndarray) -> Closeness:
    """Cosine closeness of texts to the follow-up's own words (their vector): it tells which sentence found
    answers what it adds to the question it leans on."""
    encoder = getattr(index.embeddings, "inner", index.embeddings)  # the query's texts are not kept in the cache

    def closeness(texts: list[str]) -> list[float]:
        vectors = np.asarray(encoder.embed_documents(texts), dtype=np.float32)
        return [float(v) for v in vectors @ own]

    return closeness


def own_closeness(index: Index, own: np.ndarray, passages: list[Passage]) -> float | None:
    """The dense score of a follow-up's own words (their vector) against the passages that answer it (their
    stored vectors are unit length); None when no passage or none of their vectors is stored."""
    stored = index.dense.vectors([p.chunk.id for p in passages]) if passages else {}
    if not stored:
        return None
    return max(float(np.dot(own, np.asarray(v, dtype=np.float32))) for v in stored.values())


def answer_stream(question: str, history: list[Turn] | None = None, settings: Settings | None = None,
                  index: Index | None = None) -> Iterator[str | Answer]:
    """Yield the model's text deltas as they come, then the checked ``Answer`` (always last, always once).

    The deltas are unchecked: show them as a draft, then replace them with the final ``Answer.text``.
    Extractive answers and refusals yield the ``Answer`` alone.
    """
    settings = settings or Settings()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if not question or not question.strip():
        yield Answer(EMPTY_QUESTION_VI, refused=True, refusal_reason="empty question")
        return
    if len(question) > settings.answer.max_question_chars:
        yield Answer(TOO_LONG_VI.format(length=len(question), limit=settings.answer.max_question_chars),
                     refused=True, refusal_reason="question too long")
        return
    if is_small_talk(question):  # a greeting or thanks: no search, no model
        yield Answer(SMALL_TALK_VI, refused=True, refusal_reason="small talk")
        return
    index = index or get_index(settings)
    if index.dense.count() == 0:
        yield Answer(NO_DOCUMENTS_VI, refused=True, refusal_reason="empty index")
        return

    fallback = ""
    backend: Backend | None = None
    try:
        backend = get_backend(settings)
    except BackendUnavailable as exc:
        fallback = str(exc)
        log.warning("backend %s unavailable, answering extractively: %s", settings.answer.backend, fallback)

    try:
        query = _make_query(question, history, backend, settings, timings)
    except Exception as exc:  # the server went away: the rest of this answer is extractive
        fallback = unreachable_message(backend, exc)
        log.warning("%s", fallback)
        backend = None
        query = make_query(question, history)
    passages, selection, evidence = gather(index, query, settings, timings)
    if not evidence.ok and query.rewritten_from_history:
        # The evidence rules refused the model's standalone question; the rule-based one may stand (seed
        # ts-042: «Nếu bị từ chối thì sao?» after a question on who recognises a hương ước).
        rule_query = make_query(question, history)
        alternative = gather(index, rule_query, settings, timings) if rule_query.text != query.text else None
        if alternative and alternative[2].ok:
            log.info("the model's rewrite %r found weak evidence; the rule-based %r is used", query.text, rule_query.text)
            query, (passages, selection, evidence) = rule_query, alternative
    compose_started = time.perf_counter()
    focused, chosen = selection.read, selection.chosen
    name = backend.name if backend else "extractive"
    result: Answer | None = None
    model_text, dropped, usage = "", [], {}  # what a model said, kept when its answer falls back to quotes
    if not (evidence.ok and chosen):
        result = Answer(REFUSAL_VI, refused=True, passages=passages, backend=name, query=query.text,
                        refusal_reason=evidence.reason or "no sentence matches")
    elif backend is not None:
        cfg = settings.llm
        prompt_passages = model_passages(index, query, focused, backend.count_tokens, cfg)
        # The model reads (and the check compares against) the question with its accents restored.
        # A follow-up reaches the model with the question it leans on ("Hương ước … do cơ quan nào công nhận?
        # Nếu bị từ chối thì sao?"), accents restored when typed without.
        asked = query.standalone if query.rewritten_from_history else query.question
        question_shown = restore_accents(asked, index.accents) if query.plain else asked
        check_texts = [p.check_text for p in prompt_passages]

        def generate(question_first: bool = False):
            """Stream one reply (yielding its deltas); return it verified, with its stats."""
            messages = build_messages(question_shown, prompt_passages, question_first=question_first)
            stats = GenerationStats(prompt_tokens=prompt_tokens(messages, backend.count_tokens))
            max_tokens = max(32, min(cfg.max_tokens, cfg.n_ctx - stats.prompt_tokens - 16))
            deltas: list[str] = []
            for delta in backend.stream(messages, max_tokens, stats):
                deltas.append(delta)
                yield delta
            raw = "".join(deltas)
            cut_short = stats.truncated or stats.completion_tokens >= max_tokens
            checked = verify(_complete_sentences(raw) if cut_short else raw, check_texts, cfg.support_threshold,
                             question_shown)
            return raw, checked, stats

        stats, retried, earlier_ms = GenerationStats(), False, 0.0
        try:
            raw, checked, stats = yield from generate()
            if checked.echoed and not stats.truncated:  # a small model may only repeat the question: ask again
                log.info("%s echoed the question; asking again with the question first", backend.name)
                first_token_ms, earlier_ms, retried = stats.first_token_ms, stats.total_ms, True
                raw, checked, stats = yield from generate(question_first=True)
                stats.first_token_ms = first_token_ms
        except Exception as exc:
            fallback = unreachable_message(backend, exc)
            log.warning("%s", fallback)
            backend = None
        timings["first_token_ms"] = stats.first_token_ms
        timings["llm_ms"] = earlier_ms + stats.total_ms
        usage = {"prompt_tokens": stats.prompt_tokens, "completion_tokens": stats.completion_tokens,
                 "passages": len(prompt_passages), "truncated": stats.truncated, "asked_again": retried}
        if backend is not None:
            model_text, dropped = raw, [s.text for s in checked.dropped]
            usage.update(model_sentences=len(checked.sentences), model_faithfulness=round(checked.faithfulness, 4))
            if checked.refused and stats.truncated:  # too slow to say anything: the passages speak instead
                fallback = TOO_SLOW_VI.format(seconds=round(backend.timeout_s))
                log.warning("%s", fallback)
            elif checked.refused and cfg.on_model_refusal == "extractive":  # the evidence rules said answerable
                fallback = MODEL_REFUSED_VI
                log.info("model refused (%s): extractive answer instead", checked.reason)
            elif checked.refused:
                result = Answer(REFUSAL_VI, refused=True, passages=passages, backend=backend.name, query=query.text,
                                refusal_reason=f"model answer: {checked.reason}", model_text=raw, dropped=dropped,
                                usage=usage)
            else:
                text, citations = _generated_citations(index, prompt_passages, checked.sentences)
                result = Answer(text, refused=False, citations=citations, passages=passages, backend=backend.name,
                                query=query.text, model_text=raw, dropped=dropped, usage=usage)
            log.info("%s: %d sentences, %d dropped, faithfulness %.2f", backend.name, len(checked.sentences),
                     len(dropped), checked.faithfulness)
    if result is None:  # extractive, chosen or fallen back to
        text, citations = _citations(index, chosen)
        result = Answer(text, refused=False, citations=citations, passages=passages, backend="extractive",
                        query=query.text, model_text=model_text, dropped=dropped, usage=usage)
    result.fallback_reason = fallback
    if not result.refused and evidence.uncertain:
        result.caution = CAUTION_VI
    timings["answer_ms"] = (time.perf_counter() - compose_started) * 1000
    timings["total_ms"] = (time.perf_counter() - started) * 1000
    result.timings_ms = timings
    log.info("answered in %.0f ms by %s (refused=%s %s)", timings["total_ms"], result.backend, result.refused,
             result.refusal_reason)
    yield result


def answer(question: str, history: list[Turn] | None = None, settings: Settings | None = None,
           index: Index | None = None) -> Answer:
    """Answer a Vietnamese question from the indexed documents, with citations, or refuse."""
    final = None
    for item in answer_stream(question, history, settings, index):
        if isinstance(item, Answer):
            final = item
    assert final is not None
    return final
