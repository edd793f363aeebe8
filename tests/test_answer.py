"""answer(): cited extractive answers from the tiny index, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering.pipeline import EMPTY_QUESTION_VI, NO_DOCUMENTS_VI, TOO_LONG_VI, answer
from bot.answering.types import REFUSAL_VI
from bot.indexing.index import open_index
from bot.settings import Settings
from conftest import TINY_DECREE_61, TINY_LAW, TINY_NEWS


def ask(tiny_index, question: str, history=None):
    return answer(question, history, settings=tiny_index.settings, index=tiny_index)


def assert_citations_are_verbatim(tiny_index, result) -> None:
    assert result.citations
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))
    for citation in result.citations:
        doc = tiny_index.catalog.document(citation.doc)
        assert doc is not None
        assert citation.quote == doc.text[citation.start:citation.end]
        assert citation.title == doc.title
        assert f"[{citation.n}]" in result.text
        # The quote sits inside a retrieved passage.
        assert any(p.chunk.doc_id == citation.doc and p.chunk.start <= citation.start < citation.end <= p.chunk.end
                   for p in result.passages)


@pytest.mark.parametrize("question, doc, phrase", [
    ("Hương ước, quy ước là gì?", TINY_DECREE_61, "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội"),
    ("Năm 2023, Ban Thường vụ Đảng ủy Khối các cơ quan Trung ương tổ chức bao nhiêu lớp tập huấn nghiệp vụ về "
     "công tác dân vận?", TINY_NEWS, "tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận"),
    ("Luật Thực hiện dân chủ ở cơ sở quy định về những gì?", TINY_LAW,
     "Luật này quy định về nội dung, cách thức thực hiện dân chủ ở cơ sở"),
    ("Vai trò của MTTQ trong thực hiện dân chủ ở cơ sở là gì?", TINY_LAW,
     "vai trò nòng cốt của Mặt trận Tổ quốc Việt Nam"),
    ("huong uoc quy uoc la gi", TINY_DECREE_61, "Hương ước, quy ước là văn bản"),
])
def test_answer_cites_the_right_document(tiny_index, question: str, doc: str, phrase: str) -> None:
    result = ask(tiny_index, question)
    assert not result.refused, result.refusal_reason
    assert result.citations[0].doc == doc
    assert phrase in result.text
    assert any(phrase in c.quote for c in result.citations)
    assert_citations_are_verbatim(tiny_index, result)


def test_answer_citation_fields(tiny_index) -> None:
    result = ask(tiny_index, "Hương ước, quy ước là gì?")
    first = result.citations[0]
    assert first.heading == "Nghị định 61/2023/NĐ-CP › Điều 2"
    assert first.title == "Nghị định về xây dựng và thực hiện hương ước, quy ước của cộng đồng dân cư"
    assert first.page is None  # text files have no pages
    assert result.backend == "extractive"
    assert result.timings_ms.keys() >= {"retrieval_ms", "answer_ms", "total_ms"}
    assert result.timings_ms["total_ms"] >= result.timings_ms["answer_ms"]


@pytest.mark.parametrize("question", [
    "Chỉ mình cách gói bánh chưng ngày Tết cho khỏi bị nhão với.",
    "Đội tuyển bóng đá Việt Nam vô địch AFF Cup bao nhiêu lần rồi?",
    "Theo Bộ luật Lao động 2019, tuổi nghỉ hưu của lao động nam là bao nhiêu?",
])
def test_off_topic_question_is_refused(tiny_index, question: str) -> None:
    result = ask(tiny_index, question)
    assert result.refused
    assert result.text == REFUSAL_VI
    assert result.citations == []
    assert result.refusal_reason


@pytest.mark.parametrize("question", [
    "Điều 99 của Nghị định 61/2023/NĐ-CP quy định về nội dung gì?",
    "Nghị định 61/2023/NĐ-CP Điều 35 nói gì?",
    "Điều 40 Nghị định 61 quy định gì về hương ước?",
])
def test_nonexistent_article_is_refused(tiny_index, question: str) -> None:
    result = ask(tiny_index, question)
    assert result.refused
    assert result.text == REFUSAL_VI
    assert "61/2023/NĐ-CP" in result.refusal_reason


def test_existing_article_is_answered(tiny_index) -> None:
    result = ask(tiny_index, "Điều 4 của Nghị định 61/2023/NĐ-CP quy định về nội dung gì?")
    assert not result.refused, result.refusal_reason
    assert "Nghị định 61/2023/NĐ-CP › Điều 4" in [c.heading for c in result.citations]
    assert_citations_are_verbatim(tiny_index, result)


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question(tiny_index, question: str) -> None:
    result = ask(tiny_index, question)
    assert result.refused
    assert result.text == EMPTY_QUESTION_VI
    assert result.citations == [] and result.passages == []
    assert result.to_json()["refused"] is True


def test_too_long_question_is_turned_back_with_the_limit(tiny_index) -> None:
    limit = tiny_index.settings.answer.max_question_chars
    result = ask(tiny_index, "Hương ước là gì? " * (10_000 // 17))  # ~10,000 characters
    assert result.refused and result.refusal_reason == "question too long"
    assert result.text.startswith(TOO_LONG_VI.split("{")[0]) and f"{limit} ký tự" in result.text
    assert ask(tiny_index, "Hương ước là gì?" + " " * (limit - 17)).refusal_reason != "question too long"


@pytest.mark.parametrize("question", [
    "😀🙏🎉",                                                  # only emoji
    "<script>alert('x')</script><img src=x onerror=alert(1)>",  # HTML/JS
    "'; DROP TABLE documents; -- SELECT * FROM chunks WHERE 1=1",  # SQL-looking
    "{{7*7}} ${jndi:ldap://x} %s%s%n \x00",                    # template / format strings
    "Điều 99999999999999999999 khoản 0 điểm zz",                 # absurd article reference
])
def test_odd_questions_are_answered_or_refused_cleanly(tiny_index, question: str) -> None:
    chunks_before = tiny_index.dense.count()
    result = ask(tiny_index, question)
    assert result.text and isinstance(result.refused, bool)
    if result.citations:
        assert_citations_are_verbatim(tiny_index, result)
    json.dumps(result.to_json(), ensure_ascii=False)
    assert tiny_index.dense.count() == chunks_before  # nothing written by asking


def test_empty_question_needs_no_index() -> None:
    result = answer("  ", settings=Settings())
    assert result.refused and result.refusal_reason == "empty question"


def test_empty_index_says_so(tmp_path: Path) -> None:
    settings = Settings().with_paths(corpus_dir=tmp_path / "no-corpus", index_dir=tmp_path / "index")
    result = answer("Hương ước là gì?", settings=settings, index=open_index(settings))
    assert result.refused
    assert result.text == NO_DOCUMENTS_VI


def test_follow_up_with_history(tiny_index) -> None:
    history = [
        {"role": "user", "content": "Hương ước, quy ước là gì?"},
        {"role": "assistant", "content": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội [1]"},
    ]
    result = ask(tiny_index, "Còn mục đích thì sao?", history)
    assert result.query.startswith("Hương ước, quy ước là gì? Còn mục đích thì sao?")
    assert not result.refused, result.refusal_reason
    assert result.citations[0].doc == TINY_DECREE_61
    assert "Nghị định 61/2023/NĐ-CP › Điều 3" in [c.heading for c in result.citations]
    assert_citations_are_verbatim(tiny_index, result)


def test_same_question_without_history_differs(tiny_index) -> None:
    result = ask(tiny_index, "Còn mục đích thì sao?")
    assert result.query == "Còn mục đích thì sao?"


def test_to_json_is_serializable(tiny_index) -> None:
    data = ask(tiny_index, "Hương ước, quy ước là gì?").to_json()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert set(data) >= {"answer", "refused", "citations", "passages", "timings_ms"}
    assert set(data["citations"][0]) == {"n", "doc", "title", "page", "heading", "quote", "start", "end"}
    assert set(data["passages"][0]) >= {"doc", "start", "end", "text", "score"}


# --- Which passages and sentences answer (pure functions) -------------------------------------

def _sentences(rows: list[tuple[str, int, float]]):
    """(chunk id, start, score) rows, best first, as the composer scores them."""
    from bot.answering.extractive import Sentence
    from bot.documents.model import Chunk
    from bot.retrieval.hybrid import Passage

    passages = {}
    for chunk_id, _, _ in rows:
        passages.setdefault(chunk_id, Passage(Chunk(chunk_id, "doc", "…", 0, 1000, ""), 0.0, len(passages) + 1))
    return [Sentence(passages[c], start, start + 10, f"{c}@{start}", score) for c, start, score in rows]


@pytest.mark.parametrize("rows, ratio, expected", [
    ([("a", 0, 1.0), ("b", 0, 0.95), ("c", 0, 0.5)], 0.9, ["a", "b"]),
    ([("a", 0, 1.0), ("a", 50, 0.95), ("b", 0, 0.85)], 0.9, ["a"]),
    ([("b", 0, 1.0), ("a", 0, 1.0)], 0.9, ["b", "a"]),  # best first, not by retrieval rank
    ([("a", 0, 1.0), ("b", 0, 0.85)], 0.8, ["a", "b"]),
    ([], 0.9, []),
])
def test_focus_passages(rows, ratio: float, expected: list[str]) -> None:
    from bot.answering.extractive import focus_passages

    assert [p.chunk.id for p in focus_passages(_sentences(rows), ratio)] == expected


@pytest.mark.parametrize("rows, focused, max_sentences, expected", [
    # a close sentence of an unfocused passage stays out; the focused passage's next sentence comes in
    ([("a", 0, 1.0), ("b", 0, 0.95), ("a", 80, 0.85), ("a", 40, 0.5)], ["a"], 3, ["a@0", "a@80"]),
    ([("a", 90, 1.0), ("a", 10, 0.9), ("a", 50, 0.9)], ["a"], 2, ["a@10", "a@90"]),  # reading order
    ([("b", 0, 1.0), ("a", 0, 0.9)], ["a", "b"], 3, ["b@0", "a@0"]),  # retrieval rank order across passages
    ([], [], 3, []),
])
def test_select_sentences(rows, focused: list[str], max_sentences: int, expected: list[str]) -> None:
    from bot.answering.extractive import select_sentences

    sentences = _sentences(rows)
    passages = {s.passage.chunk.id: s.passage for s in sentences}
    chosen = select_sentences(sentences, [passages[c] for c in focused], max_sentences, 0.8)
    assert [s.text for s in chosen] == expected


# --- The kind of fact a question asks for (pure functions) ------------------------------------

@pytest.mark.parametrize("question, sentence, holds", [
    # an amount of money, not any figure
    ("Mức lương tối thiểu vùng năm 2024 là bao nhiêu?", "b) Nội quy lao động, thang lương, bảng lương năm 2023;", False),
    ("Mức lương tối thiểu vùng năm 2024 là bao nhiêu?", "Mức lương tối thiểu vùng I là 4.960.000 đồng/tháng.", True),
    ("Kinh phí hỗ trợ mỗi thôn là bao nhiêu?", "Mỗi thôn được hỗ trợ 5 triệu đồng.", True),
    ("Thời hạn niêm yết là bao nhiêu?", "Thời hạn niêm yết là 30 ngày.", True),
    # a reference to a clause is no count of articles
    ("Hương ước có tối đa bao nhiêu điều?", "a) Các nội dung quy định tại khoản 6 Điều 15 của Luật.", False),
    ("Hương ước có tối đa bao nhiêu điều?", "Hương ước gồm 5 điều.", True),
    ("Ban có bao nhiêu thành viên?", "2. Ban có từ 03 đến 05 thành viên.", True),
    ("Ban có bao nhiêu thành viên?", "2. Thành viên Ban do Hội nghị bầu theo Điều 5.", False),
])
def test_the_best_sentences_must_hold_the_kind_of_fact_asked_for(question: str, sentence: str, holds: bool) -> None:
    import re

    from bot.answering.evidence import _expected_pattern, _figures_text

    pattern = _expected_pattern(question)
    assert pattern is not None
    assert (re.search(pattern, _figures_text(sentence)) is not None) is holds
