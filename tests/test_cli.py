"""The command line, run as a real subprocess: python -m bot ask|ingest|eval."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TINY_DECREE_61

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
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    index_dir.mkdir()
    shutil.copy(embedding_cache, index_dir / "embedding_cache.sqlite")
    return index_dir


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


def test_eval_rejects_a_malformed_testset(tmp_path: Path, tiny_corpus: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "?"}\n', encoding="utf-8")
    result = run_bot("eval", "--testset", str(bad), "--corpus", str(tiny_corpus), "--index", str(tmp_path / "idx"),
                     "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "không hợp lệ" in result.stderr and ":1:" in result.stderr and "'answer'" in result.stderr


def test_missing_command_is_a_usage_error() -> None:
    result = run_bot()
    assert result.returncode == 2
    assert "usage" in result.stderr.lower()
