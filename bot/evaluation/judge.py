"""Optional LLM-as-judge: a chat model grades each answered, answerable question 1–5 against its reference.

Off by default (``evaluation.judge``, ``python -m bot eval --judge``). The grade is a model's opinion, so the
report labels it "model-judged" and keeps it apart from the measured metrics. A reply without a readable
grade scores None, with the reason noted; when no backend can be loaded the section says why and grades
nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from langchain_core.messages import HumanMessage, SystemMessage

from bot.answering.llm import Backend, BackendUnavailable, get_backend
from bot.answering.verify import strip_markers
from bot.settings import Settings

log = logging.getLogger(__name__)

LABEL = "model-judged"

JUDGE_SYSTEM_VI = (
    "Bạn là giám khảo chấm câu trả lời của một trợ lý hỏi đáp về văn bản. So sánh CÂU TRẢ LỜI với ĐÁP ÁN CHUẨN "
    "và chấm độ đúng theo thang 1–5:\n"
    "5 = đúng và đủ ý như đáp án chuẩn;\n"
    "4 = đúng, chỉ thiếu chi tiết nhỏ;\n"
    "3 = đúng một phần, thiếu ý quan trọng;\n"
    "2 = phần lớn sai hoặc thiếu;\n"
    "1 = sai, hoặc không trả lời câu hỏi.\n"
    "Số liệu, ngày tháng, tên cơ quan sai thì không quá 2 điểm. Không chấm văn phong.\n"
    "Chỉ viết đúng một dòng theo mẫu: Điểm: <1-5>. Lý do: <một câu ngắn>")

# A grade is a lone digit 1–5, maybe '/5': not part of '10', '3,5', '2.5' or '7/10'.
_GRADE = r"([1-5])(?:\s*/\s*5)?(?!\d|[.,]\d|\s*/\s*\d)"
_LABELLED = re.compile(r"(?:điểm|score|grade)\W{0,4}" + _GRADE, re.IGNORECASE)
_LEADING = re.compile(r"^\W*" + _GRADE)
_OUT_OF_FIVE = re.compile(r"(?<![\d.,])([1-5])\s*/\s*5(?!\d|[.,]\d)")
_REASON = re.compile(r"(?:lý do|lí do|reason|nhận xét)\W{0,3}(.+)", re.IGNORECASE | re.DOTALL)


def judge_messages(question: str, reference: str, answer: str) -> list:
    return [SystemMessage(JUDGE_SYSTEM_VI),
            HumanMessage(f"CÂU HỎI: {question}\n\nĐÁP ÁN CHUẨN: {reference}\n\nCÂU TRẢ LỜI: {strip_markers(answer)}")]


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split()).strip(" .:-—*\"'{}")
    return text[:limit] + ("…" if len(text) > limit else "")


def parse_grade(reply: str) -> tuple[int | None, str]:
    """(score 1–5, one-line reason) from a model's reply; (None, why) when no grade can be read."""
    text = reply.strip()
    found = _LABELLED.search(text) or _LEADING.search(text) or _OUT_OF_FIVE.search(text)
    if not found:
        return None, f"không đọc được điểm từ câu trả lời của mô hình: «{_one_line(text, 120)}»"
    reason = _REASON.search(text)
    rest = _LABELLED.sub("", reason.group(1)) if reason else text[:found.start()] + " " + text[found.end():]
    return int(found.group(1)), _one_line(rest) if rest.strip() else ""


def model_name(backend: Backend, settings: Settings) -> str:
    """What graded: the backend and its model (file or server model name)."""
    names = {"llamacpp": Path(backend.where).name or settings.llm.model_file, "openai": settings.llm.openai_model,
             "ollama": settings.llm.ollama_model}
    return f"{backend.name}: {names.get(backend.name, backend.where)}"


def judge_rows(rows: list[dict], settings: Settings,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """Grade rows in place (``judge_score``, ``judge_reason``); returns the report's "judge" section."""
    section: dict = {"label": LABEL, "backend": settings.evaluation.judge_backend, "model": None,
                     "mean_score": None, "n": 0}
    try:
        backend = get_backend(settings, settings.evaluation.judge_backend)
    except BackendUnavailable as exc:
        log.warning("judge skipped: %s", exc)
        return {**section, "skipped": str(exc)}
    section["model"] = model_name(backend, settings)
    graded = [r for r in rows if r["answerable"] and not r["refused"] and r["expected"].strip()]
    scores = []
    for done, row in enumerate(graded, start=1):
        try:
            reply = backend.complete(judge_messages(row["question"], row["expected"], row["answer"]),
                                     settings.evaluation.judge_max_tokens)
            score, reason = parse_grade(reply)
        except Exception as exc:  # a server that stopped answering, a busy model: this question stays ungraded
            log.warning("judge failed on %s: %s", row["id"], exc)
            score, reason = None, f"mô hình lỗi khi chấm: {type(exc).__name__}: {_one_line(str(exc), 120)}"
        row["judge_score"], row["judge_reason"] = score, reason
        if score is not None:
            scores.append(score)
        if progress:
            progress(done, len(graded))
    return {**section, "mean_score": round(float(mean(scores)), 3) if scores else None, "n": len(scores),
            "unparsed": len(graded) - len(scores)}
