"""The evaluation tab (administrators): run a test set through the answering pipeline and read its report.

A run asks every question of the set, so it is an admin action, one at a time on the server. The work is
``bot.evaluation`` (the same runner and report files as ``python -m bot eval``); each run writes its
folder under ``<index_dir>/eval-runs/``, and the page offers it as one ZIP.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr

from bot.evaluation.report import CHARTS, FAILURES_VI, failure_reason
from bot.evaluation.runner import run_eval
from bot.evaluation.testset import InvalidTestset, load_testset
from bot.indexing.index import Index
from bot.settings import PROJECT_ROOT, Settings
from bot.ui import api, auth
from bot.ui.library import ADMIN_ONLY_VI, _table
from bot.ui.render import backend_label, clip, esc

log = logging.getLogger(__name__)

EVALS_DIR = PROJECT_ROOT / "evals"
TESTSET_SUFFIXES = (".jsonl", ".csv", ".xlsx")
FAILURE_HEADERS_VI = ["Mã", "Câu hỏi", "Câu trả lời mong đợi", "Câu trả lời của hệ thống",
                      "Nguồn (📄 mong đợi, 🔎 tìm được)", "Lý do chưa đạt"]
CHART_CAPTIONS_VI = {"metrics.png": "Các chỉ số (0–1)", "hit_at_k.png": "Tỉ lệ tìm đúng đoạn theo k (hit@k)",
                     "latency.png": "Thời gian trả lời mỗi câu (ms)"}


def list_testsets(folder: Path = EVALS_DIR) -> list[str]:
    """Test sets under evals/ (paths relative to it); report folders (evals/out) hold no test sets."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in TESTSET_SUFFIXES and p.relative_to(folder).parts[0] != "out")


def resolve_testset(folder: Path, name: str | None) -> Path | None:
    """The file a choice names, only when it is one of the listed test sets (never outside the folder)."""
    return (Path(folder) / name).resolve() if name and name in list_testsets(folder) else None


def _n(value) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def metrics_html(report: dict) -> str:
    """The report.json figures, one row per group."""
    r, a, c, refusal, latency = (report[g] for g in ("retrieval", "answer", "citations", "refusal", "latency_ms"))

    def cells(pairs: list[tuple[str, object]]) -> str:
        return " · ".join(f"{esc(label)}: <b>{_n(value)}</b>" for label, value in pairs)

    rows = [
        ["Số câu hỏi", cells([("tổng", report["n"]), ("có câu trả lời", report["n_answerable"]),
                              ("không có thông tin", report["n"] - report["n_answerable"])])],
        ["Truy hồi", cells([(key, r[key]) for key in ("hit@1", "hit@3", "hit@5", "hit@10")]
                           + [("MRR@10", r["mrr@10"]), ("nDCG@10", r["ndcg@10"]), ("recall@10", r["recall@10"])])],
        ["Câu trả lời", cells([("F1 theo âm tiết", a["token_f1"]), ("ROUGE-L", a["rouge_l"]),
                               ("đúng số liệu", a["numbers_match"])])],
        ["Trích dẫn", cells([("độ chính xác", c["precision"]), ("độ bao phủ", c["recall"]),
                             ("độ trung thực", c["faithfulness"])])],
        ["Từ chối", cells([("độ chính xác", refusal["accuracy"]), ("từ chối đúng", refusal["correct_refusals"]),
                           ("từ chối nhầm", refusal["false_refusals"]),
                           ("trả lời câu không có thông tin", refusal["fabricated_answers"]),
                           ("trả lời đúng chỗ", refusal["correct_answers"]),
                           # reports of earlier versions have no cautions
                           ("trả lời kèm lưu ý (câu có / không có thông tin)",
                            f"{refusal.get('cautioned_answers', 0)} / {refusal.get('cautioned_fabricated', 0)}")])],
        ["Thời gian (ms)", cells([("trung vị", latency["p50"]), ("p95", latency["p95"]),
                                  ("truy hồi (trung vị)", latency["retrieval_p50"]),
                                  ("trả lời (trung vị)", latency["answer_p50"])])],
    ]
    judge = report.get("judge")
    if judge:
        label = "Mô hình chấm (LLM, không phải người chấm)"
        if judge.get("skipped"):
            rows.append([label, f"Bỏ qua: {esc(judge['skipped'])}"])
        else:
            rows.append([label, cells([("điểm trung bình /5", judge["mean_score"]), ("số câu được chấm", judge["n"]),
                                       ("không đọc được điểm", judge["unparsed"])]) + f" · {esc(judge['model'])}"])
    return _table(["Nhóm", "Chỉ số"], rows, "hd-eval-metrics-table", "")


def failures_html(report: dict) -> str:
    rows = []
    for row in report["questions"]:
        why = failure_reason(row)
        if why:
            sources = "".join(f"<div>📄 {esc(d)}</div>" for d in row.get("source_docs", []))
            found = "".join(f'<div class="hd-sub">🔎 {esc(clip(p, 90))}</div>' for p in row["retrieved"][:3])
            rows.append([esc(row["id"]), esc(clip(row["question"], 200)),
                         esc(clip(row["expected"], 220)) or "<i>(từ chối)</i>",
                         esc(clip(row["answer"], 260)), sources + found, esc(FAILURES_VI.get(why, why))])
    return _table(FAILURE_HEADERS_VI, rows, "hd-eval-failures-table", "Không có câu nào chưa đạt.")


def build_evaluation(settings: Settings, index: Index, session: gr.State, testsets_dir: Path = EVALS_DIR) -> None:
    runs_dir = Path(settings.index_dir) / "eval-runs"
    export_dir = Path(tempfile.mkdtemp(prefix="hoidap-eval-"))  # what the page downloads is served from here

    gate = gr.Markdown(ADMIN_ONLY_VI, elem_id="hd-eval-gate")
    with gr.Column(visible=False, elem_id="hd-eval") as admin:
        gr.Markdown("### Đánh giá chất lượng trả lời\nChạy một bộ câu hỏi kiểm thử (JSONL, CSV hoặc XLSX theo định "
                    "dạng của `evals/`: câu hỏi, câu trả lời mong đợi và trích dẫn nguyên văn) qua hệ thống hỏi đáp, "
                    "rồi xem các chỉ số, biểu đồ và những câu chưa đạt. Mỗi lần chạy hỏi lần lượt từng câu, "
                    "nên có thể mất vài phút.")
        with gr.Row(equal_height=True):
            picked = gr.Dropdown(label="Bộ câu hỏi có sẵn (thư mục evals/)", choices=list_testsets(testsets_dir),
                                 value=None, elem_id="hd-eval-testset", scale=2)
            uploaded = gr.File(label="… hoặc tải lên bộ câu hỏi (ưu tiên tệp tải lên)", type="filepath",
                               file_types=list(TESTSET_SUFFIXES), elem_id="hd-eval-upload", scale=2)
        with gr.Row(equal_height=True):
            backend = gr.Dropdown(label="Chế độ trả lời", choices=[(backend_label(b), b) for b in api.BACKENDS],
                                  value="extractive", elem_id="hd-eval-backend", scale=2)
            k = gr.Slider(1, 20, value=10, step=1, label="Số đoạn truy hồi để tính chỉ số (k)", elem_id="hd-eval-k",
                          scale=2)
            judge = gr.Checkbox(label="Chấm thêm bằng mô hình ngôn ngữ (chậm, chỉ để tham khảo)",
                                value=settings.evaluation.judge, elem_id="hd-eval-judge", scale=1)
        run = gr.Button("▶️ Chạy đánh giá", variant="primary", elem_id="hd-eval-run")
        status = gr.HTML("", elem_id="hd-eval-status")
        metrics = gr.HTML("", elem_id="hd-eval-metrics")
        charts = gr.Gallery(label="Biểu đồ", columns=3, height="auto", object_fit="contain", visible=False,
                            elem_id="hd-eval-charts")
        failures = gr.HTML("", elem_id="hd-eval-failures")
        download = gr.DownloadButton("⬇️ Tải báo cáo (ZIP: report.json, report.md, questions.csv, biểu đồ)",
                                     visible=False, elem_id="hd-eval-download")

    results = [status, metrics, charts, failures, download]

    def on_session(current: dict | None):
        if not auth.is_admin(current):
            return gr.update(visible=True), gr.update(visible=False), gr.update()
        return gr.update(visible=False), gr.update(visible=True), gr.update(choices=list_testsets(testsets_dir))

    session.change(on_session, session, [gate, admin, picked], api_visibility="private")

    def failed(message: str):
        return (f'<p class="hd-err" id="hd-eval-error">❌ {esc(message)}</p>', "", gr.update(visible=False, value=None),
                "", gr.update(visible=False))

    def on_run(name: str | None, upload: str | None, chosen_backend: str, top_k: float, with_judge: bool,
               current: dict | None, progress=gr.Progress()):
        if not auth.is_admin(current):
            raise gr.Error("Cần đăng nhập bằng tài khoản quản trị.", title="Không có quyền")
        path = Path(upload) if upload else resolve_testset(testsets_dir, name)
        if path is None:
            return failed("Hãy chọn một bộ câu hỏi có sẵn hoặc tải lên một tệp JSONL, CSV hoặc XLSX.")
        if path.suffix.lower() not in TESTSET_SUFFIXES:
            return failed(f"Tệp {path.name} không phải JSONL, CSV hoặc XLSX.")
        if chosen_backend not in api.BACKENDS:
            return failed(f"Chế độ trả lời không hợp lệ: {chosen_backend}")
        run_settings = settings.model_copy(update={
            "answer": settings.answer.model_copy(update={"backend": chosen_backend}),
            "evaluation": settings.evaluation.model_copy(update={"judge": bool(with_judge)})})
        stem = re.sub(r"[^\w.-]+", "-", path.stem)[:40]
        run_dir = runs_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{int(time.time() * 1000) % 1000:03d}-{stem}"
        steps = {"answer": "Đang hỏi câu", "judge": "Mô hình đang chấm câu"}
        try:
            items = load_testset(path)
            if not items:
                return failed(f"Bộ câu hỏi {path.name} không có câu nào.")
            progress(0, desc="Đang kiểm tra bộ câu hỏi")
            log.info("%s evaluates %s (%d questions, %s, k=%d)", current.get("user"), path.name, len(items),
                     chosen_backend, int(top_k))
            report = run_eval(items, index, run_settings, k=int(top_k), out_dir=run_dir, title=path.name,
                              progress=lambda done, total, stage: progress(
                                  done / total, desc=f"{steps.get(stage, stage)} {done}/{total}"))
        except InvalidTestset as exc:
            return failed(f"Bộ câu hỏi không hợp lệ — {exc.vi}")
        shown = export_dir / run_dir.name
        shown.mkdir(parents=True, exist_ok=True)
        archive = shutil.make_archive(str(export_dir / f"bao-cao-danh-gia-{run_dir.name}"), "zip", run_dir)
        gallery = []
        for chart in CHARTS:
            shutil.copyfile(run_dir / chart, shown / chart)
            gallery.append((str(shown / chart), CHART_CAPTIONS_VI[chart]))
        failing = sum(1 for row in report["questions"] if failure_reason(row))
        note = ""
        if report.get("judge", {}).get("skipped"):
            note = f' <span class="hd-err">Không chấm được bằng mô hình: {esc(report["judge"]["skipped"])}</span>'
        summary = (f'<p class="hd-ok" id="hd-eval-done">✅ Đã đánh giá {report["n"]} câu của {esc(path.name)} '
                   f'({esc(backend_label(chosen_backend))}, k={int(top_k)}): {failing} câu chưa đạt. '
                   f'Báo cáo lưu tại <code>{esc(str(run_dir))}</code>.{note}</p>')
        return (summary, metrics_html(report), gr.update(value=gallery, visible=True), failures_html(report),
                gr.update(value=archive, visible=True))

    run.click(on_run, [picked, uploaded, backend, k, judge, session], results, api_visibility="private",
              concurrency_limit=1, concurrency_id="eval")
