"""The command line, run as a real subprocess: python -m bot ask|ingest|eval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TINY_DECREE_61, make_seeded_index_dir

CITATION_KEYS = {"n", "doc", "title", "page", "heading", "quote", "start", "end"}
PASSAGE_KEYS = {"doc", "start", "end", "text", "score"}


def run_bot(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=_env())


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["ANONYMIZED_TELEMETRY"] = "False"
    env["BOT_ANSWER__BACKEND"] = "extractive"  # the GGUF may be present; these tests check extractive answers
    return env


@pytest.fixture(scope="module")
def cli_index_dir(tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path) -> Path:
    """An index folder for the subprocess; its embedding cache already holds the tiny corpus."""
    return make_seeded_index_dir(tmp_path_factory.mktemp("cli") / "index", embedding_cache)


@pytest.fixture(scope="module")
def ingest_run(tiny_corpus: Path, cli_index_dir: Path) -> subprocess.CompletedProcess:
    return run_bot("ingest", "--corpus", str(tiny_corpus), "--index", str(cli_index_dir))


def test_ingest_command(ingest_run) -> None:
    assert ingest_run.returncode == 0, ingest_run.stderr
    assert "thêm 3" in ingest_run.stdout and "lỗi 0" in ingest_run.stdout


def test_ask_json(ingest_run, tiny_corpus: Path, cli_index_dir: Path) -> None:
    result = run_bot("ask", "Hương ước, quy ước là gì?", "--json", "--corpus", str(tiny_corpus),
                     "--index", str(cli_index_dir))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"answer", "refused", "citations", "passages", "timings_ms"} <= set(data)
    assert data["refused"] is False
    assert isinstance(data["answer"], str) and data["answer"]
    assert data["citations"], data
    for citation in data["citations"]:
        assert CITATION_KEYS <= set(citation)
        assert isinstance(citation["n"], int) and isinstance(citation["start"], int)
        assert isinstance(citation["end"], int) and citation["start"] < citation["end"]
    assert data["citations"][0]["doc"] == TINY_DECREE_61
    assert data["citations"][0]["page"] is None
    text = (tiny_corpus / TINY_DECREE_61).read_text(encoding="utf-8")
    assert data["citations"][0]["quote"] in text
    assert data["passages"]
    for passage in data["passages"]:
        assert PASSAGE_KEYS <= set(passage)
        assert isinstance(passage["score"], float)
    assert all(isinstance(v, (int, float)) for v in data["timings_ms"].values())
    assert "total_ms" in data["timings_ms"]


def test_ask_prints_the_caution_above_the_answer_on_stdout(ingest_run, tiny_corpus: Path, cli_index_dir: Path) -> None:
    """A caution lost to a redirect of stderr would leave the answer looking sure."""
    from bot.answering.pipeline import CAUTION_VI

    result = run_bot("ask", "thủ tục ly hôn như thế nào", "--corpus", str(tiny_corpus), "--index", str(cli_index_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"(!) {CAUTION_VI}\n") and "[1]" in result.stdout
    assert CAUTION_VI not in result.stderr


def test_ask_json_refusal(ingest_run, tiny_corpus: Path, cli_index_dir: Path) -> None:
    result = run_bot("ask", "Điều 99 của Nghị định 61/2023/NĐ-CP quy định về nội dung gì?", "--json",
                     "--corpus", str(tiny_corpus), "--index", str(cli_index_dir))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["refused"] is True
    assert data["answer"] == "Tài liệu hiện có không đề cập đến nội dung này."
    assert data["citations"] == []


def test_ask_plain_text_with_history(ingest_run, tiny_corpus: Path, cli_index_dir: Path, tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "Hương ước, quy ước là gì?"},
                                   {"role": "assistant", "content": "Là văn bản [1]"}], ensure_ascii=False),
                       encoding="utf-8")
    result = run_bot("ask", "Còn mục đích thì sao?", "--history", str(history), "--corpus", str(tiny_corpus),
                     "--index", str(cli_index_dir))
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout
    assert "Nghị định 61/2023/NĐ-CP › Điều 3" in result.stdout
    assert "DEBUG" not in result.stderr  # no library's debug lines in front of a user


def test_eval_rejects_a_malformed_testset(tmp_path: Path, tiny_corpus: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "?"}\n', encoding="utf-8")
    result = run_bot("eval", "--testset", str(bad), "--corpus", str(tiny_corpus), "--index", str(tmp_path / "idx"),
                     "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "không hợp lệ" in result.stderr and "bad.jsonl, dòng 1" in result.stderr and "'answer'" in result.stderr


def test_eval_check_validates_the_seed_set_against_the_corpus() -> None:
    result = run_bot("eval", "check", "--testset", "evals/testsets/seed.jsonl", "--corpus", "corpus")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 lỗi" in result.stdout


def test_eval_check_lists_every_problem(tmp_path: Path, tiny_corpus: Path) -> None:
    good = {"id": "a", "question": "Hương ước, quy ước là gì?", "answer": "Là văn bản.", "answerable": True,
            "sources": [{"doc": TINY_DECREE_61, "quote": "Hương ước, quy ước là văn bản quy định"}], "tags": []}
    lines = [good, {**good, "sources": [{"doc": TINY_DECREE_61, "quote": "không hề có trong nghị định này đâu"}]},
             {**good, "id": "b", "answerable": False, "sources": [], "answer": "Không có."}]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    result = run_bot("eval", "check", str(bad), "--corpus", str(tiny_corpus))
    assert result.returncode == 1
    assert "bad.jsonl, dòng 2: trường 'id': trùng mã 'a'" in result.stdout
    assert "bad.jsonl, dòng 2: trường 'sources[0].quote': không tìm thấy trích dẫn" in result.stdout
    assert "bad.jsonl, dòng 3: trường 'answer'" in result.stdout
    assert "3 lỗi" in result.stdout


def test_eval_judge_without_a_model_says_so(ingest_run, tiny_corpus: Path, cli_index_dir: Path,
                                            tmp_path: Path) -> None:
    testset = tmp_path / "one.jsonl"
    testset.write_text(json.dumps({
        "id": "q1", "question": "Hương ước, quy ước là gì?", "answer": "Là văn bản quy định về các quy phạm xã hội.",
        "answerable": True, "sources": [{"doc": TINY_DECREE_61, "quote": "Hương ước, quy ước là văn bản quy định"}],
        "tags": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    env = {**_env(), "BOT_LLM__MODEL_DIR": str(tmp_path / "no-model")}  # no GGUF there: the judge cannot load
    result = subprocess.run([sys.executable, "-m", "bot", "eval", "--testset", str(testset), "--judge",
                             "--corpus", str(tiny_corpus), "--index", str(cli_index_dir), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "Bỏ qua chấm bằng mô hình" in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["judge"]["label"] == "model-judged" and report["judge"]["n"] == 0 and report["judge"]["skipped"]
    assert "not a human grade" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_eval_compare_still_works(tmp_path: Path) -> None:
    base = {"retrieval": {"hit@5": 0.5}, "answer": {}, "citations": {}, "refusal": {}, "latency_ms": {},
            "questions": [{"id": "q", "question": "?", "answerable": True, "refused": True}]}
    better = {**base, "retrieval": {"hit@5": 1.0},
              "questions": [{"id": "q", "question": "?", "answerable": True, "refused": False, "hit@5": 1.0}]}
    (tmp_path / "a.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(better), encoding="utf-8")
    result = run_bot("eval", "compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.returncode == 0, result.stderr
    assert "retrieval.hit@5" in result.stdout and "+0.5" in result.stdout and "better (1)" in result.stdout


def test_missing_command_is_a_usage_error() -> None:
    result = run_bot()
    assert result.returncode == 2
    assert "usage" in result.stderr.lower()
