"""Check the core pipeline against the shared dev sets, each on its own corpus.

Criteria (issue "Core pipeline"): for >= 90% of answerable questions a passage containing the quote is
in the top 5; >= 80% of unanswerable questions are refused; no answerable question is refused.

    python evals/dev_check.py [--shared ../shared] [--out evals/out]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.answering.pipeline import get_index
from bot.evaluation.runner import run_eval
from bot.evaluation.testset import load_testset
from bot.settings import PROJECT_ROOT, Settings

SETS = [("seed_dev", "evals/seed_dev.jsonl", "seeds"), ("reg_dev", "evals/reg_dev.jsonl", "regulations")]


def check(report: dict) -> dict[str, bool]:
    refusal = report["refusal"]
    return {
        "hit@5 >= 0.9": report["retrieval"]["hit@5"] >= 0.9,
        "unanswerable refused >= 0.8": refusal["refused_unanswerable_rate"] >= 0.8,
        "no answerable refused": refusal["false_refusals"] == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(PROJECT_ROOT.parent / "shared"))
    parser.add_argument("--out", default=str(PROJECT_ROOT / "evals" / "out"))
    args = parser.parse_args()
    shared, failed = Path(args.shared), False
    for name, testset, corpus in SETS:
        base = Settings()
        base.answer.backend = "extractive"  # the core criteria are about retrieval and refusals, not the LLM
        settings = base.with_paths(shared / corpus, base.index_dir / f"dev-{corpus}")
        report = run_eval(load_testset(shared / testset), get_index(settings), settings,
                          out_dir=Path(args.out) / name, title=name)
        verdict = check(report)
        failed |= not all(verdict.values())
        print(json.dumps({"set": name, "retrieval": report["retrieval"], "refusal": report["refusal"],
                          "checks": verdict}, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
