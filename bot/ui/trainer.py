"""The "Soạn câu hỏi" tab: generate, review, edit and export cited Q&A sets and quizzes.

All the work is ``bot.trainer`` (generate, recheck, regenerate_one, manual_item, export); this module
shows the items in an editable table and turns the table back into items. The set being reviewed lives in
the page session's state (a list of ``QAItem.to_dict()``), so every user has their own. The tab needs a
login exactly when the chat does (``ui.require_login_for_chat``); generation runs one at a time, since the
model writer (``TrainerSettings.generator``) may be slow on a CPU.

Table rows are matched to items by their id ("Mã"), not by position. Editing a question, answer, option,
correct letter or quote leaves an item unchecked until "Kiểm tra lại" (export re-checks it too); only
approved ("Duyệt") items that pass the citation verifier are exported.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import gradio as gr

from bot.documents.model import Document
from bot.indexing.index import Index
from bot.settings import Settings
from bot.trainer import (DIFFICULTIES, KIND_LABELS_VI, TYPE_LABELS_VI, ExportError, QAItem, ScopeError, UnknownDocument,
                         explain, export, generate_set, manual_item, recheck, regenerate_one, sections)
from bot.trainer.generate import quote_source
from bot.trainer.items import LETTERS
from bot.ui import auth
from bot.ui.render import clip

log = logging.getLogger(__name__)

LOGIN_NEEDED_VI = "🔒 Hãy đăng nhập (mục **Đăng nhập** ở đầu trang) để soạn câu hỏi."
INTRO_VI = ("Soạn bộ câu hỏi ôn tập (tự luận, trắc nghiệm) từ các tài liệu đã nạp. Mỗi câu có trích dẫn nguyên văn "
            "và được bộ kiểm chứng trích dẫn kiểm tra. Sửa trực tiếp trong bảng rồi bấm **Kiểm tra lại**; tích "
            "**Duyệt** cho các câu dùng được, rồi xuất bộ câu hỏi ra DOCX, XLSX, CSV hoặc JSONL.")
HEADERS_VI = ["Chọn", "Duyệt", "Mã", "Dạng", "Câu hỏi", "Đáp án", "A", "B", "C", "D", "Đúng", "Loại", "Mức độ",
              "Nguồn", "Trích dẫn", "Kiểm chứng"]
COL = {name: i for i, name in enumerate(HEADERS_VI)}
DATATYPES = ["bool", "bool"] + ["str"] * (len(HEADERS_VI) - 2)
STATIC_COLUMNS = [COL[name] for name in ("Mã", "Dạng", "Loại", "Nguồn", "Kiểm chứng")]
COLUMN_WIDTHS = ["84px", "84px", "110px", "90px", "260px", "240px", "120px", "120px", "120px", "120px", "56px",
                 "120px", "90px", "200px", "260px", "200px"]
KIND_CHOICES_VI = [("Cả hai", "both"), ("Tự luận", "open"), ("Trắc nghiệm", "mcq")]
GENERATOR_CHOICES_VI = [("Tự động", "auto"), ("Theo quy tắc", "rules"), ("Mô hình ngôn ngữ", "llm")]
FORMAT_CHOICES = [("DOCX", "docx"), ("XLSX", "xlsx"), ("CSV", "csv"), ("JSONL", "jsonl")]
MAX_COUNT = 100
MAX_SCOPE_CHOICES = 400
EXPORT_KEEP_S = 3600  # exported files older than this are removed at the next export


# --- Items <-> table rows (no Gradio; unit-tested) ------------------------------------------------------


def status_text(item: QAItem) -> str:
    """The "Kiểm chứng" cell: passed, not yet checked, or the verifier's reasons."""
    if not item.checked:
        return "⏳ Chưa kiểm chứng (bấm «Kiểm tra lại»)"
    if item.verified:
        return f"✅ Đạt (độ khớp {item.support:.2f})"
    return "⚠️ " + explain(item)


def source_text(item: QAItem) -> str:
    """The "Nguồn" cell: document id — heading, page (one line per source)."""
    return "\n".join(f"{s.doc} — {s.where}" if s.where != s.doc else s.doc for s in item.sources)


def item_row(item: QAItem, chosen: bool = False) -> list:
    """One table row of an item (HEADERS_VI order)."""
    options = (item.options + [""] * 4)[:4] if item.kind == "mcq" else ["", "", "", ""]
    return [chosen, item.approved, item.id, KIND_LABELS_VI.get(item.kind, item.kind), item.question, item.answer,
            *options, item.correct_letter, TYPE_LABELS_VI.get(item.type, item.type), item.difficulty,
            source_text(item), "\n".join(s.quote for s in item.sources), status_text(item)]


def items_table(items: Sequence[QAItem], chosen: Sequence[str] = ()) -> dict:
    """The Dataframe value for items (headers kept when empty); ids in ``chosen`` stay ticked "Chọn"."""
    return {"headers": HEADERS_VI, "data": [item_row(i, i.id in chosen) for i in items]}


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return _cell(value).lower() in ("true", "1", "x", "có", "✓", "✔")


def letter_index(text: str) -> int | None:
    """'B', 'b', 'B.', ' c) ' -> 1, 1, 1, 2; anything else None."""
    text = _cell(text).upper().rstrip(".)").lstrip("(")
    return LETTERS.index(text) if len(text) == 1 and text in LETTERS else None


def row_to_item(item: QAItem, row: Sequence, find: Callable[[str], Document | None]) -> QAItem:
    """The item with the row's edits: content changes give an unchecked copy (``QAItem.edited``); a changed
    quote is looked up in the item's document; "Duyệt" sets the approval."""
    row = list(row) + [""] * (len(HEADERS_VI) - len(row))
    changes: dict[str, object] = {}
    for name, field in (("Câu hỏi", "question"), ("Đáp án", "answer")):
        value = _cell(row[COL[name]])
        if value != getattr(item, field).strip():
            changes[field] = value
    if item.kind == "mcq":
        options = [_cell(row[COL[letter]]) for letter in LETTERS]
        if options != [o.strip() for o in (item.options + [""] * 4)[:4]]:
            changes["options"] = options
        correct = letter_index(row[COL["Đúng"]])
        if correct != item.correct:
            changes["correct"] = correct
    difficulty = _cell(row[COL["Mức độ"]]).lower()
    if difficulty != item.difficulty and difficulty in DIFFICULTIES:
        changes["difficulty"] = difficulty
    quote = _cell(row[COL["Trích dẫn"]])
    if quote != "\n".join(s.quote for s in item.sources).strip():
        doc = find(item.doc)
        changes["sources"] = [quote_source(doc, quote)] if doc is not None and quote else []
    if set(changes) - {"difficulty"}:
        item = item.edited(**changes)
    else:  # a copy (the level of difficulty is no claim the verifier checks)
        item = QAItem.from_dict({**item.to_dict(), **changes})
    item.approved = _truthy(row[COL["Duyệt"]])
    return item


def merge_table(items: Sequence[QAItem], rows: Sequence[Sequence] | None,
                find: Callable[[str], Document | None]) -> tuple[list[QAItem], list[str]]:
    """(the items as the table has them, in its order; the ids ticked "Chọn"). Rows are matched by "Mã";
    items whose row is gone are dropped, rows without a known id are ignored."""
    by_id = {i.id: i for i in items}
    out: list[QAItem] = []
    chosen: list[str] = []
    for row in rows or []:
        if not row or len(row) <= COL["Mã"]:
            continue
        item = by_id.pop(_cell(row[COL["Mã"]]), None)
        if item is None:
            continue
        out.append(row_to_item(item, row, find))
        if _truthy(row[COL["Chọn"]]):
            chosen.append(item.id)
    return out, chosen


def load_state(state: list[dict] | None) -> list[QAItem]:
    return [QAItem.from_dict(d) for d in state or []]


def dump_state(items: Sequence[QAItem]) -> list[dict]:
    return [i.to_dict() for i in items]


def manual_options(text: str) -> list[str]:
    """MCQ options typed one per line ('A. …' letters optional)."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if len(line) > 2 and line[0].upper() in LETTERS and line[1] in ".)":
            line = line[2:].strip()
        if line:
            out.append(line)
    return out


def scope_choices(docs: Sequence[Document]) -> list[tuple[str, str]]:
    """(label, key) of the sections of the documents; a key shared by several documents is listed once."""
    seen: dict[str, str] = {}
    for doc in docs:
        for section in sections(doc):
            seen.setdefault(section.key, clip(section.label, 90))
            if len(seen) >= MAX_SCOPE_CHOICES:
                break
    return [(label, key) for key, label in seen.items()]


# --- The tab -------------------------------------------------------------------------------------------


def build_trainer(settings: Settings, index: Index, session: gr.State) -> None:
    ui, cfg = settings.ui, settings.trainer
    export_dir = Path(tempfile.mkdtemp(prefix="hoidap-trainer-"))
    find = index.catalog.document
    allowed = auth.can_chat(ui, None)

    gate = gr.Markdown(LOGIN_NEEDED_VI, visible=not allowed, elem_id="hd-trainer-gate")
    with gr.Column(visible=allowed, elem_id="hd-trainer") as area:
        gr.Markdown(INTRO_VI)
        with gr.Row(equal_height=True):
            docs = gr.Dropdown(label="Tài liệu", multiselect=True, choices=[], elem_id="hd-tr-docs", scale=4)
            refresh = gr.Button("↻ Làm mới", size="sm", elem_id="hd-tr-refresh", scale=0, min_width=110)
        scope = gr.Dropdown(label="Phạm vi (Chương / Điều / Đoạn; để trống: cả tài liệu)", multiselect=True,
                            choices=[], elem_id="hd-tr-scope")
        with gr.Row(equal_height=True):
            count = gr.Number(label="Số câu hỏi", value=cfg.count, minimum=1, maximum=MAX_COUNT, precision=0,
                              elem_id="hd-tr-count", min_width=120)
            kind = gr.Radio(KIND_CHOICES_VI, value=cfg.kind, label="Loại câu hỏi", elem_id="hd-tr-kind")
            generator = gr.Radio(GENERATOR_CHOICES_VI, value=cfg.generator, label="Cách soạn",
                                 elem_id="hd-tr-generator")
        generate = gr.Button("✨ Tạo câu hỏi", variant="primary", elem_id="hd-tr-generate")
        status = gr.Markdown("", elem_id="hd-tr-status")
        table = gr.Dataframe(value=items_table([]), headers=HEADERS_VI, datatype=DATATYPES, type="array",
                             interactive=True, wrap=True, static_columns=STATIC_COLUMNS, column_widths=COLUMN_WIDTHS,
                             max_height=640, label="Bộ câu hỏi (sửa trực tiếp; tích «Chọn» để xóa hoặc tạo lại)",
                             elem_id="hd-tr-table")
        with gr.Row():
            recheck_button = gr.Button("🔎 Kiểm tra lại", size="sm", elem_id="hd-tr-recheck", min_width=130)
            approve_all = gr.Button("✅ Duyệt mọi câu đạt", size="sm", elem_id="hd-tr-approve-all", min_width=150)
            regenerate = gr.Button("🔄 Tạo lại câu đã chọn", size="sm", elem_id="hd-tr-regenerate", min_width=170)
            delete = gr.Button("🗑️ Xóa câu đã chọn", size="sm", variant="stop", elem_id="hd-tr-delete",
                               min_width=150)
        with gr.Accordion("➕ Thêm câu hỏi thủ công", open=False, elem_id="hd-tr-manual"):
            with gr.Row(equal_height=True):
                m_doc = gr.Dropdown(label="Tài liệu", choices=[], elem_id="hd-tr-m-doc", scale=3)
                m_kind = gr.Radio(KIND_CHOICES_VI[1:], value="open", label="Loại câu hỏi", elem_id="hd-tr-m-kind")
            m_question = gr.Textbox(label="Câu hỏi", elem_id="hd-tr-m-question", max_length=1000)
            m_answer = gr.Textbox(label="Đáp án (trắc nghiệm: câu giải thích)", elem_id="hd-tr-m-answer",
                                  max_length=2000)
            m_quote = gr.Textbox(label="Trích dẫn nguyên văn từ tài liệu (tối đa 200 ký tự)", lines=2,
                                 elem_id="hd-tr-m-quote", max_length=1000)
            with gr.Row(equal_height=True):
                m_options = gr.Textbox(label="Phương án trắc nghiệm (mỗi dòng một phương án)", lines=4,
                                       elem_id="hd-tr-m-options", scale=3)
                m_correct = gr.Dropdown(list(LETTERS), value="A", label="Phương án đúng", elem_id="hd-tr-m-correct",
                                        scale=1, min_width=120)
            add = gr.Button("➕ Thêm câu hỏi", elem_id="hd-tr-add")
        with gr.Row(equal_height=True):
            fmt = gr.Radio(FORMAT_CHOICES, value="docx", label="Định dạng", elem_id="hd-tr-format", scale=2)
            export_button = gr.Button("📦 Xuất các câu đã duyệt", variant="primary", elem_id="hd-tr-export",
                                      scale=1, min_width=180)
            download = gr.DownloadButton("⬇️ Tải tệp", interactive=False, elem_id="hd-tr-download", scale=1,
                                         min_width=120)
    items_state = gr.State([])  # this page's set: [QAItem.to_dict(), ...]

    def require(current: dict | None) -> None:
        if not auth.can_chat(ui, current):
            raise gr.Error("Hãy đăng nhập để soạn câu hỏi.", title="Cần đăng nhập")

    def doc_choices() -> list[tuple[str, str]]:
        return [(f"{clip(d['title'], 70)} ({d['id']})" if d["title"] and d["title"] != d["id"] else d["id"], d["id"])
                for d in index.catalog.documents()]

    def on_refresh():
        choices = doc_choices()
        return gr.update(choices=choices), gr.update(choices=choices)

    gr.on(None, on_refresh, None, [docs, m_doc], api_visibility="private", show_progress="hidden")  # page load
    refresh.click(on_refresh, None, [docs, m_doc], api_visibility="private")

    def on_docs(doc_ids: list[str] | None, chosen_scope: list[str] | None):
        found = [d for d in (find(i) for i in doc_ids or []) if d is not None]
        choices = scope_choices(found)
        keys = {k for _, k in choices}
        return (gr.update(choices=choices, value=[k for k in chosen_scope or [] if k in keys]),
                gr.update(value=doc_ids[0]) if doc_ids else gr.update())

    docs.change(on_docs, [docs, scope], [scope, m_doc], api_visibility="private", show_progress="hidden")

    def current(state: list[dict], rows: list[list] | None) -> tuple[list[QAItem], list[str]]:
        return merge_table(load_state(state), rows, find)

    def view(items: list[QAItem], message: str, chosen: Sequence[str] = ()):
        return dump_state(items), items_table(items, chosen), message

    outputs = [items_state, table, status]

    def on_generate(doc_ids, scope_keys, n, kind_value, generator_value, state, rows, who, progress=gr.Progress()):
        require(who)
        if not doc_ids:
            raise gr.Error("Hãy chọn ít nhất một tài liệu.", title="Thiếu tài liệu")
        n = max(1, min(MAX_COUNT, int(n or cfg.count)))
        chosen_settings = settings.model_copy(update={"trainer": cfg.model_copy(
            update={"generator": generator_value or cfg.generator})})
        items, _ = current(state, rows)
        kept = [i for i in items if i.approved]
        progress(0, desc="Đang soạn câu hỏi")
        try:
            result = generate_set(index, doc_ids, scope=scope_keys or None, count=n, kind=kind_value or cfg.kind,
                                  settings=chosen_settings,
                                  progress=lambda fraction, what: progress(fraction, desc=what))
        except (ScopeError, UnknownDocument) as exc:
            raise gr.Error(str(exc), title="Không tạo được câu hỏi") from exc
        log.info("trainer: %s generated %d items from %s", (who or {}).get("user", "-"), len(result.items), doc_ids)
        ids = {i.id for i in kept}
        fresh = [i for i in result.items if i.id not in ids]
        message = result.report.summary_vi()
        if kept:
            message += f" Giữ lại {len(kept)} câu đã duyệt."
        if not result.items:
            message = "Không tạo được câu hỏi nào đạt kiểm chứng từ phạm vi đã chọn. " + message
        return view(kept + fresh, message)

    generate.click(on_generate, [docs, scope, count, kind, generator, items_state, table, session], outputs,
                   api_visibility="private", concurrency_limit=1, concurrency_id="trainer-generate")

    def on_recheck(state, rows, who):
        require(who)
        items, chosen = current(state, rows)
        todo = [i for i in items if not i.checked]
        for item in todo:
            recheck(item, index, settings)
        passed = sum(i.verified for i in todo)
        if not todo:
            return view(items, "Không có câu nào thay đổi cần kiểm tra lại.", chosen)
        return view(items, f"Đã kiểm tra lại {len(todo)} câu: {passed} câu đạt, {len(todo) - passed} câu chưa đạt "
                           "(xem cột «Kiểm chứng»).", chosen)

    recheck_button.click(on_recheck, [items_state, table, session], outputs, api_visibility="private")

    def on_approve_all(state, rows, who):
        require(who)
        items, chosen = current(state, rows)
        for item in items:
            if item.verified:
                item.approved = True
        return view(items, f"Đã duyệt {sum(i.approved for i in items)} câu đạt kiểm chứng.", chosen)

    approve_all.click(on_approve_all, [items_state, table, session], outputs, api_visibility="private")

    def ticked(state, rows, who, what: str) -> tuple[list[QAItem], list[str]]:
        """The items and the ids ticked in «Chọn»; none ticked is an error naming the action."""
        require(who)
        items, chosen = current(state, rows)
        if not chosen:
            raise gr.Error(f"Hãy tích cột «Chọn» ở các câu cần {what}.", title="Chưa chọn câu hỏi")
        return items, chosen

    def on_delete(state, rows, who):
        items, chosen = ticked(state, rows, who, "xóa")
        left = [i for i in items if i.id not in chosen]
        return view(left, f"Đã xóa {len(items) - len(left)} câu hỏi; còn {len(left)} câu.")

    delete.click(on_delete, [items_state, table, session], outputs, api_visibility="private")

    def on_regenerate(state, rows, who):
        items, chosen = ticked(state, rows, who, "tạo lại")
        replaced, none_left, marked = 0, 0, []
        for position, item in enumerate(list(items)):
            if item.id not in chosen:
                continue
            try:
                new = regenerate_one(index, item, exclude=items, settings=settings)
            except UnknownDocument as exc:
                raise gr.Error(str(exc), title="Không tạo lại được") from exc
            if new is None:
                none_left += 1
                marked.append(item.id)
            else:
                items[position] = new
                marked.append(new.id)
                replaced += 1
        message = f"Đã tạo lại {replaced} câu hỏi."
        if none_left:
            message += f" {none_left} câu không còn câu hỏi khác từ cùng nội dung."
        return view(items, message, marked)

    regenerate.click(on_regenerate, [items_state, table, session], outputs, api_visibility="private")

    def on_add(state, rows, doc_id, kind_value, question, answer, quote, options_text, correct, who):
        require(who)
        if not doc_id or not (question or "").strip() or not (answer or "").strip() or not (quote or "").strip():
            raise gr.Error("Cần chọn tài liệu và nhập câu hỏi, đáp án, trích dẫn.", title="Thiếu thông tin")
        items, chosen = current(state, rows)
        mcq = kind_value == "mcq"
        try:
            item = manual_item(index, doc_id, question, answer, quote, kind="mcq" if mcq else "open",
                               options=manual_options(options_text) if mcq else None,
                               correct=letter_index(correct) if mcq else None, settings=settings)
        except UnknownDocument as exc:
            raise gr.Error(str(exc), title="Không thêm được") from exc
        if any(i.id == item.id for i in items):
            raise gr.Error("Câu hỏi này đã có trong bộ câu hỏi.", title="Trùng câu hỏi")
        message = ("Đã thêm câu hỏi; câu hỏi đạt kiểm chứng." if item.verified
                   else f"Đã thêm câu hỏi nhưng chưa đạt kiểm chứng: {explain(item)}")
        return (*view(items + [item], message, chosen), "", "", "", "")

    add.click(on_add, [items_state, table, m_doc, m_kind, m_question, m_answer, m_quote, m_options, m_correct,
                       session], outputs + [m_question, m_answer, m_quote, m_options], api_visibility="private")

    def on_export(state, rows, fmt_value, who):
        require(who)
        items, chosen = current(state, rows)
        for item in items:
            if not item.checked:
                recheck(item, index, settings)
        approved = [i for i in items if i.approved]
        if not approved:
            raise gr.Error("Chưa có câu nào được duyệt: hãy tích cột «Duyệt» (hoặc bấm «Duyệt mọi câu đạt»).",
                           title="Chưa duyệt câu hỏi")
        now = time.time()
        for old in export_dir.glob("*"):
            if now - old.stat().st_mtime > EXPORT_KEEP_S:
                old.unlink(missing_ok=True)
        fmt_value = fmt_value or "docx"
        path = export_dir / f"bo-cau-hoi-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.{fmt_value}"
        titles = list(dict.fromkeys(i.sources[0].heading.split(" › ")[0] or i.doc for i in approved if i.sources))
        try:
            result = export(approved, fmt_value, path, flagged="skip", approved_only=True,
                            title="Bộ câu hỏi: " + "; ".join(titles))
        except ExportError as exc:
            raise gr.Error(str(exc), title="Không xuất được") from exc
        message = result.summary_vi().replace(str(path), path.name)
        log.info("trainer: %s exported %d items as %s", (who or {}).get("user", "-"), result.written, fmt_value)
        return (*view(items, message + " Bấm «Tải tệp» để tải về.", chosen),
                gr.update(value=str(path), interactive=True, label=f"⬇️ Tải tệp {fmt_value.upper()}"))

    export_button.click(on_export, [items_state, table, fmt, session], outputs + [download],
                        api_visibility="private")

    def on_session(current_session: dict | None):
        allowed_now = auth.can_chat(ui, current_session)
        return gr.update(visible=not allowed_now), gr.update(visible=allowed_now)

    session.change(on_session, session, [gate, area], api_visibility="private")
