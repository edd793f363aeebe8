"""``python -m bot qa`` on the tiny corpus, and the bot's own evaluation of a generated test set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.documents.loaders import load_document
from bot.evaluation.runner import run_eval
from bot.evaluation.testset import load_testset, locate
from conftest import ROOT, TINY_DECREE_61, TINY_LAW, make_seeded_index_dir


def run_qa(*args: str) -> subprocess.CompletedProcess:
    from test_cli import _env

    return subprocess.run([sys.executable, "-m", "bot", "qa", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=_env())


@pytest.fixture(scope="module")
def qa_index_dir(tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path) -> Path:
    """An empty index folder: ``qa`` builds it (its embedding cache already knows the tiny corpus)."""
    return make_seeded_index_dir(tmp_path_factory.mktemp("qa") / "index", embedding_cache)


@pytest.fixture(scope="module")
def generated(tiny_corpus: Path, qa_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qa-out") / "bo-cau-hoi.jsonl"
    result = run_qa("--docs", TINY_DECREE_61, TINY_LAW, "--corpus", str(tiny_corpus), "--index", str(qa_index_dir),
                    "--count", "12", "--kind", "both", "--format", "jsonl", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Đã ghi 12 câu hỏi" in result.stdout and "bộ kiểm chứng trích dẫn loại" in result.stdout
    return out


def test_qa_writes_a_test_set_whose_quotes_are_in_the_documents(generated: Path, tiny_corpus: Path) -> None:
    items = load_testset(generated)
    assert len(items) == 12
    assert {"open", "mcq"} <= {tag for i in items for tag in i.tags}
    docs = {name: load_document(tiny_corpus / name, tiny_corpus, 50) for name in (TINY_DECREE_61, TINY_LAW)}
    for item in items:
        assert item.answerable and item.sources
        for source in item.sources:
            assert source.quote in docs[source.doc].text
            start, end = locate(source, docs[source.doc])
            assert end > start


def test_the_bot_answers_its_generated_test_set(generated: Path, tiny_index, tiny_settings, tmp_path: Path) -> None:
    items = load_testset(generated)
    report = run_eval(items, tiny_index, tiny_settings, k=10, out_dir=tmp_path / "eval", title="trainer")
    summary = {key: report[key] for key in ("n", "retrieval", "answer", "citations", "refusal")}
    (tmp_path / "eval" / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print("trainer test set on the tiny index:", json.dumps(summary, ensure_ascii=False))
    assert report["n"] == len(items) == report["n_answerable"]
    # Every question is about the tiny documents and quotes them: retrieval finds most of the sources.
    assert report["retrieval"]["hit@10"] >= 0.6
    assert report["refusal"]["correct_answers"] >= len(items) // 2


def test_qa_docx_and_errors(tiny_corpus: Path, qa_index_dir: Path, generated: Path, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "quiz.docx"
    result = run_qa("--docs", TINY_DECREE_61, "--scope", "Điều 1", "--scope", "Điều 2-4", "--count", "6",
                    "--corpus", str(tiny_corpus), "--index", str(qa_index_dir), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Câu hỏi tự luận" in text and "Câu hỏi trắc nghiệm" in text and "\nA. " in text
    assert "Đáp án và nguồn trích dẫn" in text and "Nghị định 61/2023/NĐ-CP › Điều" in text
    nothing = run_qa("--docs", TINY_DECREE_61, "--scope", "Điều 3", "--kind", "mcq", "--corpus", str(tiny_corpus),
                     "--index", str(qa_index_dir), "--out", str(tmp_path / "none.docx"))
    assert nothing.returncode == 1 and "Không tạo được câu hỏi" in nothing.stderr
    unknown = run_qa("--docs", "khong-co.txt", "--corpus", str(tiny_corpus), "--index", str(qa_index_dir),
                     "--out", str(tmp_path / "x.csv"))
    assert unknown.returncode == 2 and "khong-co.txt" in unknown.stderr and TINY_DECREE_61 in unknown.stderr
    scope = run_qa("--docs", TINY_DECREE_61, "--scope", "Điều 40", "--corpus", str(tiny_corpus),
                   "--index", str(qa_index_dir), "--out", str(tmp_path / "x.csv"))
    assert scope.returncode == 2 and "Điều 40" in scope.stderr


def test_qa_generator_flag(tiny_corpus: Path, qa_index_dir: Path, generated: Path, tmp_path: Path, monkeypatch,
                           capsys) -> None:
    """``--generator llm`` writes with the answer model (a fake one here), checked like the rules' questions."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from bot.__main__ import build_parser, main
    from bot.answering import llm
    from bot.answering.prompts import approx_tokens
    from bot.trainer import load_items

    assert build_parser().parse_args(["qa", "--docs", "x", "--out", "y"]).generator is None  # settings decide
    reply = json.dumps({"cau_hoi": "Hương ước, quy ước do cơ quan nào công nhận?",
                        "dap_an": "Ủy ban nhân dân cấp xã công nhận.",
                        "trich_dan": "được Ủy ban nhân dân cấp xã công nhận"}, ensure_ascii=False)
    model = GenericFakeChatModel(messages=iter([reply]))
    monkeypatch.setitem(llm.overrides, "llamacpp", llm.Backend("llamacpp", model, approx_tokens, timeout_s=30))
    out = tmp_path / "llm.jsonl"
    code = main(["qa", "--docs", TINY_DECREE_61, "--scope", "Điều 2", "--count", "1", "--kind", "open",
                 "--generator", "llm", "--corpus", str(tiny_corpus), "--index", str(qa_index_dir), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    [item] = load_items(out)
    assert item.origin == "llm" and item.verified and item.answer == "Ủy ban nhân dân cấp xã công nhận."
    assert "mô hình ngôn ngữ được hỏi 1 lần" in printed.out and "Mô hình đang soạn câu 1/1" in printed.err
