"""A conversation with its sources as Markdown and as DOCX (python-docx).

``records``: the chat's turns, each {"id", "question", "answer": Answer.to_json(), "rating"}.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.ui.render import SOURCES_HEADER_VI, backend_label

TITLE_VI = "Hỏi đáp Dân vận — nội dung hội thoại"


def _where(citation: dict) -> str:
    where = citation.get("heading") or ""
    if citation.get("page"):
        where = f"{where}, trang {citation['page']}" if where else f"trang {citation['page']}"
    return where


def _notes(result: dict) -> list[str]:
    """What the chat shows beside an answer: the caution that the documents may not answer directly, and
    why a fallback answered."""
    notes = [result["caution"]] if result.get("caution") else []
    if result.get("fallback_reason"):
        notes.append(f"Chế độ dự phòng: {result['fallback_reason']}")
    return notes


def _stamp(at: float | None) -> str:
    return time.strftime("%d/%m/%Y %H:%M", time.localtime(at or time.time()))


def conversation_markdown(records: list[dict], at: float | None = None) -> str:
    lines = [f"# {TITLE_VI}", "", f"Xuất lúc {_stamp(at)} · {len(records)} câu hỏi", ""]
    for number, record in enumerate(records, start=1):
        result = record["answer"]
        lines += [f"## {number}. {record['question'].strip()}", "", result.get("answer", "").strip(), ""]
        lines.append(f"*Trả lời bởi: {backend_label(result.get('backend', ''))}*")
        lines += [f"*{note}*" for note in _notes(result)]
        lines.append("")
        if result.get("citations"):
            lines += [f"**{SOURCES_HEADER_VI}**", ""]
            for c in result["citations"]:
                where = _where(c)
                lines.append(f"[{c['n']}] {c.get('title', '')}{' — ' + where if where else ''} (tệp: {c.get('doc', '')})")
                lines.append("")
                lines += [f"> {line}" if line.strip() else ">" for line in c.get("quote", "").strip().split("\n")]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def conversation_docx(records: list[dict], path: Path, at: float | None = None) -> Path:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = TITLE_VI
    document.core_properties.language = "vi-VN"
    document.add_heading(TITLE_VI, level=0)
    document.add_paragraph(f"Xuất lúc {_stamp(at)} · {len(records)} câu hỏi")
    styles = {style.name for style in document.styles}
    quote_style = "Quote" if "Quote" in styles else None
    for number, record in enumerate(records, start=1):
        result = record["answer"]
        document.add_heading(f"{number}. {record['question'].strip()}", level=1)
        document.add_paragraph(result.get("answer", "").strip())
        note = document.add_paragraph()
        run = note.add_run(f"Trả lời bởi: {backend_label(result.get('backend', ''))}")
        run.italic = True
        run.font.size = Pt(9)
        for text in _notes(result):
            run = document.add_paragraph().add_run(text)
            run.italic = True
            run.font.size = Pt(9)
        if result.get("citations"):
            document.add_heading(SOURCES_HEADER_VI, level=2)
            for c in result["citations"]:
                where = _where(c)
                head = document.add_paragraph()
                head.add_run(f"[{c['n']}] ").bold = True
                head.add_run(f"{c.get('title', '')}{' — ' + where if where else ''} (tệp: {c.get('doc', '')})")
                document.add_paragraph(c.get("quote", "").strip(), style=quote_style)
    path = Path(path)
    document.save(str(path))
    return path
