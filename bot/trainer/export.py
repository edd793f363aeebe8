"""Write a reviewed set: DOCX handout, XLSX / CSV sheet, JSONL test set.

- DOCX: title, open questions, the MCQ quiz sheet (options A–D), then the answer key with each
  question's source (heading, page) and verbatim quote.
- XLSX and CSV: one row per item. The first columns are those of a test set (``id, question,
  answer, answerable, sources, tags``; lists as JSON), so ``bot.evaluation.testset.load_testset``
  reads the file as it is; the review columns follow (kind, type, difficulty, options, quote …).
- JSONL: the test-set format (``bot.evaluation.testset``), one item per line, plus a ``trainer`` key
  with the full item (``load_items`` reads it back into the workspace). Open items become answerable
  questions with their quotes; MCQ become the stem with 'A. …' lines and the answer 'B. …'.

An item that is unchecked or flagged by the verifier is never written as a verified one:
``flagged="skip"`` (default) leaves it out and counts it, ``"mark"`` writes it marked
'[CHƯA KIỂM CHỨNG]' (tag ``unverified`` in test sets), ``"error"`` refuses the export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.trainer.items import (DIFFICULTY_TAGS, KIND_LABELS_VI, LETTERS, TYPE_LABELS_VI, QAItem)

FORMATS = ("docx", "xlsx", "csv", "jsonl")
UNVERIFIED_VI = "[CHƯA KIỂM CHỨNG]"
FLAGGED_CHOICES = ("skip", "mark", "error")


class ExportError(ValueError):
    """Nothing to write, or unverified items with flagged='error'; ``str()`` is Vietnamese."""


@dataclass
class ExportResult:
    path: Path
    written: int
    skipped: list[QAItem] = field(default_factory=list)  # unverified items left out
    marked: int = 0  # unverified items written with a mark

    def summary_vi(self) -> str:
        text = f"Đã ghi {self.written} câu hỏi vào {self.path}."
        if self.skipped:
            text += f" Bỏ qua {len(self.skipped)} câu chưa đạt kiểm chứng."
        if self.marked:
            text += f" {self.marked} câu chưa đạt kiểm chứng được đánh dấu {UNVERIFIED_VI}."
        return text


# --- Test-set records -------------------------------------------------------------------------------


def mcq_question_text(item: QAItem) -> str:
    """The stem and its options on 'A. …' lines."""
    return "\n".join([item.question, *item.lettered_options()])


def testset_record(item: QAItem, unverified: bool = False) -> dict:
    """The item as a line of an evaluation test set (``bot.evaluation.testset`` format)."""
    mcq = item.kind == "mcq"
    tags = ["trainer", item.kind, item.type, DIFFICULTY_TAGS.get(item.difficulty, item.difficulty)]
    if unverified:
        tags.append("unverified")
    sources = []
    for source in item.sources:
        entry = {"doc": source.doc, "quote": source.quote}
        if source.unit != "span":
            entry["unit"] = source.unit
        sources.append(entry)
    return {
        "id": item.id,
        "question": mcq_question_text(item) if mcq else item.question,
        "answer": item.key_text() if mcq else item.answer,
        "answerable": True,
        "sources": sources,
        "tags": tags,
    }


# --- Which items -----------------------------------------------------------------------------------


def _partition(items: Sequence[QAItem], flagged: str,
               approved_only: bool) -> tuple[list[tuple[QAItem, bool]], list[QAItem]]:
    if flagged not in FLAGGED_CHOICES:
        raise ValueError(f"flagged must be one of {FLAGGED_CHOICES}")
    rows: list[tuple[QAItem, bool]] = []
    skipped: list[QAItem] = []
    for item in items:
        if approved_only and not item.approved:
            continue
        if item.verified:
            rows.append((item, False))
        elif flagged == "mark":
            rows.append((item, True))
        else:
            skipped.append(item)
    if skipped and flagged == "error":
        raise ExportError(f"{len(skipped)} câu hỏi chưa đạt kiểm chứng trích dẫn; hãy sửa hoặc xoá trước khi xuất.")
    if not rows:
        raise ExportError("Không có câu hỏi nào đạt kiểm chứng để xuất.")
    return rows, skipped


def _unique_ids(rows: list[tuple[QAItem, bool]]) -> list[tuple[QAItem, bool, str]]:
    seen: dict[str, int] = {}
    out = []
    for item, unverified in rows:
        n = seen.get(item.id, 0)
        seen[item.id] = n + 1
        out.append((item, unverified, item.id if n == 0 else f"{item.id}-{n + 1}"))
    return out


# --- Table (CSV / XLSX) ------------------------------------------------------------------------------

TABLE_COLUMNS = ["id", "question", "answer", "answerable", "sources", "tags",
                 "Dạng", "Loại", "Mức độ", "Câu hỏi (đề)", "A", "B", "C", "D", "Đáp án đúng",
                 "Tài liệu", "Vị trí", "Trang", "Trích dẫn", "Độ khớp", "Kiểm chứng", "Đã duyệt", "Ghi chú"]


def table_rows(items: Sequence[QAItem], flagged: str = "skip",
               approved_only: bool = False) -> tuple[list[list], list[QAItem]]:
    rows, skipped = _partition(items, flagged, approved_only)
    out: list[list] = []
    for item, unverified, item_id in _unique_ids(rows):
        record = testset_record(item, unverified)
        first = item.sources[0] if item.sources else None
        options = (item.options + [""] * 4)[:4] if item.kind == "mcq" else ["", "", "", ""]
        check = "đạt" if not unverified else f"{UNVERIFIED_VI} {', '.join(item.flags) or 'chưa kiểm'}"
        out.append([item_id, record["question"], record["answer"], "true",
                    json.dumps(record["sources"], ensure_ascii=False), json.dumps(record["tags"], ensure_ascii=False),
                    KIND_LABELS_VI.get(item.kind, item.kind), TYPE_LABELS_VI.get(item.type, item.type), item.difficulty,
                    item.question, *options, item.correct_letter,
                    first.doc if first else "", first.heading if first else "",
                    first.page if first and first.page else "",
                    "\n".join(s.quote for s in item.sources), round(item.support, 3), check,
                    "có" if item.approved else "", item.note])
    return out, skipped


def write_csv(items: Sequence[QAItem], path: Path, flagged: str = "skip", approved_only: bool = False) -> ExportResult:
    rows, skipped = table_rows(items, flagged, approved_only)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:  # BOM: Excel opens Vietnamese correctly
        writer = csv.writer(handle)
        writer.writerow(TABLE_COLUMNS)
        writer.writerows(rows)
    return ExportResult(path, len(rows), skipped, sum(1 for r in rows if r[TABLE_COLUMNS.index("Kiểm chứng")] != "đạt"))


def write_xlsx(items: Sequence[QAItem], path: Path, flagged: str = "skip", approved_only: bool = False,
               title: str = "") -> ExportResult:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    rows, skipped = table_rows(items, flagged, approved_only)
    book = Workbook()
    sheet = book.active
    sheet.title = "Câu hỏi"
    sheet.append(TABLE_COLUMNS)
    for row in rows:
        sheet.append(row)
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = {"id": 16, "question": 50, "answer": 45, "answerable": 10, "sources": 30, "tags": 20, "Câu hỏi (đề)": 50,
              "A": 28, "B": 28, "C": 28, "D": 28, "Trích dẫn": 60, "Vị trí": 36, "Tài liệu": 28}
    warn = PatternFill("solid", fgColor="FCE4D6")
    check_col = TABLE_COLUMNS.index("Kiểm chứng")
    for i, name in enumerate(TABLE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(name, 14)
    for r, row in enumerate(sheet.iter_rows(min_row=2), start=0):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        if rows[r][check_col] != "đạt":
            for cell in row:
                cell.fill = warn
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    if title:
        book.properties.title = title
    book.save(str(path))
    return ExportResult(path, len(rows), skipped, sum(1 for r in rows if r[check_col] != "đạt"))


# --- JSONL -----------------------------------------------------------------------------------------


def write_jsonl(items: Sequence[QAItem], path: Path, flagged: str = "skip",
                approved_only: bool = False) -> ExportResult:
    rows, skipped = _partition(items, flagged, approved_only)
    lines = []
    for item, unverified, item_id in _unique_ids(rows):
        record = testset_record(item, unverified)
        record["id"] = item_id
        record["trainer"] = item.to_dict()
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ExportResult(path, len(rows), skipped, sum(1 for _, u in rows if u))


def load_items(path: Path) -> list[QAItem]:
    """Items back from a JSONL export (its ``trainer`` keys), e.g. to review a saved set again."""
    items = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        if line.strip():
            record = json.loads(line)
            items.append(QAItem.from_dict(record.get("trainer", record)))
    return items


# --- DOCX ------------------------------------------------------------------------------------------



def _question_paragraph(document, n: int, item: QAItem, unverified: bool) -> None:
    """'Câu n. [unverified mark] question' as one paragraph of the handout."""
    from docx.shared import RGBColor

    p = document.add_paragraph()
    p.add_run(f"Câu {n}. ").bold = True
    if unverified:
        p.add_run(UNVERIFIED_VI + " ").font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    p.add_run(item.question)


def write_docx(items: Sequence[QAItem], path: Path, flagged: str = "skip", approved_only: bool = False,
               title: str = "") -> ExportResult:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    rows, skipped = _partition(items, flagged, approved_only)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    title = title or "Bộ câu hỏi ôn tập"
    document.core_properties.title = title
    document.add_heading(title, level=0)
    docs = list(dict.fromkeys(s.heading.split(" › ")[0] or s.doc for item, _ in rows for s in item.sources[:1]))
    opens = [(i, u) for i, u in rows if i.kind == "open"]
    mcqs = [(i, u) for i, u in rows if i.kind == "mcq"]
    intro = document.add_paragraph()
    intro.add_run(f"Nguồn: {'; '.join(docs)}. ").italic = True
    intro.add_run(f"Gồm {len(rows)} câu ({len(opens)} tự luận, {len(mcqs)} trắc nghiệm). "
                  f"Ngày lập: {date.today().strftime('%d/%m/%Y')}.").italic = True

    def meta_line(item: QAItem) -> str:
        return f"Mức độ: {item.difficulty} · {TYPE_LABELS_VI.get(item.type, item.type)}"

    numbered: list[tuple[int, QAItem, bool]] = []
    n = 0
    if opens:
        document.add_heading("Phần I. Câu hỏi tự luận", level=1)
        for item, unverified in opens:
            n += 1
            numbered.append((n, item, unverified))
            _question_paragraph(document, n, item, unverified)
            meta = document.add_paragraph()
            run = meta.add_run(meta_line(item))
            run.italic, run.font.size = True, Pt(10)
            document.add_paragraph("." * 120)
    if mcqs:
        document.add_heading(f"Phần {'II' if opens else 'I'}. Câu hỏi trắc nghiệm (chọn một phương án đúng)", level=1)
        for item, unverified in mcqs:
            n += 1
            numbered.append((n, item, unverified))
            _question_paragraph(document, n, item, unverified)
            for option in item.lettered_options():
                document.add_paragraph(option, style="List Paragraph")
            meta = document.add_paragraph()
            run = meta.add_run(meta_line(item))
            run.italic, run.font.size = True, Pt(10)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Đáp án và nguồn trích dẫn", level=1)
    if mcqs:
        table = document.add_table(rows=2, cols=len(mcqs) + 1)
        table.style = "Table Grid"
        table.cell(0, 0).text, table.cell(1, 0).text = "Câu", "Đáp án"
        for col, (number, item, _) in enumerate([t for t in numbered if t[1].kind == "mcq"], start=1):
            table.cell(0, col).text, table.cell(1, col).text = str(number), item.correct_letter
        document.add_paragraph()
    for number, item, unverified in numbered:
        p = document.add_paragraph()
        p.add_run(f"Câu {number}: ").bold = True
        p.add_run(item.key_text())
        if item.kind == "mcq" and item.answer and item.answer != item.correct_option:
            explain = document.add_paragraph()
            explain.add_run("Giải thích: ").italic = True
            explain.add_run(item.answer)
        for source in item.sources:
            src = document.add_paragraph(style="List Bullet")
            src.add_run(f"Nguồn: {source.where}").bold = False
            src.add_run(f" — “{source.quote}”").italic = True
        if unverified:
            warn = document.add_paragraph()
            run = warn.add_run(f"{UNVERIFIED_VI}: {', '.join(item.flags) or 'chưa kiểm'}")
            run.font.color.rgb = RGBColor(0xC0, 0, 0)
    document.save(str(path))
    return ExportResult(path, len(rows), skipped, sum(1 for _, u in rows if u))


# --- One entry point ----------------------------------------------------------------------------------


def export(items: Sequence[QAItem], fmt: str | None, path: Path | str, *, flagged: str = "skip",
           approved_only: bool = False, title: str = "") -> ExportResult:
    """Write the items as ``fmt`` ('docx', 'xlsx', 'csv', 'jsonl'; None: from the file's extension)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ExportError(f"Định dạng «{fmt}» chưa hỗ trợ; chọn một trong: {', '.join(FORMATS)}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        return write_docx(items, path, flagged, approved_only, title)
    if fmt == "xlsx":
        return write_xlsx(items, path, flagged, approved_only, title)
    if fmt == "csv":
        return write_csv(items, path, flagged, approved_only)
    return write_jsonl(items, path, flagged, approved_only)


__all__ = ["FORMATS", "ExportError", "ExportResult", "LETTERS", "export", "load_items", "testset_record",
           "mcq_question_text", "table_rows"]
