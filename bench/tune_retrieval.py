"""Retrieval settings on several test sets at once: hit@1, hit@10 and MRR@10 per set for each variant.

Used to tune the fusion (``retrieval.*``) on the dev sets without making one set better at the others'
expense, with the relevance the evaluation harness uses (span overlap with the quote, or its whole article
for ``unit: "article"``). Each set needs an index already built for its corpus
(``python -m bot ingest --corpus DIR --index DIR``). A variant's keys are ``retrieval.*`` settings, or
``section.name`` for another section (``"answer.passage_keep_ratio": 1.0``). ``--answers`` also runs the
evaluation harness with extractive answers and reports citation precision / recall, token F1, correct
answers and fabricated answers (the composer's settings are tuned so).

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
from bot.evaluation.runner import run_eval, source_spans
from bot.evaluation.testset import load_testset
from bot.indexing.index import open_index
from bot.indexing.ingest import rechunk
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


def with_variant(base: Settings, variant: dict) -> Settings:
    """``{"rrf_k": 20, "answer.passage_keep_ratio": 1.0}`` applied to the settings."""
    sections: dict[str, dict] = {}
    for key, value in variant.items():
        section, _, name = key.rpartition(".")
        sections.setdefault(section or "retrieval", {})[name] = value
    return base.model_copy(update={section: getattr(base, section).model_copy(update=values)
                                   for section, values in sections.items()})


def answer_scores(index, items, settings: Settings) -> dict[str, float]:
    report = run_eval(items, index, settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"backend": "extractive"})}))
    return {"cite_p": report["citations"]["precision"], "cite_r": report["citations"]["recall"],
            "f1": report["answer"]["token_f1"], "correct": report["refusal"]["correct_answers"],
            "fabricated": report["refusal"]["fabricated_answers"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", required=True, help="NAME=TESTSET:CORPUS:INDEX")
    parser.add_argument("--variant", action="append", default=None, help="JSON of retrieval.* overrides")
    parser.add_argument("--name", default="tune_retrieval")
    parser.add_argument("--answers", action="store_true", help="also extractive answers: citations, F1, refusals")
    args = parser.parse_args()
    quiet_logs()
    variants = [json.loads(v) for v in (args.variant or ["{}"])]
    results: dict[str, dict] = {}
    for spec in args.set:
        name, paths = spec.split("=", 1)
        testset, corpus, index_dir = (Path(p) for p in paths.split(":"))
        base = Settings().with_paths(corpus_dir=corpus, index_dir=index_dir)
        index = open_index(base)
        rechunk(index)  # an index cut by an older chunker is measured as the app would see it
        every = load_testset(testset)
        items = [item for item in every if item.answerable]
        for variant in variants:
            index.settings = with_variant(base, variant)
            result = results.setdefault(json.dumps(variant), {})[name] = scores(index, items)
            if args.answers:
                result.update(answer_scores(index, every, index.settings))
    names = [spec.split("=", 1)[0] for spec in args.set]
    if args.answers:
        print_table(["variant", *[f"{n} cite P/R, F1, correct, fabricated" for n in names]],
                    [[variant, *[f"{r[n]['cite_p']:.3f}/{r[n]['cite_r']:.3f} {r[n]['f1']:.3f} {r[n]['correct']} "
                                 f"{r[n]['fabricated']}" for n in names]] for variant, r in results.items()])
    print_table(["variant", *[f"{n} hit@1/MRR" for n in names], "mean MRR"],
                [[variant, *[f"{r[n]['hit@1']:.3f}/{r[n]['mrr@10']:.3f}" for n in names],
                  round(sum(r[n]["mrr@10"] for n in names) / len(names), 4)] for variant, r in results.items()])
    write_result(args.name, {"sets": args.set, "results": results})


if __name__ == "__main__":
    main()
