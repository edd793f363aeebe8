"""The evaluation tab's helpers: which test sets it offers (never a path outside evals/) and its HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ui.evaluation import EVALS_DIR, failures_html, list_testsets, metrics_html, resolve_testset


@pytest.fixture
def evals(tmp_path: Path) -> Path:
    folder = tmp_path / "evals"
    for name in ("testsets/seed.jsonl", "testsets/sub/b.csv", "c.xlsx", "out/run/questions.csv", "notes.md"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x", encoding="utf-8")
    (tmp_path / "secret.jsonl").write_text("x", encoding="utf-8")
    return folder


def test_choices_are_the_test_sets_under_evals_without_reports(evals: Path) -> None:
    assert list_testsets(evals) == ["c.xlsx", "testsets/seed.jsonl", "testsets/sub/b.csv"]
    assert "testsets/seed.jsonl" in list_testsets(EVALS_DIR)  # the repository's own set
    assert list_testsets(evals / "missing") == []


@pytest.mark.parametrize("name", [None, "", "../secret.jsonl", "testsets/../../secret.jsonl", "notes.md",
                                  "out/run/questions.csv", "/etc/passwd", "testsets/none.jsonl"])
def test_only_a_listed_test_set_resolves(evals: Path, name: str | None) -> None:
    assert resolve_testset(evals, name) is None


def test_a_listed_test_set_resolves_inside_the_folder(evals: Path) -> None:
    assert resolve_testset(evals, "testsets/sub/b.csv") == (evals / "testsets/sub/b.csv").resolve()


REPORT = {
    "n": 2, "n_answerable": 1,
    "retrieval": {"hit@1": 0.0, "hit@3": 1.0, "hit@5": 1.0, "hit@10": 1.0, "recall@5": 1.0, "recall@10": 1.0,
                  "mrr@10": 0.5, "ndcg@10": 0.6309},
    "answer": {"token_f1": 0.8, "rouge_l": 0.75, "numbers_match": 1.0},
    "citations": {"precision": 1.0, "recall": 1.0, "faithfulness": 0.9},
    "refusal": {"accuracy": 0.5, "correct_refusals": 0, "false_refusals": 0, "fabricated_answers": 1,
                "correct_answers": 1, "refused_unanswerable_rate": 0.0},
    "latency_ms": {"p50": 12.5, "p95": 20.0, "retrieval_p50": 5.0, "answer_p50": 7.5},
    "judge": {"label": "model-judged", "model": "openai: m", "mean_score": 4.5, "n": 1, "unparsed": 0},
    "questions": [
        {"id": "ok", "question": "Hỏi?", "expected": "Đáp.", "answer": "Đáp [1].", "answerable": True, "refused": False,
         "hit@5": 1.0, "retrieved": ["a.txt Điều 1"], "source_docs": ["a.txt"]},
        {"id": "bad<1>", "question": "<b>Phở?</b>", "expected": "", "answer": "Phở ngon.", "answerable": False,
         "refused": False, "retrieved": ["a.txt Điều 2"], "source_docs": []},
    ],
}


def test_metrics_table_names_every_group_and_labels_the_judge() -> None:
    html = metrics_html(REPORT)
    for text in ("Truy hồi", "hit@5: <b>1</b>", "MRR@10: <b>0.5</b>", "nDCG@10: <b>0.631</b>", "ROUGE-L: <b>0.75</b>",
                 "độ trung thực: <b>0.9</b>", "trả lời câu không có thông tin: <b>1</b>", "trung vị: <b>12.5</b>",
                 "không phải người chấm", "điểm trung bình /5: <b>4.5</b>"):
        assert text in html


def test_failures_table_lists_only_failing_questions_escaped_in_vietnamese() -> None:
    html = failures_html(REPORT)
    assert "bad&lt;1&gt;" in html and "&lt;b&gt;Phở?&lt;/b&gt;" in html and "<b>Phở" not in html
    assert "Trả lời câu hỏi mà tài liệu không có thông tin" in html and "(từ chối)" in html
    assert ">ok<" not in html
    assert "Không có câu nào chưa đạt." in failures_html({**REPORT, "questions": REPORT["questions"][:1]})
