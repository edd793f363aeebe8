"""Test-set loading and validation, and the seed test set's quotes against the demo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.documents.loaders import load_document
from bot.documents.model import Document
from bot.documents.normalize import fold
# Imported under another name: pytest would try to collect a class called Test*.
from bot.evaluation.testset import Source, load_testset, locate, parse_item
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

