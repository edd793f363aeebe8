"""LLM-as-judge with fake chat models: reading grades, which questions are graded, skipping without a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from bot.answering import llm
from bot.answering.llm import Backend
from bot.answering.prompts import approx_tokens
from bot.evaluation.judge import LABEL, judge_messages, judge_rows, parse_grade
from bot.evaluation.runner import run_eval
from bot.evaluation.testset import load_testset
from conftest import TINY_DECREE_61


@pytest.mark.parametrize("reply, score, reason", [
    ("Điểm: 4. Lý do: Đúng nhưng thiếu chi tiết về thời hạn.", 4, "Đúng nhưng thiếu chi tiết về thời hạn"),
    ("**Điểm**: 5 — Lý do: đủ ý như đáp án chuẩn", 5, "đủ ý như đáp án chuẩn"),
    ("điểm 2\nlý do: sai số liệu", 2, "sai số liệu"),
    ("4/5 - đúng ý chính", 4, "đúng ý chính"),
    ("3", 3, ""),
    ('{"score": 3, "reason": "thiếu một ý"}', 3, "thiếu một ý"),
    ("Câu trả lời nói sai cơ quan ban hành. Điểm: 1", 1, "Câu trả lời nói sai cơ quan ban hành"),
    ("Score: 5. Reason: complete", 5, "complete"),
    ("Lý do: thiếu ý thứ hai. Điểm: 3/5", 3, "thiếu ý thứ hai"),
    ("Điểm: 4/5", 4, ""),
])
def test_parse_grade(reply: str, score: int, reason: str) -> None:
    assert parse_grade(reply) == (score, reason)


@pytest.mark.parametrize("reply", ["", "Câu trả lời khá tốt.", "Điểm: 10", "Điểm: 3,5", "Tôi cho 7/10", "Điểm: 0"])
def test_unreadable_grade_is_none_with_the_reason_noted(reply: str) -> None:
    score, reason = parse_grade(reply)
    assert score is None and reason.startswith("không đọc được điểm")


def test_prompt_holds_question_reference_and_answer_without_markers() -> None:
    system, human = judge_messages("Hương ước là gì?", "Là văn bản quy định.", "Hương ước là văn bản [1].")
    assert "1–5" in system.content and "Điểm:" in system.content
    assert "CÂU HỎI: Hương ước là gì?" in human.content and "ĐÁP ÁN CHUẨN: Là văn bản quy định." in human.content
    assert "[1]" not in human.content and "Hương ước là văn bản" in human.content


def rows() -> list[dict]:
    base = {"question": "Hỏi?", "expected": "Đáp án.", "answer": "Trả lời [1].", "answerable": True, "refused": False}
    return [{**base, "id": "answered-1"}, {**base, "id": "refused", "refused": True},
            {**base, "id": "unanswerable", "answerable": False, "expected": "", "refused": True},
            {**base, "id": "answered-2"}]


@pytest.fixture
def judge_settings(tiny_settings, monkeypatch):
    def install(*replies: str):
        model = GenericFakeChatModel(messages=iter(replies))
        monkeypatch.setitem(llm.overrides, "openai", Backend("openai", model, approx_tokens, timeout_s=30))
        evaluation = tiny_settings.evaluation.model_copy(update={"judge": True, "judge_backend": "openai"})
        return tiny_settings.model_copy(update={"evaluation": evaluation})
    return install


def test_only_answered_answerable_questions_are_graded(judge_settings) -> None:
    settings = judge_settings("Điểm: 4. Lý do: thiếu chi tiết.", "Tôi không chắc.")
    graded = rows()
    seen = []
    section = judge_rows(graded, settings, progress=lambda done, total: seen.append((done, total)))
    by_id = {row["id"]: row for row in graded}
    assert (by_id["answered-1"]["judge_score"], by_id["answered-1"]["judge_reason"]) == (4, "thiếu chi tiết")
    assert by_id["answered-2"]["judge_score"] is None and "không đọc được điểm" in by_id["answered-2"]["judge_reason"]
    assert "judge_score" not in by_id["refused"] and "judge_score" not in by_id["unanswerable"]
    assert section == {"label": LABEL, "backend": "openai", "model": "openai: " + settings.llm.openai_model,
                       "mean_score": 4.0, "n": 1, "unparsed": 1}
    assert seen == [(1, 2), (2, 2)]


def test_a_model_error_leaves_that_question_ungraded(judge_settings) -> None:
    settings = judge_settings("Điểm: 5. Lý do: đủ ý.")  # the second call finds the fake model's replies used up
    graded = rows()
    section = judge_rows(graded, settings)
    assert section["n"] == 1 and section["mean_score"] == 5.0
    assert graded[3]["judge_score"] is None and graded[3]["judge_reason"].startswith("mô hình lỗi khi chấm")


def test_no_backend_skips_and_says_why(tiny_settings, tmp_path: Path) -> None:
    settings = tiny_settings.model_copy(update={
        "llm": tiny_settings.llm.model_copy(update={"model_dir": tmp_path / "no-model"}),
        "evaluation": tiny_settings.evaluation.model_copy(update={"judge": True, "judge_backend": "llamacpp"})})
    graded = rows()
    section = judge_rows(graded, settings)
    assert section["n"] == 0 and section["mean_score"] is None and "Chưa có tệp mô hình" in section["skipped"]
    assert not any("judge_score" in row for row in graded)


def test_judge_in_the_report(tiny_index, judge_settings, tmp_path: Path) -> None:
    settings = judge_settings("Điểm: 5. Lý do: đúng định nghĩa.")
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({
        "id": "q1", "question": "Hương ước, quy ước là gì?",
        "answer": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội.", "answerable": True,
        "sources": [{"doc": TINY_DECREE_61, "quote": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội"}],
        "tags": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    stages = []
    report = run_eval(load_testset(path), tiny_index, settings, out_dir=tmp_path / "out", title="judge",
                      progress=lambda done, total, stage: stages.append(stage))
    assert stages == ["answer", "judge"]
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert saved["judge"]["mean_score"] == 5.0 and saved["judge"]["label"] == "model-judged"
    assert saved["questions"][0]["judge_score"] == 5 and saved["questions"][0]["judge_reason"] == "đúng định nghĩa"
    assert report["judge"] == saved["judge"]
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "model-judged (LLM), not a human grade" in md and "mean_score (1–5): 5.0" in md
    assert "judge_score" in (tmp_path / "out" / "questions.csv").read_text(encoding="utf-8").splitlines()[0]
