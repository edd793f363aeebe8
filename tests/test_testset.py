"""Test-set loading and validation, and the seed test set's quotes against the demo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.documents.loaders import load_document
from bot.documents.model import Document
from bot.documents.normalize import fold
# Imported under another name: pytest would try to collect a class called Test*.
from bot.evaluation.testset import Source, check_testset, load_testset, locate, parse_item
from bot.evaluation.testset import InvalidTestset as SetError
from conftest import CORPUS, SEED_TESTSET

GOOD = {"id": "t1", "question": "Hương ước là gì?", "answer": "Là văn bản.", "answerable": True,
        "sources": [{"doc": "a.txt", "quote": "Hương ước là văn bản"}], "tags": ["definition"]}
UNANSWERABLE = {"id": "t2", "question": "Bánh chưng gói thế nào?", "answer": "", "answerable": False,
                "sources": [], "tags": ["unanswerable"]}


def line(**changes) -> str:
    obj = {**GOOD, **changes}
    return json.dumps({k: v for k, v in obj.items() if v is not ...}, ensure_ascii=False)


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_good_testset(tmp_path: Path) -> None:
    history = [{"role": "user", "content": "Hương ước là gì?"}, {"role": "assistant", "content": "Là văn bản."}]
    path = write(tmp_path, [line(), "", json.dumps(UNANSWERABLE, ensure_ascii=False),
                            line(id="t3", history=history, sources=[{"doc": "a.txt", "quote": "x", "unit": "article"}])])
    items = load_testset(path)
    assert [i.id for i in items] == ["t1", "t2", "t3"]
    assert items[0].sources == [Source("a.txt", "Hương ước là văn bản", "span")]
    assert items[1].answerable is False and items[1].sources == []
    assert items[2].history == history and items[2].sources[0].unit == "article"
    assert items[0].history == []


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line().encode("utf-8") + b"\n")
    assert [i.id for i in load_testset(path)] == ["t1"]


@pytest.mark.parametrize("bad, field", [
    ("{not json", None),
    ("[1, 2]", None),
    (line(id=...), "id"),
    (line(question=...), "question"),
    (line(answerable=...), "answerable"),
    (line(tags=...), "tags"),
    (line(id=7), "id"),
    (line(answerable="yes"), "answerable"),
    (line(sources="a.txt"), "sources"),
    (line(tags="number"), "tags"),
    (line(sources=[{"doc": "a.txt"}]), "sources[0]"),
    (line(sources=[{"doc": "a.txt", "quote": "ok"}, "a.txt"]), "sources[1]"),
    (line(sources=[{"doc": "a.txt", "quote": "x" * 201}]), "sources[0].quote"),
    (line(sources=[]), "sources"),  # answerable without sources
    (line(answerable=False), "sources"),  # unanswerable with sources
    (line(history=[{"role": "bot", "content": "x"}]), "history"),
    (line(history=[{"role": "user"}]), "history"),
    (line(history="Hương ước là gì?"), "history"),
    (line(sources=[{"doc": "a.txt", "quote": "Hương ước là văn bản", "unit": "chapter"}]), "sources[0].unit"),
])
def test_malformed_line_is_reported_with_line_number_and_field(tmp_path: Path, bad: str, field: str | None) -> None:
    path = write(tmp_path, [line(id="ok-1"), json.dumps(UNANSWERABLE, ensure_ascii=False), bad])
    with pytest.raises(SetError) as info:
        load_testset(path)
    message = str(info.value)
    assert f"{path}:3:" in message
    if field:
        assert f"'{field}'" in message
    else:
        assert "JSON" in message


def test_repeated_id_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, [line(), "", line()])
    with pytest.raises(SetError, match=r":3: field 'id' repeats 't1'"):
        load_testset(path)


def test_parse_item_names_its_place() -> None:
    with pytest.raises(SetError, match="^somewhere: not a JSON object$"):
        parse_item("text", "somewhere")


def test_problems_read_in_vietnamese_with_file_name_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, [line(), line(question=...)])
    with pytest.raises(SetError) as info:
        load_testset(path)
    assert str(info.value) == f"{path}:2: field 'question' is missing"
    assert info.value.vi == "set.jsonl, dòng 2: trường 'question': bị thiếu"
    assert (info.value.where, info.value.field) == (f"{path}:2", "question")


@pytest.mark.parametrize("name, data", [("set.jsonl", b"\xff\xfe{}"), ("set.csv", b"id,\xff\n"),
                                        ("set.xlsx", b"not a workbook")])
def test_an_unreadable_file_is_an_invalid_testset(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(SetError) as info:
        load_testset(tmp_path / name)
    assert info.value.vi.startswith(f"{name}: không đọc được tệp")
    assert check_testset(tmp_path / name).problems[0].vi == info.value.vi


# --- check_testset: the authoring rules of committed sets, and quotes found in the corpus ------

DOC = "Điều 1. Hương ước\nHương ước là văn bản do cộng đồng dân cư thỏa thuận ban hành.\n"
NFD_QUESTION = "Hương ước là gì?".replace("ư", "u\u031b")  # 'ư' as u + combining horn: not NFC


@pytest.mark.parametrize("bad, field, english, vietnamese", [
    (line(question=NFD_QUESTION), "question", "is not NFC-normalised", "chưa chuẩn hóa Unicode NFC"),
    (line(history=[{"role": "user", "content": NFD_QUESTION}]), "history[0].content", "NFC", "NFC"),
    (line(sources=[{"doc": "a.txt", "quote": "Hương ước"}]), "sources[0].quote", "has 9 characters, outside 20–200",
     "dài 9 ký tự"),
    (line(sources=[{"doc": "a.txt", "quote": "Điều 1. Hương ước\nHương ước là văn bản"}]), "sources[0].quote",
     "contains a line break", "có dấu xuống dòng"),
    (line(answer=""), "answer", "is empty for an answerable question", "trống"),
    (json.dumps({**UNANSWERABLE, "id": "t3", "answer": "Không có thông tin."}, ensure_ascii=False), "answer",
     'must be "" for an unanswerable question', 'phải là ""'),
    (line(id="ok-1"), "id", "repeats 'ok-1'", "trùng mã 'ok-1'"),
    (line(sources=[{"doc": "b.txt", "quote": "Hương ước là văn bản"}]), "sources[0].doc",
     "'b.txt' is not in the corpus folders", "không có trong thư mục tài liệu"),
    (line(sources=[{"doc": "a.txt", "quote": "Hương ước là văn bản do Quốc hội ban hành"}]), "sources[0].quote",
     "quote not found in a.txt", "không tìm thấy trích dẫn trong a.txt"),
    (line(answerable=...), "answerable", "is missing", "bị thiếu"),  # structure problems are listed too
])
def test_check_lists_each_problem_with_line_and_field(tmp_path: Path, bad: str, field: str, english: str,
                                                      vietnamese: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(DOC, encoding="utf-8")
    path = write(tmp_path, [line(id="ok-1"), json.dumps(UNANSWERABLE, ensure_ascii=False), bad])
    result = check_testset(path, [corpus])
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    problem = result.problems[0]
    assert str(problem).startswith(f"{path}:3: field '{field}' ") and english in str(problem)
    assert problem.vi.startswith(f"set.jsonl, dòng 3: trường '{field}': ") and vietnamese in problem.vi


def test_check_of_a_good_set_finds_nothing_and_keeps_going_after_a_problem(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(DOC, encoding="utf-8")
    good = [line(), json.dumps(UNANSWERABLE, ensure_ascii=False)]
    assert check_testset(write(tmp_path, good), [corpus]).problems == []
    result = check_testset(write(tmp_path, [line(id=...), *good, line(id="t3", answer="")]), [corpus])
    assert [(p.where.rsplit(":", 1)[1], p.field) for p in result.problems] == [("1", "id"), ("4", "answer")]
    assert [i.id for i in result.items] == ["t1", "t2", "t3"]
    assert check_testset(write(tmp_path, ["{not json"]), [corpus]).problems[0].vi.startswith("set.jsonl, dòng 1:")


# --- locate -----------------------------------------------------------------------------------

LEGAL = ("Chương I\nQUY ĐỊNH CHUNG\n\nĐiều 1. Phạm vi\nLuật này quy định về dân chủ.\n\n"
         "Điều 2. Giải thích từ ngữ\n1. Cơ sở là xã, phường.\n2. Thôn là cộng đồng dân cư.\n\n"
         "Chương II\nNỘI DUNG\nĐiều 3. Công khai\nNội dung công khai.")


def legal_doc() -> Document:
    return Document(id="l.txt", title="Luật", type="txt", sha256="0" * 64, text=LEGAL)


@pytest.mark.parametrize("quote, expected", [
    ("Cơ sở là xã, phường.", "Cơ sở là xã, phường."),
    ("cơ sở là XÃ, phường", "Cơ sở là xã, phường"),  # case does not matter
    ("Cơ sở là xã,   phường.", "Cơ sở là xã, phường."),  # nor whitespace runs
    ("phường.\n2. Thôn", "phường.\n2. Thôn"),
])
def test_locate_span(quote: str, expected: str) -> None:
    start, end = locate(Source("l.txt", quote), legal_doc())
    assert LEGAL[start:end] == expected


def test_locate_folds_tone_placement() -> None:
    doc = Document(id="h.txt", title="H", type="txt", sha256="0" * 64, text="Hòa giải ở cơ sở do Ủy ban tổ chức.")
    start, end = locate(Source("h.txt", "Hoà giải ở cơ sở do Uỷ ban"), doc)
    assert doc.text[start:end] == "Hòa giải ở cơ sở do Ủy ban"


def test_locate_article_unit_spans_the_whole_article() -> None:
    start, end = locate(Source("l.txt", "Thôn là cộng đồng dân cư", "article"), legal_doc())
    # The span may begin on the blank line before the heading (the head pattern's \s* crosses it).
    assert LEGAL[start:end].lstrip().startswith("Điều 2. Giải thích từ ngữ")
    assert LEGAL[:start].rstrip().endswith("Luật này quy định về dân chủ.")
    assert LEGAL[start:end].rstrip().endswith("Thôn là cộng đồng dân cư.")
    assert "Chương II" not in LEGAL[start:end]


def test_locate_missing_quote() -> None:
    with pytest.raises(SetError, match="quote not found in l.txt"):
        locate(Source("l.txt", "không có trong văn bản"), legal_doc())


# --- The seed test set ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_items():
    return load_testset(SEED_TESTSET)


@pytest.fixture(scope="module")
def corpus_docs() -> dict[str, Document]:
    return {p.name: load_document(p, CORPUS, 50) for p in sorted(CORPUS.iterdir()) if p.suffix == ".txt"}


def test_seed_testset_passes_the_check_against_the_corpus() -> None:
    result = check_testset(SEED_TESTSET, [CORPUS])
    assert not result.problems, "\n".join(p.vi for p in result.problems)
    assert len(result.items) >= 50


def test_seed_testset_loads(seed_items) -> None:
    assert len(seed_items) >= 50
    assert len({i.id for i in seed_items}) == len(seed_items)
    assert any(not i.answerable for i in seed_items)
    assert any(i.history for i in seed_items)


def test_every_seed_quote_is_located_in_its_document(seed_items, corpus_docs) -> None:
    problems = []
    located = 0
    for item in seed_items:
        for source in item.sources:
            doc = corpus_docs.get(source.doc)
            if doc is None:
                problems.append(f"{item.id}: no document {source.doc}")
                continue
            try:
                start, end = locate(source, doc)
            except SetError as exc:
                problems.append(f"{item.id}: {exc}")
                continue
            located += 1
            assert " ".join(fold(doc.text[start:end]).split()) == " ".join(fold(source.quote).split())
    assert not problems, "\n".join(problems)
    assert located == sum(len(i.sources) for i in seed_items)

