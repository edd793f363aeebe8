"""Retrieval settings on several test sets at once: hit@1, hit@10 and MRR@10 per set for each variant.

Used to tune the fusion (``retrieval.*``) on the dev sets without making one set better at the others'
expense. Retrieval only (no answers), with the relevance the evaluation harness uses (span overlap with
the quote, or its whole article for ``unit: "article"``). Each set needs an index already built for its
corpus (``python -m bot ingest --corpus DIR --index DIR``).

    PYTHONPATH=. python bench/tune_retrieval.py \\
        --set alqac=../shared/evals/alqac/dev.jsonl:../shared/evals/alqac/corpus:/tmp/alqac-index \\
        --set seed=evals/testsets/seed.jsonl:corpus:index \\
        --variant '{}' --variant '{"lexical_weight": 1.2}'
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _common import print_table, quiet_logs, write_result

from bot.evaluation import metrics as m
from bot.evaluation.runner import source_spans
from bot.evaluation.testset import load_testset
from bot.indexing.index import open_index
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import Settings


def scores(index, items, k: int = 10) -> dict[str, float]:
    rows = []
    for item in items:
        sources = source_spans(index, item)
        passages = retrieve(index, make_query(item.question, item.history), k)
        rel = m.relevance([(p.chunk.doc_id, p.chunk.start, p.chunk.end) for p in passages], sources)
        rows.append((m.hit_at(rel, 1), m.hit_at(rel, 10), m.mrr_at(rel, 10)))
    return {name: round(sum(r[i] for r in rows) / len(rows), 3) for i, name in enumerate(("hit@1", "hit@10", "mrr@10"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", required=True, help="NAME=TESTSET:CORPUS:INDEX")
    parser.add_argument("--variant", action="append", default=None, help="JSON of retrieval.* overrides")
    parser.add_argument("--name", default="tune_retrieval")
    args = parser.parse_args()
    quiet_logs()
    variants = [json.loads(v) for v in (args.variant or ["{}"])]
    results: dict[str, dict] = {}
    for spec in args.set:
        name, paths = spec.split("=", 1)
        testset, corpus, index_dir = (Path(p) for p in paths.split(":"))
        base = Settings().with_paths(corpus_dir=corpus, index_dir=index_dir)
        index = open_index(base)
        items = [item for item in load_testset(testset) if item.answerable]
        for variant in variants:
            index.settings = base.model_copy(update={"retrieval": base.retrieval.model_copy(update=variant)})
            results.setdefault(json.dumps(variant), {})[name] = scores(index, items)
    names = [spec.split("=", 1)[0] for spec in args.set]
    print_table(["variant", *[f"{n} hit@1/MRR" for n in names], "mean MRR"],
                [[variant, *[f"{r[n]['hit@1']:.3f}/{r[n]['mrr@10']:.3f}" for n in names],
                  round(sum(r[n]["mrr@10"] for n in names) / len(names), 4)] for variant, r in results.items()])
    write_result(args.name, {"sets": args.set, "results": results})


if __name__ == "__main__":
    main()
