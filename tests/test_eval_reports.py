"""Evaluation reports, comparison and test-set import from CSV/XLSX, end to end on the tiny index."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from bot.evaluation.compare import compare, format_comparison
from bot.evaluation.report import CHARTS
from bot.evaluation.runner import run_eval
from bot.evaluation.testset import InvalidTestset, load_testset

from conftest import TINY_DECREE_61

ITEMS = [
    {"id": "q1", "question": "Hương ước, quy ước là gì?", "answer": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội.",
     "answerable": True, "sources": [{"doc": TINY_DECREE_61, "quote": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội"}],
     "tags": ["definition"]},
    {"id": "q2", "question": "Cho mình xin công thức nấu phở bò ngon với.", "answer": "", "answerable": False,
     "sources": [], "tags": ["unanswerable"]},
]


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    return path


def table_rows(items: list[dict]) -> list[list]:
    header = ["id", "question", "answer", "answerable", "sources", "tags"]
    rows = [header]
    for item in items:
        rows.append([item["id"], item["question"], item["answer"], "true" if item["answerable"] else "false",
                     json.dumps(item["sources"], ensure_ascii=False), json.dumps(item["tags"], ensure_ascii=False)])
    return rows


def test_csv_and_xlsx_load_like_jsonl(tmp_path: Path) -> None:
    expected = load_testset(write_jsonl(tmp_path / "set.jsonl", ITEMS))
    with open(tmp_path / "set.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table_rows(ITEMS))
    book = openpyxl.Workbook()
    for row in table_rows(ITEMS):
        book.active.append(row)
    book.save(tmp_path / "set.xlsx")
    assert load_testset(tmp_path / "set.csv") == expected
    assert load_testset(tmp_path / "set.xlsx") == expected


def test_csv_with_a_bad_cell_names_row_and_field(tmp_path: Path) -> None:
    rows = table_rows(ITEMS)
    rows[2][4] = "[not json"
    with open(tmp_path / "bad.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(InvalidTestset, match=r"bad\.csv:3: field 'sources'"):
        load_testset(tmp_path / "bad.csv")


@pytest.fixture(scope="module")
def report_dir(tiny_index, tiny_settings, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    items = load_testset(write_jsonl(out / "set.jsonl", ITEMS))
    run_eval(items, tiny_index, tiny_settings, k=10, out_dir=out / "run", title="tiny")
    return out / "run"


def test_report_files_and_ranges(report_dir: Path) -> None:
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["n"] == 2 and len(report["questions"]) == 2
    for group in ("retrieval", "answer", "citations"):
        assert all(0.0 <= v <= 1.0 for v in report[group].values()), report[group]
    assert {"hit@1", "hit@3", "hit@5", "hit@10", "recall@5", "recall@10", "mrr@10", "ndcg@10"} <= set(report["retrieval"])
    assert report["retrieval"]["hit@5"] == 1.0
    assert report["refusal"]["correct_refusals"] == 1 and report["refusal"]["fabricated_answers"] == 0
    assert report["refusal"]["correct_answers"] == 1 and report["refusal"]["false_refusals"] == 0
    assert report["refusal"]["cautioned_answers"] == 0 and report["refusal"]["cautioned_fabricated"] == 0
    assert all(row["caution"] is False for row in report["questions"])
    assert {"p50", "p95", "retrieval_p50", "answer_p50"} <= set(report["latency_ms"])
    for name in ("report.md", "questions.csv", *CHARTS):
        assert (report_dir / name).stat().st_size > 0
    assert (report_dir / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_lists_questions_that_got_worse(report_dir: Path) -> None:
    before = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    after = json.loads(json.dumps(before))
    after["questions"][1]["refused"] = False  # the unanswerable one now gets an answer
    after["refusal"]["fabricated_answers"] = 1
    result = compare(before, after)
    assert [r["id"] for r in result["worse"]] == ["q2"] and result["better"] == []
    assert result["deltas"]["refusal.fabricated_answers"]["delta"] == 1
    assert "q2" in format_comparison(result)
    assert compare(after, before)["better"][0]["id"] == "q2"
