"""The library tab (administrators): documents, upload, delete, re-index, and users' feedback.

Every action checks the page session's account on the server (``auth.is_admin``); the work itself is
``bot.indexing.library`` and ``bot.feedback``.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr

from bot.feedback import FeedbackStore
from bot.indexing import library
from bot.indexing.index import Index
from bot.settings import Settings
from bot.ui import auth
from bot.ui.render import clip, esc

log = logging.getLogger(__name__)

ADMIN_ONLY_VI = "🔒 Khu vực quản trị. Hãy đăng nhập bằng tài khoản quản trị (mục **Đăng nhập** ở đầu trang)."
DOC_HEADERS_VI = ["Tệp", "Tiêu đề", "Loại", "Số trang", "Số đoạn", "Ngày thêm", "Trạng thái"]
FEEDBACK_HEADERS_VI = ["Mã", "Thời gian", "Đánh giá", "Câu hỏi", "Câu trả lời", "Góp ý", "Chế độ trả lời",
                       "Trong bộ kiểm thử"]
STATUS_OK_VI = "✅ Đã lập chỉ mục"


def _date(at: float | None) -> str:
    return time.strftime("%d/%m/%Y %H:%M", time.localtime(at)) if at else ""


def _table(headers: list[str], rows: list[list[str]], elem_id: str, empty: str) -> str:
    """An HTML table; cells are already-escaped HTML."""
    if not rows:
        return f'<div class="hd-table-wrap" id="{elem_id}"><p class="hd-empty">{empty}</p></div>'
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td data-label="{headers[i]}">{cell}</td>' for i, cell in enumerate(row))
                   + "</tr>" for row in rows)
    return (f'<div class="hd-table-wrap" id="{elem_id}"><table class="hd-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def documents_table(index: Index) -> str:
    rows = []
    for doc in library.list_documents(index):
        ok = doc.status == "indexed"
        status = (f'<span class="hd-ok">{STATUS_OK_VI}</span>' if ok else
                  f'<span class="hd-err">❌ Lỗi: {esc(doc.message)}</span>')
        title = esc(clip(doc.title, 110)) + (f'<div class="hd-sub">Số hiệu: {esc(doc.number)}</div>' if doc.number else "")
        rows.append([f'<span class="hd-file">{esc(doc.id)}</span>', title, esc(library.TYPE_NAMES_VI.get(doc.type, doc.type.upper())),
                     str(doc.pages) if doc.pages else "", str(doc.chunks) if ok else "", _date(doc.added_at), status])
    return _table(DOC_HEADERS_VI, rows, "hd-documents", "Thư viện chưa có tài liệu nào.")


def feedback_table_html(store: FeedbackStore) -> str:
    rows = [[str(row["id"]), _date(row["at"]), "👍" if row["rating"] > 0 else "👎", esc(clip(row["question"], 160)),
             esc(clip(row["answer"], 220)), esc(row["comment"]), esc(row["backend"]), "có" if row["in_testset"] else ""]
            for row in store.rows()]
    return _table(FEEDBACK_HEADERS_VI, rows, "hd-feedback-list", "Chưa có góp ý nào.")


def upload_report_html(report: library.UploadReport) -> str:
    items = []
    for f in report.files:
        name = esc(f.name) + (f" → {esc(f.doc_id)}" if f.doc_id and f.doc_id != f.name else "")
        if f.status == "added":
            items.append(f'<li class="hd-ok">✅ {name}: đã thêm ({f.chunks} đoạn).</li>')
        elif f.status == "updated":
            items.append(f'<li class="hd-ok">✅ {name}: đã cập nhật phiên bản mới ({f.chunks} đoạn).</li>')
        elif f.status == "unchanged":
            items.append(f'<li class="hd-ok">☑️ {name}: đã có trong thư viện, nội dung không đổi.</li>')
        else:
            items.append(f'<li class="hd-err">❌ {name}: {esc(f.message)}</li>')
    summary = f"Đã nạp {len(report.ok)}/{len(report.files)} tệp"
    if report.failed:
        summary += f"; {len(report.failed)} tệp lỗi"
    if report.ingest is not None:
        summary += f" ({report.ingest.seconds:.1f} giây)"
    return f'<div class="hd-report" id="hd-upload-report"><p><b>{summary}.</b></p><ul>{"".join(items)}</ul></div>'


def build_library(settings: Settings, index: Index, session: gr.State, feedback: FeedbackStore) -> None:
    cfg = settings.ingest
    kinds = ", ".join(sorted({e.lstrip(".").upper() for e in cfg.extensions}))
    testset_path = Path(settings.index_dir) / "feedback_testset.jsonl"
    export_dir = Path(tempfile.mkdtemp(prefix="hoidap-feedback-"))

    gate = gr.Markdown(ADMIN_ONLY_VI, elem_id="hd-library-gate")
    with gr.Column(visible=False, elem_id="hd-library") as admin:
        gr.Markdown(f"### Tài liệu trong thư viện\nTải lên nhiều tệp một lúc ({kinds}; tối đa "
                    f"{cfg.max_file_mb:g} MB mỗi tệp). Tệp được lưu vào thư mục tài liệu và lập chỉ mục ngay; "
                    "tệp lỗi được báo riêng, các tệp khác vẫn được nạp.")
        with gr.Row(equal_height=True):
            upload = gr.UploadButton("📤 Tải tài liệu lên", file_count="multiple", variant="primary",
                                     file_types=sorted(cfg.extensions), elem_id="hd-upload", min_width=180)
            refresh = gr.Button("↻ Làm mới danh sách", elem_id="hd-refresh", min_width=160)
            rescan = gr.Button("🔎 Quét lại thư mục tài liệu", elem_id="hd-rescan", min_width=200)
        upload_report = gr.HTML("", elem_id="hd-upload-result")
        table = gr.HTML("", elem_id="hd-documents-box")
        with gr.Row(equal_height=True):
            selected = gr.Dropdown(label="Chọn tài liệu", multiselect=True, choices=[], elem_id="hd-select", scale=4)
            with gr.Column(scale=1, min_width=180):
                reindex = gr.Button("🔁 Lập chỉ mục lại", elem_id="hd-reindex", size="sm")
                delete = gr.Button("🗑️ Xóa tài liệu", variant="stop", elem_id="hd-delete", size="sm")
        action_report = gr.HTML("", elem_id="hd-action-result")

        gr.Markdown("### Góp ý của người dùng\nCác lượt 👍/👎 trên câu trả lời. Một lượt 👎 có thể chuyển thành "
                    "một câu hỏi của bộ kiểm thử (định dạng JSONL của `evals/`) để người soát bổ sung nguồn.")
        feedback_table = gr.HTML("", elem_id="hd-feedback-box-admin")
        with gr.Row(equal_height=True):
            csv_download = gr.DownloadButton("⬇️ Tải góp ý (CSV)", interactive=False, elem_id="hd-feedback-csv",
                                             min_width=180)
            disliked = gr.Dropdown(label="Lượt 👎", choices=[], elem_id="hd-disliked", scale=3)
            to_testset = gr.Button("➕ Thêm vào bộ câu hỏi kiểm thử", elem_id="hd-to-testset", min_width=220)
        testset_line = gr.Code(label="Dòng bộ câu hỏi (JSONL)", language="json", interactive=False,
                               elem_id="hd-testset-line", visible=False)
        testset_download = gr.DownloadButton("⬇️ Tải tệp bộ câu hỏi từ góp ý (JSONL)", interactive=False,
                                             elem_id="hd-testset-download", visible=False)

    def require_admin(current: dict | None) -> None:
        if not auth.is_admin(current):
            raise gr.Error("Cần đăng nhập bằng tài khoản quản trị.", title="Không có quyền")

    def doc_choices() -> list[tuple[str, str]]:
        return [(f"{d.id} — {clip(d.title, 60)}" if d.title != d.id else d.id, d.id)
                for d in library.list_documents(index)]

    def documents_view():
        return documents_table(index), gr.update(choices=doc_choices(), value=[])

    def feedback_view():
        rows = feedback.rows()
        path = export_dir / f"gop-y-{time.strftime('%Y%m%d-%H%M%S')}.csv"
        for old in export_dir.glob("gop-y-*.csv"):
            old.unlink(missing_ok=True)
        feedback.export_csv(path)
        choices = [(f"#{r['id']} — {clip(r['question'], 70)}", r["id"]) for r in rows if r["rating"] < 0]
        return (feedback_table_html(feedback), gr.update(value=str(path), interactive=bool(rows)),
                gr.update(choices=choices, value=choices[0][1] if choices else None))

    view_outputs = [table, selected, feedback_table, csv_download, disliked]

    def on_session(current: dict | None):
        if not auth.is_admin(current):
            return (gr.update(visible=True), gr.update(visible=False)) + tuple(gr.update() for _ in view_outputs)
        return (gr.update(visible=False), gr.update(visible=True)) + documents_view() + feedback_view()

    session.change(on_session, session, [gate, admin] + view_outputs, api_visibility="private")

    def on_refresh(current: dict | None):
        require_admin(current)
        return documents_view() + feedback_view()

    refresh.click(on_refresh, session, view_outputs, api_visibility="private")

    def on_upload(files: list[str] | None, current: dict | None, progress=gr.Progress()):
        require_admin(current)
        files = files or []
        if not files:
            return ("", *documents_view())
        if len(files) > settings.ui.max_upload_files:
            raise gr.Error(f"Mỗi lần chỉ tải lên tối đa {settings.ui.max_upload_files} tệp.", title="Quá nhiều tệp")
        pairs = [(Path(f).name, Path(f)) for f in files]
        log.info("%s uploads %d files", current.get("user"), len(pairs))
        progress(0, desc="Đang lưu tệp")
        report = library.add_files(index, pairs, progress=lambda fraction, what: progress(fraction, desc=what))
        return (upload_report_html(report), *documents_view())

    upload.upload(on_upload, [upload, session], [upload_report, table, selected], api_visibility="private",
                  concurrency_id="library")

    def on_delete(doc_ids: list[str] | None, current: dict | None, progress=gr.Progress()):
        require_admin(current)
        if not doc_ids:
            return ('<p class="hd-err">Hãy chọn tài liệu cần xóa.</p>', *documents_view())
        progress(0.2, desc="Đang xóa")
        results = library.delete_documents(index, doc_ids)
        log.info("%s deleted %s", current.get("user"), doc_ids)
        items = "".join(f'<li class="hd-ok">🗑️ Đã xóa {esc(d)}.</li>' if not m else
                        f'<li class="hd-err">❌ {esc(d)}: {esc(m)}</li>' for d, m in results.items())
        return (f'<div class="hd-report"><ul>{items}</ul></div>', *documents_view())

    delete.click(on_delete, [selected, session], [action_report, table, selected], api_visibility="private",
                 concurrency_id="library")

    def reindex_report(report) -> str:
        items = "".join(f'<li class="hd-err">❌ {esc(d)}: {esc(m)}</li>' for d, m in report.failed.items())
        return f'<div class="hd-report"><p><b>{esc(report.summary_vi())}</b></p><ul>{items}</ul></div>'

    def on_reindex(doc_ids: list[str] | None, current: dict | None, progress=gr.Progress()):
        require_admin(current)
        if not doc_ids:
            return ('<p class="hd-err">Hãy chọn tài liệu cần lập chỉ mục lại.</p>', *documents_view())
        try:
            report = library.reindex_documents(index, doc_ids,
                                               progress=lambda fraction, what: progress(fraction, desc=what))
        except library.LibraryError as exc:
            return (f'<p class="hd-err">❌ {esc(exc.message_vi)}</p>', *documents_view())
        return (reindex_report(report), *documents_view())

    reindex.click(on_reindex, [selected, session], [action_report, table, selected], api_visibility="private",
                  concurrency_id="library")

    def on_rescan(current: dict | None, progress=gr.Progress()):
        require_admin(current)
        report = library.reindex_documents(index, None, progress=lambda fraction, what: progress(fraction, desc=what))
        return (reindex_report(report), *documents_view())

    rescan.click(on_rescan, session, [action_report, table, selected], api_visibility="private",
                 concurrency_id="library")

    def on_testset(feedback_id: int | None, current: dict | None):
        require_admin(current)
        if feedback_id is None:
            raise gr.Error("Chưa chọn lượt 👎 nào.", title="Thiếu lựa chọn")
        record = feedback.add_to_testset(int(feedback_id), testset_path)
        gr.Info(f"Đã thêm {record['id']} vào {testset_path.name}. Hãy bổ sung nguồn (sources) trước khi dùng.",
                title="Bộ câu hỏi")
        download = export_dir / testset_path.name  # served from the temporary folder, not the index folder
        shutil.copyfile(testset_path, download)
        return (gr.update(value=json.dumps(record, ensure_ascii=False), visible=True),
                gr.update(value=str(download), interactive=True, visible=True), *feedback_view())

    to_testset.click(on_testset, [disliked, session],
                     [testset_line, testset_download, feedback_table, csv_download, disliked],
                     api_visibility="private")
