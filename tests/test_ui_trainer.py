"""The "Soạn câu hỏi" tab without a browser: items <-> table rows, what an edit does to an item's check."""

from __future__ import annotations

import pytest

from bot.documents.loaders import load_document
from bot.documents.model import Document
from bot.trainer import QAItem, generate, manual_item
from bot.ui.trainer import (COL, HEADERS_VI, item_row, items_table, letter_index, manual_options, merge_table,
                            row_to_item, scope_choices, status_text)
from conftest import TINY_DECREE_61, TINY_LAW

QUOTE = "được Ủy ban nhân dân cấp xã công nhận"


@pytest.fixture(scope="module")
def docs(tiny_corpus) -> dict[str, Document]:
    return {name: load_document(tiny_corpus / name, tiny_corpus, 50) for name in (TINY_DECREE_61, TINY_LAW)}


@pytest.fixture(scope="module")
def open_item(docs) -> QAItem:
    item = manual_item(docs, TINY_DECREE_61, "Hương ước, quy ước do cơ quan nào công nhận?",
                       "Ủy ban nhân dân cấp xã công nhận.", QUOTE)
    assert item.verified
    return item


@pytest.fixture(scope="module")
def mcq_item(docs) -> QAItem:
    item = next(i for i in generate(docs, [TINY_DECREE_61], count=10) if i.kind == "mcq")
    assert item.verified
    return item


def edit(item: QAItem, **cells: object) -> list:
    row = item_row(item)
    for name, value in cells.items():
        row[COL[name]] = value
    return row


def test_row_has_every_column_and_round_trips(open_item, mcq_item, docs) -> None:
    for item in (open_item, mcq_item):
        row = item_row(item)
        assert len(row) == len(HEADERS_VI) and row[COL["Mã"]] == item.id
        assert row_to_item(item, row, docs.get) == item  # nothing edited: nothing changes, still checked
    row = item_row(mcq_item)
    assert row[COL["Dạng"]] == "Trắc nghiệm" and row[COL["Đúng"]] == mcq_item.correct_letter
    assert [row[COL[x]] for x in "ABCD"] == mcq_item.options
    assert row[COL["Nguồn"]].startswith(f"{TINY_DECREE_61} — Nghị định 61/2023/NĐ-CP › Điều")
    assert row[COL["Kiểm chứng"]].startswith("✅ Đạt")
    row = item_row(open_item)
    assert row[COL["Dạng"]] == "Tự luận" and [row[COL[x]] for x in "ABCD"] == ["", "", "", ""]
    assert row[COL["Trích dẫn"]] == QUOTE
    assert items_table([]) == {"headers": HEADERS_VI, "data": []}


@pytest.mark.parametrize("cells, changed, checked, approved", [
    ({}, {}, True, False),
    ({"Duyệt": True}, {}, True, True),
    ({"Duyệt": "true"}, {}, True, True),
    ({"Câu hỏi": "  Hương ước, quy ước do cơ quan nào công nhận?  "}, {}, True, False),  # spaces only
    ({"Đáp án": "Ủy ban nhân dân cấp xã."}, {"answer": "Ủy ban nhân dân cấp xã."}, False, False),
    ({"Đáp án": "Ủy ban nhân dân cấp xã.", "Duyệt": True}, {"answer": "Ủy ban nhân dân cấp xã."}, False, True),
    ({"Câu hỏi": "Ai công nhận hương ước?"}, {"question": "Ai công nhận hương ước?"}, False, False),
    ({"Mức độ": "khó"}, {"difficulty": "khó"}, True, False),  # no claim of the item changes
    ({"Mức độ": "rất khó"}, {}, True, False),  # not a level: ignored
    ({"A": "thêm", "Đúng": "B"}, {}, True, False),  # options of an open question are not read
])
def test_edits_of_an_open_item(open_item, docs, cells, changed, checked, approved) -> None:
    item = row_to_item(open_item, edit(open_item, **cells), docs.get)
    expected = {**{k: getattr(open_item, k) for k in ("question", "answer", "difficulty")}, **changed}
    assert {k: getattr(item, k) for k in expected} == expected
    assert (item.checked, item.approved) == (checked, approved)
    assert open_item.checked and not open_item.approved  # the original is left as it was


def test_an_edited_quote_is_found_in_the_document(open_item, docs) -> None:
    typed = "Hương ước, quy ước là văn bản  quy định về các quy phạm xã hội"  # other spacing
    item = row_to_item(open_item, edit(open_item, **{"Trích dẫn": typed}), docs.get)
    [source] = item.sources
    text = docs[TINY_DECREE_61].text
    assert text[source.start:source.end] == source.quote
    assert source.quote == "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội"
    assert source.heading == "Nghị định 61/2023/NĐ-CP › Điều 2" and not item.checked
    gone = row_to_item(open_item, edit(open_item, **{"Trích dẫn": ""}), docs.get)
    assert gone.sources == [] and not gone.checked


@pytest.mark.parametrize("cells, field, value", [
    ({"Đúng": "c"}, "correct", 2),
    ({"Đúng": "D."}, "correct", 3),
    ({"Đúng": ""}, "correct", None),
    ({"B": "Một phương án khác"}, "options", "B"),
])
def test_edits_of_an_mcq_item(mcq_item, docs, cells, field, value) -> None:
    if "Đúng" in cells and letter_index(cells["Đúng"]) == mcq_item.correct:
        cells = {"Đúng": "ABCD"[(mcq_item.correct + 1) % 4]}
        value = (mcq_item.correct + 1) % 4
    item = row_to_item(mcq_item, edit(mcq_item, **cells), docs.get)
    assert not item.checked
    if field == "options":
        assert item.options[1] == "Một phương án khác" and item.options[0] == mcq_item.options[0]
    else:
        assert item.correct == value


def test_merge_follows_the_table(open_item, mcq_item, docs) -> None:
    other = open_item.edited(question="Câu khác?")
    other.id = "tl-khac"
    rows = [edit(mcq_item, Chọn=True), ["", "", "khong-co-ma"] + [""] * 13, edit(open_item, Duyệt=True), []]
    items, chosen = merge_table([open_item, other, mcq_item], rows, docs.get)
    assert [i.id for i in items] == [mcq_item.id, open_item.id]  # table order; 'other' has no row any more
    assert chosen == [mcq_item.id] and items[1].approved
    assert merge_table([open_item], None, docs.get) == ([], [])


@pytest.mark.parametrize("text, expected", [
    ("A", 0), ("b", 1), (" C. ", 2), ("(d)", 3), ("D)", 3), ("", None), ("E", None), ("AB", None), (None, None),
])
def test_letter_index(text, expected) -> None:
    assert letter_index(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Một\nHai\n\nBa\nBốn", ["Một", "Hai", "Ba", "Bốn"]),
    ("A. Một\nB) Hai\nC. Ba\nD. Bốn", ["Một", "Hai", "Ba", "Bốn"]),
    ("Ban X\nCục Y", ["Ban X", "Cục Y"]),  # 'Ban' keeps its B
    ("", []),
])
def test_manual_options(text, expected) -> None:
    assert manual_options(text) == expected


def test_status_text(open_item, docs) -> None:
    assert status_text(open_item).startswith("✅ Đạt (độ khớp")
    edited = open_item.edited(answer="Quốc hội ban hành.")
    assert status_text(edited).startswith("⏳ Chưa kiểm chứng")
    flagged = manual_item(docs, TINY_DECREE_61, "Ai ban hành hương ước?", "Quốc hội ban hành hằng năm.", QUOTE)
    assert status_text(flagged) == "⚠️ Đáp án không được trích dẫn hỗ trợ (bộ kiểm chứng trích dẫn)."


def test_scope_choices_list_a_shared_key_once(docs) -> None:
    choices = scope_choices([docs[TINY_DECREE_61], docs[TINY_LAW]])
    keys = [key for _, key in choices]
    assert len(keys) == len(set(keys)) and "Điều 1" in keys and "Điều 4" in keys
    assert ("Điều 2. Hương ước, quy ước", "Điều 2") in choices  # the first document's title wins
