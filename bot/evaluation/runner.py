"""Run a test set through ``answer()`` and write report.json, report.md and questions.csv."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from tqdm import tqdm

from bot.answering.pipeline import answer
from bot.answering.verify import verify
from bot.evaluation import metrics as m
from bot.evaluation.judge import judge_rows
from bot.evaluation.report import write_report
from bot.evaluation.testset import Item, InvalidTestset, locate
from bot.indexing.index import Index
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import Settings

log = logging.getLogger(__name__)

HIT_KS = (1, 3, 5, 10)


def source_spans(index: Index, item: Item) -> list[m.Span]:
    """The quoted spans of an item in the index's documents; InvalidTestset names the question and field."""
    spans = []
    for i, source in enumerate(item.sources):
        doc = index.catalog.document(source.doc)
        if doc is None:
            raise InvalidTestset(item.id, f"'{source.doc}' is not in the index", f"'{source.doc}' không có trong chỉ mục",
                                 f"sources[{i}].doc")
        try:
            spans.append((source.doc, *locate(source, doc)))
        except InvalidTestset as exc:
            raise InvalidTestset(item.id, exc.problem, exc.problem_vi, f"sources[{i}].quote") from exc
    return spans


def evaluate_item(index: Index, settings: Settings, item: Item, k: int) -> dict:
    sources = source_spans(index, item) if item.answerable else []
    passages = retrieve(index, make_query(item.question, item.history), k)
    rel = m.relevance([(p.chunk.doc_id, p.chunk.start, p.chunk.end) for p in passages], sources)
    result = answer(item.question, item.history, settings=settings, index=index)
    cited = m.relevance([(c.doc, c.start, c.end) for c in result.citations], sources)
    # A citation counts as relevant when its passage (not only its sentence) overlaps a source.
    cited_chunks = [next((p.chunk for p in result.passages
                          if p.chunk.doc_id == c.doc and p.chunk.start <= c.start < p.chunk.end), None)
                    for c in result.citations]
    cited_passages = m.relevance([(ch.doc_id, ch.start, ch.end) if ch else (c.doc, c.start, c.end)
                                  for ch, c in zip(cited_chunks, result.citations)], sources)
    row = {
        "id": item.id, "question": item.question, "tags": item.tags, "answerable": item.answerable,
        "refused": result.refused, "refusal_reason": result.refusal_reason, "expected": item.answer,
        "answer": result.text, "query": result.query, "source_docs": [s.doc for s in item.sources],
        "retrieved": [f"{p.chunk.doc_id} {p.chunk.heading}".strip() for p in passages[:5]],
        "latency_ms": result.timings_ms.get("total_ms", 0.0),
        "retrieval_ms": result.timings_ms.get("retrieval_ms", 0.0),
        "answer_ms": result.timings_ms.get("answer_ms", 0.0),
        "caution": bool(result.caution),
    }
    if item.answerable:
        for kk in HIT_KS:
            row[f"hit@{kk}"] = m.hit_at(rel, kk)
        row["recall@5"] = m.recall_at(rel, 5, len(sources))
        row["recall@10"] = m.recall_at(rel, 10, len(sources))
        row["mrr@10"] = m.mrr_at(rel, 10)
        row["ndcg@10"] = m.ndcg_at(rel, 10, len(sources))
        if not result.refused:
            row["token_f1"] = m.token_f1(result.text, item.answer)
            row["rouge_l"] = m.rouge_l(result.text, item.answer)
            row["numbers_match"] = m.numbers_match(result.text, item.answer)
            if result.citations:
                # Faithfulness: the answer's sentences checked by the same verifier the answering code uses,
                # each against the passage its [n] points at, labelled as the model read it (its heading, else its
                # document's title: «Trong Nghị định 59/2023/NĐ-CP, …» leans on it).
                texts = {c.n: (f"{ch.heading or c.title}\n{ch.text}" if ch else c.quote)
                         for ch, c in zip(cited_chunks, result.citations)}
                ordered = [texts.get(n, "") for n in range(1, max(texts) + 1)]
                row["faithfulness"] = verify(result.text, ordered, settings.llm.support_threshold).faithfulness
                row["citation_precision"] = sum(1 for hits in cited_passages if hits) / len(result.citations)
                row["citation_recall"] = len(set().union(*cited_passages)) / len(sources)
                row["citation_quote_recall"] = len(set().union(*cited)) / len(sources)
    return row


def _avg(rows: list[dict], key: str) -> float:
    values = [r[key] for r in rows if key in r]
    return round(mean(values), 4) if values else 0.0


def summarize(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    correct_answers = sum(1 for r in answerable if not r["refused"])
    correct_refusals = sum(1 for r in unanswerable if r["refused"])
    latencies = [r["latency_ms"] for r in rows]
    return {
        "n": len(rows),
        "n_answerable": len(answerable),
        "retrieval": {**{f"hit@{k}": _avg(answerable, f"hit@{k}") for k in HIT_KS},
                      **{key: _avg(answerable, key) for key in ("recall@5", "recall@10", "mrr@10", "ndcg@10")}},
        "answer": {key: _avg(answerable, key) for key in ("token_f1", "rouge_l", "numbers_match")},
        "citations": {"precision": _avg(answerable, "citation_precision"),
                      "recall": _avg(answerable, "citation_recall"),
                      "faithfulness": _avg([r for r in rows if "faithfulness" in r], "faithfulness")},
        "refusal": {
            "accuracy": round((correct_answers + correct_refusals) / len(rows), 4) if rows else 0.0,
            "correct_refusals": correct_refusals,
            "false_refusals": len(answerable) - correct_answers,
            "fabricated_answers": len(unanswerable) - correct_refusals,
            "correct_answers": correct_answers,
            "refused_unanswerable_rate": round(correct_refusals / len(unanswerable), 4) if unanswerable else 0.0,
            # answers shown with the caution that the documents may not answer directly
            "cautioned_answers": sum(1 for r in answerable if not r["refused"] and r.get("caution")),
            "cautioned_fabricated": sum(1 for r in unanswerable if not r["refused"] and r.get("caution")),
        },
        "latency_ms": {"p50": round(m.percentile(latencies, 0.5), 1), "p95": round(m.percentile(latencies, 0.95), 1),
                       "retrieval_p50": round(m.percentile([r["retrieval_ms"] for r in rows], 0.5), 1),
                       "answer_p50": round(m.percentile([r["answer_ms"] for r in rows], 0.5), 1)},
    }


def run_eval(items: list[Item], index: Index, settings: Settings, k: int = 10, out_dir: Path | None = None,
             title: str = "", progress: Callable[[int, int, str], None] | None = None) -> dict:
    """The report of a test set; ``progress(done, total, stage)`` after each question ("answer", then "judge"
    when ``settings.evaluation.judge`` is on)."""
    for item in items:  # a quote that cannot be found stops the run before any question is asked
        source_spans(index, item)
    rows = []
    for done, item in enumerate(tqdm(items, desc="Đánh giá", unit="câu"), start=1):
        rows.append(evaluate_item(index, settings, item, k))
        if progress:
            progress(done, len(items), "answer")
    report = {**summarize(rows), "title": title}
    if settings.evaluation.judge:
        report["judge"] = judge_rows(rows, settings, progress and (lambda done, total: progress(done, total, "judge")))
    report["questions"] = rows
    if out_dir:
        write_report(report, out_dir)
    return report
