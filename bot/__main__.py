"""CLI: python -m bot {ingest, ask, eval, serve}. Parses arguments, calls the library, prints."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    index_dir = getattr(args, "index", None)
    corpus_dir = getattr(args, "corpus", None)
    if corpus_dir and not index_dir and Path(corpus_dir).resolve() != settings.corpus_dir.resolve():
        # Another corpus gets its own index folder, so the demo index is never mixed with it.
        tag = hashlib.sha256(str(Path(corpus_dir).resolve()).encode()).hexdigest()[:10]
        index_dir = settings.index_dir / f"corpus-{Path(corpus_dir).name}-{tag}"
    return settings.with_paths(corpus_dir, index_dir)


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import get_index
    from bot.indexing.ingest import ingest

    settings = _settings(args)
    report = ingest(get_index(settings, build_if_empty=False), settings.corpus_dir, show_bar=True)
    print(report.summary_vi())
    for doc_id, message in report.failed.items():
        print(f"  ✗ {doc_id}: {message}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import answer

    history = json.loads(Path(args.history).read_text(encoding="utf-8")) if args.history else None
    result = answer(args.question, history, settings=_settings(args))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(result.text)
    for c in result.citations:
        where = c.heading or c.title + (f", trang {c.page}" if c.page else "")
        print(f"  [{c.n}] {where} ({c.doc})")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import get_index
    from bot.evaluation.runner import run_eval
    from bot.evaluation.testset import TestSetError, load_testset

    settings = _settings(args)
    try:
        items = load_testset(Path(args.testset))
        report = run_eval(items, get_index(settings), settings, k=args.k, out_dir=Path(args.out), title=args.testset)
    except TestSetError as exc:
        print(f"Bộ câu hỏi không hợp lệ: {exc}", file=sys.stderr)
        return 2
    summary = {key: report[key] for key in ("n", "retrieval", "answer", "citations", "refusal", "latency_ms")}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.ui.app import launch

    launch(_settings(args), host=args.host, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Hỏi đáp Dân vận")
    parser.add_argument("-v", "--verbose", action="store_true", help="log INFO messages")
    sub = parser.add_subparsers(dest="command", required=True)

    def paths(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", help="folder of documents (default: corpus/)")
        p.add_argument("--index", help="index folder (default: index/, or one per --corpus)")

    p = sub.add_parser("ingest", help="index the corpus folder (incremental)")
    paths(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p.add_argument("--history", help='JSON file: [{"role": "user"|"assistant", "content": str}, ...]')
    paths(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run a test set and write a report")
    p.add_argument("--testset", required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--out", default=str(PROJECT_ROOT / "evals" / "out"))
    p.add_argument("--backend", default="extractive", choices=["extractive"])
    paths(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    paths(p)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
