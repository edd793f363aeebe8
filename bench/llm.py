"""Generated answers: speed of the local model, calibration of the citation check, quality vs extractive.

    PYTHONPATH=. python bench/llm.py speed                     # time to first token, tokens/s, short vs long context
    PYTHONPATH=. python bench/llm.py calibrate                 # support scores of gold answers: right vs wrong passage
    PYTHONPATH=. python bench/llm.py quality --testset evals/testsets/seed.jsonl --corpus corpus \\
        [--backends llamacpp extractive] [--limit N]
    PYTHONPATH=. python bench/llm.py recheck --testset … --corpus …   # saved replies, other thresholds

``quality`` runs the evaluation runner once per backend and adds, per answered question, what the runner
does not measure: faithfulness (share of the answer's content syllables found in the passages it cites),
numbers not found in a cited passage, and for generated answers the share of the model's own sentences
that the verifier kept as cited (raw faithfulness) or dropped. Summaries go to bench/results/llm_*.json,
per-question answers to evals/out/llm/ (git-ignored: the shared dev sets stay out of the repository).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import time
from pathlib import Path

from _common import REPO_ROOT, peak_rss_mib, percentile, print_table, quiet_logs, write_result

# Per-question answers stay out of the repository (evals/out/ is git-ignored): the shared dev sets' questions
# must not be copied into it. Speed figures and quality summaries go to bench/results/.
DETAILS_DIR = REPO_ROOT / "evals" / "out" / "llm"

from bot.answering.pipeline import MODEL_REFUSED_VI
from bot.answering.verify import numbers_supported, split_sentences, verify
from bot.documents.normalize import fold
from bot.retrieval.query import question_words
from bot.settings import Settings

SHARED = Path("/work/shared")
DEFAULT_SETS = [
    (REPO_ROOT / "evals/testsets/seed.jsonl", REPO_ROOT / "corpus"),
    (SHARED / "evals/seed_dev.jsonl", SHARED / "seeds"),
    (SHARED / "evals/reg_dev.jsonl", SHARED / "regulations"),
]


def settings_for(corpus: Path, backend: str = "extractive") -> Settings:
    """Same index folder as ``python -m bot ingest --corpus DIR``."""
    settings = Settings()
    index_dir = None
    if corpus.resolve() != settings.corpus_dir.resolve():
        tag = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:10]
        index_dir = settings.index_dir / f"corpus-{corpus.name}-{tag}"
    settings = settings.with_paths(corpus, index_dir)
    return settings.model_copy(update={"answer": settings.answer.model_copy(update={"backend": backend})})


def open_built_index(settings: Settings):
    from bot.answering.pipeline import get_index
    from bot.indexing.ingest import ingest

    index = get_index(settings, build=False)
    ingest(index, settings.corpus_dir)  # incremental: a no-op when up to date
    return index


# --- speed ---------------------------------------------------------------------------------------

def cmd_speed(args: argparse.Namespace) -> None:
    from bot.answering.llm import GenerationStats, get_backend
    from bot.answering.prompts import build_messages, prompt_tokens, select_passages
    from bot.retrieval.hybrid import retrieve
    from bot.retrieval.query import make_query

    settings = settings_for(REPO_ROOT / "corpus", "llamacpp")
    index = open_built_index(settings)
    started = time.perf_counter()
    backend = get_backend(settings)
    load_s = time.perf_counter() - started
    question = args.question
    query = make_query(question)
    passages = retrieve(index, query, settings.retrieval.top_k)
    rows, runs = [], []
    for label, budget, n in (("short", 250, 1), ("long", settings.llm.context_tokens, settings.llm.max_passages)):
        cfg = settings.llm.model_copy(update={"context_tokens": budget, "max_passages": n})
        chosen = select_passages(query, passages, backend.count_tokens, cfg)
        messages = build_messages(question, chosen)
        for repeat in range(args.repeats):
            # llama.cpp reuses the KV cache of a prompt it has seen: start cold, as a new question does.
            getattr(getattr(backend.model, "client", None), "reset", lambda: None)()
            stats = GenerationStats(prompt_tokens=prompt_tokens(messages, backend.count_tokens))
            text = "".join(backend.stream(messages, args.max_tokens, stats))
            decode_s = max(1e-6, (stats.total_ms - stats.first_token_ms) / 1000)
            tps = (stats.completion_tokens - 1) / decode_s if stats.completion_tokens > 1 else 0.0
            run = {"context": label, "repeat": repeat, "passages": len(chosen), "prompt_tokens": stats.prompt_tokens,
                   "first_token_s": round(stats.first_token_ms / 1000, 2),
                   "prompt_tokens_per_s": round(stats.prompt_tokens / max(stats.first_token_ms / 1000, 1e-6), 1),
                   "completion_tokens": stats.completion_tokens, "tokens_per_s": round(tps, 2),
                   "total_s": round(stats.total_ms / 1000, 2), "text": text}
            runs.append(run)
            rows.append([label, repeat, run["prompt_tokens"], run["first_token_s"], run["prompt_tokens_per_s"],
                         run["completion_tokens"], run["tokens_per_s"], run["total_s"]])
    print(f"model load {load_s:.1f} s, peak RSS {peak_rss_mib()} MiB")
    print_table(["context", "run", "prompt tok", "TTFT s", "prompt tok/s", "gen tok", "gen tok/s", "total s"], rows)
    path = write_result("llm_speed", {"model": settings.llm.model_file, "n_ctx": settings.llm.n_ctx,
                                      "n_threads": settings.llm.n_threads, "load_s": round(load_s, 2),
                                      "peak_rss_mib": peak_rss_mib(), "question": question, "runs": runs})
    print(f"wrote {path}")


# --- calibrate -----------------------------------------------------------------------------------

def cmd_calibrate(args: argparse.Namespace) -> None:
    from bot.answering.verify import sentence_supported
    from bot.evaluation.runner import source_spans
    from bot.evaluation.testset import load_testset
    from bot.retrieval.hybrid import retrieve
    from bot.retrieval.query import make_query

    positives: list[float] = []
    negatives: list[float] = []
    for testset, corpus in DEFAULT_SETS:
        if not testset.exists():
            continue
        settings = settings_for(corpus)
        index = open_built_index(settings)
        chunks = [c for c, _, _ in index.catalog.chunks()]
        for item in load_testset(testset):
            if not item.answerable:
                continue
            spans = source_spans(index, item)
            gold = [c for c in chunks if any(c.doc_id == d and c.start < e and s < c.end for d, s, e in spans)]
            retrieved = [p.chunk for p in retrieve(index, make_query(item.question, item.history), 5)]
            wrong = [c for c in retrieved if c not in gold]
            for sentence, _, _ in split_sentences(item.answer):
                if len(sentence.split()) < 4:
                    continue
                q = item.question if args.with_question else None
                positives.append(max(sentence_supported(sentence, f"{c.context}\n{c.text}", q) for c in gold))
                if wrong:
                    negatives.append(max(sentence_supported(sentence, f"{c.context}\n{c.text}", q) for c in wrong))
    rows = []
    table = []
    for t in [x / 20 for x in range(6, 17)]:
        tpr = sum(p >= t for p in positives) / len(positives)
        fpr = sum(n >= t for n in negatives) / len(negatives)
        rows.append([t, tpr, fpr, tpr - fpr])
        table.append({"threshold": t, "kept_right": round(tpr, 4), "kept_wrong": round(fpr, 4)})
    print(f"{len(positives)} gold answer sentences vs their source passage, {len(negatives)} vs the best other "
          f"retrieved passage; median support {statistics.median(positives):.2f} vs {statistics.median(negatives):.2f}")
    print_table(["threshold", "right passage kept", "wrong passage kept", "difference"], rows)
    path = write_result("llm_calibration" + ("_with_question" if args.with_question else ""), {"positives": len(positives), "negatives": len(negatives),
                                            "median_right": round(statistics.median(positives), 4),
                                            "median_wrong": round(statistics.median(negatives), 4),
                                            "thresholds": table})
    print(f"wrote {path}")


# --- quality -------------------------------------------------------------------------------------

def _content(text: str) -> list[str]:
    stop = question_words()
    return [w for w in re.findall(r"[^\W_]+", fold(re.sub(r"\[\d+\]", " ", text))) if w not in stop]


def answer_faithfulness(result) -> dict:
    """Independent of the verifier's threshold: how much of the shown answer its cited passages hold."""
    cited = []
    for c in result.citations:
        passage = next((p for p in result.passages
                        if p.chunk.doc_id == c.doc and p.chunk.start <= c.start < p.chunk.end), None)
        # What the model saw: the passage's label (heading or title) and text.
        cited.append(f"{c.title}\n{c.heading}\n{passage.chunk.context}\n{passage.chunk.text}" if passage else c.quote)
    words = _content(result.text)
    vocabulary = set(_content(" ".join(cited)))
    row = {"faithfulness": sum(w in vocabulary for w in words) / len(words) if words else 1.0,
           "unsupported_numbers": len(numbers_supported(result.text, cited))}
    if result.model_text:  # the verifier's own account of the model's sentences
        row["raw_faithfulness"] = result.usage.get("model_faithfulness", 0.0)
        row["raw_sentences"] = result.usage.get("model_sentences", 0)
        row["dropped_sentences"] = len(result.dropped)
    return row


def headline(report: dict) -> dict:
    """The figures every column of the quality table has, from a runner report (with its question rows)."""
    return {
        "n": report["n"], "answerable": report["n_answerable"],
        "answered": sum(1 for r in report["questions"] if not r["refused"]),
        "refused": sum(1 for r in report["questions"] if r["refused"]),
        **{key: report["refusal"][key] for key in ("correct_answers", "false_refusals", "fabricated_answers")},
        "refusal_accuracy": report["refusal"]["accuracy"],
        "citation_precision": report["citations"]["precision"], "citation_recall": report["citations"]["recall"],
        "verifier_faithfulness": report["citations"].get("faithfulness"),
        "token_f1": report["answer"]["token_f1"], "numbers_match": report["answer"]["numbers_match"],
    }


def cmd_quality(args: argparse.Namespace) -> None:
    import bot.evaluation.runner as runner
    from bot.evaluation.testset import load_testset

    testset, corpus = Path(args.testset), Path(args.corpus)
    items = load_testset(testset)[: args.limit or None]
    summary: dict[str, dict] = {}
    details: dict[str, list] = {}
    reports: dict[str, dict] = {}
    for backend in args.backends:
        settings = settings_for(corpus, backend)
        index = open_built_index(settings)
        answers: dict[str, object] = {}
        original = runner.answer

        def capture(question, history=None, settings=None, index=None, answers=answers, original=original):
            result = original(question, history, settings=settings, index=index)
            answers[question] = result
            return result

        runner.answer = capture
        try:
            out = Path(args.out) / f"{testset.stem}-{backend}" if args.out else None
            report = runner.run_eval(items, index, settings, k=10, out_dir=out, title=f"{testset.name} ({backend})")
        finally:
            runner.answer = original
        reports[backend] = report
        extra = [answer_faithfulness(a) for a in answers.values() if not a.refused]
        backends_used = sorted({a.backend for a in answers.values()})
        fallbacks = sorted({a.fallback_reason for a in answers.values() if a.fallback_reason})
        latencies = [a.timings_ms.get("total_ms", 0.0) for a in answers.values()]
        firsts = [a.timings_ms["first_token_ms"] for a in answers.values() if a.timings_ms.get("first_token_ms")]

        def mean(key: str, extra: list[dict] = extra) -> float | None:
            values = [e[key] for e in extra if key in e]
            return round(statistics.mean(values), 4) if values else None

        details[backend] = [{"question": q, "refused": a.refused, "refusal_reason": a.refusal_reason,
                             "answer": a.text, "model_text": a.model_text, "dropped": a.dropped,
                             "fallback": a.fallback_reason, "usage": a.usage,
                             "first_token_s": round(a.timings_ms.get("first_token_ms", 0) / 1000, 1),
                             "total_s": round(a.timings_ms.get("total_ms", 0) / 1000, 1)}
                            for q, a in answers.items()]
        summary[backend] = {
            "backend_used": backends_used, "fallback": fallbacks, **headline(report),
            "faithfulness": mean("faithfulness"),
            "answers_with_unsupported_numbers": sum(1 for e in extra if e["unsupported_numbers"]),
            "raw_faithfulness": mean("raw_faithfulness"),
            "dropped_sentences": sum(e.get("dropped_sentences", 0) for e in extra),
            # The evidence rules let the question through, the model's answer did not pass: refused, or quotes.
            "model_refusals_after_evidence_ok": sum(
                1 for a in answers.values() if (a.refused and a.refusal_reason.startswith("model answer"))
                or a.fallback_reason == MODEL_REFUSED_VI),
            "asked_again_after_echo": sum(1 for a in answers.values() if a.usage.get("asked_again")),
            "latency_p50_s": round(percentile(latencies, 0.5) / 1000, 2),
            "latency_p95_s": round(percentile(latencies, 0.95) / 1000, 2),
            "first_token_p50_s": round(percentile(firsts, 0.5) / 1000, 2) if firsts else None,
        }
    if "extractive" in reports and len(reports) > 1:
        # What llm.on_model_refusal="extractive" gives: the model's answers, and the quotes where it refused
        # a question the evidence rules let through (estimated from the two runs; answers are deterministic).
        quotes = {r["id"]: r for r in reports["extractive"]["questions"]}
        for backend, report in reports.items():
            if backend == "extractive":
                continue
            rows = [quotes[r["id"]] if r["refused"] and r["refusal_reason"].startswith("model answer") else r
                    for r in report["questions"]]
            hybrid = runner.summarize(rows)
            summary[f"{backend}+quotes"] = {key: None for key in summary[backend]} | {
                **headline({**hybrid, "questions": rows}), "backend_used": [], "fallback": []}
    keys = [k for k in next(iter(summary.values())) if k not in ("backend_used", "fallback")]
    print_table(["metric", *summary], [[k, *[v[k] if v[k] is not None else "-" for v in summary.values()]]
                                       for k in keys])
    for backend, values in summary.items():
        if values["fallback"]:
            print(f"{backend}: fell back — {values['fallback']}")
    name = f"llm_quality_{testset.stem}" + (f"_first{args.limit}" if args.limit else "")
    path = write_result(name, {"testset": str(testset), "corpus": str(corpus), "results": summary})
    details_path = write_result(name, {"testset": str(testset), "questions": details}, DETAILS_DIR)
    print(f"wrote {path} (per-question answers: {details_path})")


# --- recheck -------------------------------------------------------------------------------------

def cmd_recheck(args: argparse.Namespace) -> None:
    """The model's saved replies (from ``quality``) checked again at other support thresholds: how many
    survive, and the citation precision of what does — the verifier calibrated without re-running the model."""
    import json

    from bot.answering.llm import get_backend
    from bot.answering.pipeline import _complete_sentences, gather, model_passages
    from bot.evaluation import metrics as m
    from bot.evaluation.runner import source_spans
    from bot.evaluation.testset import load_testset
    from bot.retrieval.query import make_query

    testset, corpus = Path(args.testset), Path(args.corpus)
    saved = json.loads((DETAILS_DIR / f"llm_quality_{testset.stem}.json").read_text())["questions"]["llamacpp"]
    replies = {q["question"]: q for q in saved if q["model_text"]}
    settings = settings_for(corpus, "llamacpp")
    index = open_built_index(settings)
    backend = get_backend(settings)  # its tokenizer trims the passages as the run did
    rows = []
    for item in load_testset(testset):
        reply = replies.get(item.question)
        if reply is None or item.history:
            continue
        query = make_query(item.question)
        focused = gather(index, query, settings, {})[1].read
        chosen = model_passages(index, query, focused, backend.count_tokens, settings.llm)
        sources = source_spans(index, item) if item.answerable else []
        rows.append((item, reply, chosen, sources))
    table = []
    for threshold in args.thresholds:
        kept = relevant = cited = fabricated = 0
        for item, reply, chosen, sources in rows:
            text = _complete_sentences(reply["model_text"]) if reply["usage"].get("truncated") else reply["model_text"]
            checked = verify(text, [p.check_text for p in chosen], threshold, item.question)
            if checked.refused:
                continue
            kept += 1
            fabricated += not item.answerable
            spans = [(chosen[n - 1].passage.chunk.doc_id, chosen[n - 1].passage.chunk.start,
                      chosen[n - 1].passage.chunk.end) for n in checked.cited]
            cited += len(spans)
            relevant += sum(1 for hits in m.relevance(spans, sources) if hits)
        table.append([threshold, len(rows), kept, fabricated, round(relevant / cited, 3) if cited else "-"])
    print_table(["threshold", "model replies", "passed", "of them unanswerable", "citation precision"], table)


def main() -> None:
    quiet_logs()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("speed")
    p.add_argument("--question", default="Hương ước, quy ước là gì và có mục đích gì?")
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--repeats", type=int, default=1)
    p.set_defaults(func=cmd_speed)
    p = sub.add_parser("calibrate")
    p.add_argument("--with-question", action="store_true", help="score as verify() does, given the question")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("recheck")
    p.add_argument("--testset", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--thresholds", type=float, nargs="+", default=[0.55, 0.65, 0.75, 0.8, 0.85, 0.9])
    p.set_defaults(func=cmd_recheck)
    p = sub.add_parser("quality")
    p.add_argument("--testset", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--backends", nargs="+", default=["llamacpp", "extractive"])
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--out", help="also write each backend's report folder here")
    p.set_defaults(func=cmd_quality)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
