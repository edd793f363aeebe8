"""Trainer workspace: rule-based cited questions, the shared verifier's veto, near-duplicates, exports.

Generation needs no index: Documents are loaded straight from the demo corpus and from the shared
regulations folder. The CLI and the bot's own evaluation of a generated set are in test_trainer_cli.py.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from bot.documents.loaders import load_document
from bot.documents.model import Document
from bot.evaluation.testset import load_testset, locate
from bot.trainer import (DIFFICULTIES, TYPES, ExportError, QAItem, ScopeError, SourceRef, check_item, dedupe, explain,
                         export, generate, generate_from_documents, load_items, manual_item, recheck, regenerate_one,
                         sections)
from bot.trainer import testset_record as as_testset_record  # another name: pytest collects test* functions
from bot.trainer.check import QUOTE_MAX
from bot.trainer.text import fit, fold, mentions
from conftest import CORPUS, DECREE_61, LAW, NEWS_000, NEWS_003

SHARED_REGULATIONS = Path(__file__).resolve().parents[2] / "shared" / "regulations"


def load(folder: Path, name: str) -> Document:
    return load_document(folder / name, folder, 50)


@pytest.fixture(scope="module")
def decree() -> Document:
    return load(CORPUS, DECREE_61)


@pytest.fixture(scope="module")
def law() -> Document:
    folder = SHARED_REGULATIONS if (SHARED_REGULATIONS / LAW).is_file() else CORPUS
    return load(folder, LAW)


@pytest.fixture(scope="module")
def news() -> list[Document]:
    return [load(CORPUS, NEWS_000), load(CORPUS, NEWS_003)]


@pytest.fixture(scope="module")
def decree_set(decree: Document):
    return generate_from_documents([decree], count=500)


@pytest.fixture(scope="module")
def law_set(law: Document):
    return generate_from_documents([law], count=500)


def assert_well_formed(items: list[QAItem], docs: dict[str, Document]) -> None:
    assert items
    for item in items:
        assert item.verified, (item.flags, item.question)
        assert item.kind in ("open", "mcq") and item.type in TYPES and item.difficulty in DIFFICULTIES
        assert item.question.strip().endswith("?"), item.question
        assert item.sources
        for source in item.sources:
            text = docs[source.doc].text
            assert 0 < len(source.quote) <= QUOTE_MAX
            assert text[source.start:source.end] == source.quote  # a verbatim span of Document.text
            assert source.heading
        if item.kind == "mcq":
            assert len(item.options) == 4
            assert len({fold(o) for o in item.options}) == 4, item.options
            assert item.correct in range(4)
            quotes = "\n".join(s.quote for s in item.sources)
            stated = [o for o in item.options if mentions(quotes, o)]
            assert stated in ([], [item.correct_option]), (item.options, quotes)  # no distractor is in the quote
            assert not any(re.search(r"tất cả|cả [abcd]", o, re.IGNORECASE) for o in item.options)


# --- Generation on the demo regulation (Nghị định 61/2023/NĐ-CP) ------------------------------------------


def test_decree_items_are_verified_cited_and_varied(decree: Document, decree_set) -> None:
    items = decree_set.items
    assert_well_formed(items, {decree.id: decree})
    assert {i.type for i in items} == set(TYPES)
    assert {i.kind for i in items} == {"open", "mcq"}
    assert {i.difficulty for i in items} == set(DIFFICULTIES)
    report = decree_set.report
    assert report.candidates == report.dropped_by_verifier + report.duplicates + report.available
    assert report.selected == len(items) <= report.available
    assert len(items) >= 100


def find(items: list[QAItem], kind: str, pattern: str) -> QAItem:
    hits = [i for i in items if i.kind == kind and re.search(pattern, i.question)]
    assert hits, pattern
    return hits[0]


def test_decree_rules_ask_the_expected_questions(decree_set) -> None:
    items = decree_set.items
    duration = find(items, "open", r"ban hành quyết định công nhận trong thời hạn chậm nhất là bao nhiêu ngày làm việc")
    assert duration.type == "number" and "05 (năm) ngày làm việc" in duration.answer
    assert "05" not in duration.question
    mcq = find(items, "mcq", r"chậm nhất là bao nhiêu ngày làm việc")
    assert mcq.correct_option == "05 ngày làm việc"
    assert all(o.endswith("ngày làm việc") for o in mcq.options)  # distractors of the same unit
    definition = find(items, "open", r"“Hương ước, quy ước” được hiểu là gì")
    assert definition.type == "definition" and definition.answer.startswith("Hương ước, quy ước là văn bản")
    article = find(items, "open", r"^Điều nào của Nghị định 61/2023/NĐ-CP quy định về công nhận hương ước")
    assert article.answer.startswith("Điều 11.") and article.sources[0].unit == "article"
    duties = find(items, "open", r"Ủy ban nhân dân cấp xã có những trách nhiệm gì\?")
    assert duties.type == "responsibility" and len(duties.sources) == 8  # the lead-in and points a–g
    competent = find(items, "open", r"cơ quan nào có thẩm quyền công nhận hương ước")
    assert competent.answer.startswith("Ủy ban nhân dân cấp xã")
    form = find(items, "open", r"quyết định công nhận hương ước, quy ước thực hiện theo mẫu nào")
    assert form.type == "procedure" and "Mẫu số 03" in form.answer
    day = find(items, "open", r"ngày hội đại đoàn kết toàn dân tộc là ngày nào")
    assert "18 tháng 11" in day.answer


def test_each_mcq_has_one_correct_option_from_its_quote(decree_set) -> None:
    mcqs = [i for i in decree_set.items if i.kind == "mcq"]
    assert len(mcqs) >= 40
    positions = {i.correct for i in mcqs}
    assert positions == {0, 1, 2, 3}  # the right answer is not always at the same letter
    article = find(mcqs, "mcq", r"^Điều nào của Nghị định 61/2023/NĐ-CP quy định về")
    assert article.answer.startswith(article.correct_option + ".")
    assert all(re.fullmatch(r"Điều \d+", o) for o in article.options)


# --- A regulation from the shared folder (Luật 10/2022/QH15) ------------------------------------------------


def test_law_from_shared_regulations(law: Document, law_set) -> None:
    items = law_set.items
    assert_well_formed(items, {law.id: law})
    definitions = [i for i in items if i.type == "definition" and i.kind == "open"]
    assert {re.search(r"“(.+)”", i.question).group(1) for i in definitions} >= {"Cơ sở", "Cộng đồng dân cư"}
    assert any(i.kind == "mcq" and i.type == "definition" for i in items)  # four terms: three distractors each
    assert any("chậm nhất là bao nhiêu ngày làm việc" in i.question for i in items)
    assert law_set.report.duplicates > 0  # the Law repeats its rules for each kind of body


def test_news_articles_give_checked_questions_too(news: list[Document]) -> None:
    result = generate_from_documents(news, count=50)
    assert_well_formed(result.items, {d.id: d for d in news})
    assert any("bao nhiêu lớp" in i.question for i in result.items)
    assert all(s.heading.split(" › ")[-1].startswith("đoạn ") for i in result.items for s in i.sources)


# --- Scope ----------------------------------------------------------------------------------------------------


def test_sections_and_scope(decree: Document, law: Document) -> None:
    keys = [s.key for s in sections(decree)]
    assert keys[:3] == ["Điều 1", "Điều 2", "Điều 3"] and len(keys) == 25
    law_keys = [s.key for s in sections(law)]
    assert "Chương II" in law_keys and "Điều 91" in law_keys
    items = generate_from_documents([decree], scope=["Điều 11"], count=50).items
    article = next(s for s in sections(decree) if s.key == "Điều 11")
    assert items and all(article.start <= s.start and s.end <= article.end for i in items for s in i.sources)
    ranged = generate_from_documents([decree], scope="điều 9-12", count=100).items
    assert {s.heading.split(" › ")[1] for i in ranged for s in i.sources} == {"Điều 9", "Điều 10", "Điều 11", "Điều 12"}
    chapter = generate_from_documents([law], scope=["Chương I"], count=100).items
    assert chapter and all(" › Chương I › " in s.heading for i in chapter for s in i.sources)
    with pytest.raises(ScopeError, match="Điều 99"):
        generate_from_documents([decree], scope=["Điều 99"])


def test_count_and_kind(decree: Document) -> None:
    items = generate({decree.id: decree}, [decree.id], count=10, kind="both")
    assert len(items) == 10 and sum(i.kind == "mcq" for i in items) == 5
    assert len({i.type for i in items}) >= 4  # spread over the question types
    assert all(i.kind == "mcq" for i in generate([decree], [decree.id], count=6, kind="mcq"))
    assert all(i.kind == "open" for i in generate([decree], [decree.id], count=6, kind="open"))


# --- The verifier's veto -----------------------------------------------------------------------------------------


def quote_item(doc: Document, quote: str, **changes) -> QAItem:
    start = doc.text.index(quote)
    fields = {"id": "x", "kind": "open", "type": "number", "difficulty": "dễ", "question": "Thời hạn bao lâu?",
              "answer": quote, "sources": [SourceRef(doc.id, quote, start, start + len(quote))]}
    return QAItem(**{**fields, **changes})


QUOTE = "Thời hạn niêm yết do cộng đồng dân cư quyết định nhưng không ít hơn 30 (ba mươi) ngày, kể từ ngày niêm yết."


def test_verifier_drops_what_the_quote_does_not_support(decree: Document) -> None:
    docs = {decree.id: decree}
    assert check_item(quote_item(decree, QUOTE), docs).verified
    wrong_number = check_item(quote_item(decree, QUOTE, answer="Không ít hơn 45 ngày, kể từ ngày niêm yết."), docs)
    assert "numbers_not_in_quote" in wrong_number.flags
    unrelated = quote_item(decree, QUOTE, answer="Do Chủ tịch nước quyết định sau khi xin ý kiến Quốc hội.")
    check_item(unrelated, docs)
    assert "unsupported" in unrelated.flags and unrelated.support < 0.55
    assert "không được trích dẫn hỗ trợ" in explain(unrelated)
    moved = quote_item(decree, QUOTE)
    moved.sources[0].quote = "Thời hạn niêm yết do cộng đồng dân cư quyết định trong 7 ngày."
    assert "quote_not_found" in check_item(moved, docs).flags
    options = ["30 ngày", "45 ngày", "Tất cả các đáp án trên", "30 ngày"]
    mcq = check_item(quote_item(decree, QUOTE, kind="mcq", options=options, correct=0), docs)
    assert {"all_of_the_above", "options_not_distinct", "distractor_in_quote"} <= set(mcq.flags)
    fine = check_item(quote_item(decree, QUOTE, kind="mcq", options=["15 ngày", "30 ngày", "45 ngày", "60 ngày"],
                                 correct=1), docs)
    assert fine.verified, fine.flags


def test_unverified_items_are_never_exported_silently(decree: Document, decree_set, tmp_path: Path) -> None:
    good = decree_set.items[:3]
    bad = check_item(quote_item(decree, QUOTE, id="bad", answer="Do Chủ tịch nước quyết định."), {decree.id: decree})
    unchecked = good[0].edited(answer="Một đáp án đã sửa.")
    result = export([*good, bad, unchecked], "jsonl", tmp_path / "skip.jsonl")
    assert result.written == 3 and {i.id for i in result.skipped} == {"bad", good[0].id}
    assert [r.id for r in load_testset(tmp_path / "skip.jsonl")] == [i.id for i in good]
    with pytest.raises(ExportError):
        export([*good, bad], "csv", tmp_path / "error.csv", flagged="error")
    marked = export([*good, bad], "jsonl", tmp_path / "mark.jsonl", flagged="mark")
    assert marked.marked == 1
    assert "unverified" in load_testset(tmp_path / "mark.jsonl")[-1].tags
    with pytest.raises(ExportError):
        export([bad], "docx", tmp_path / "none.docx")


# --- Near-duplicates ----------------------------------------------------------------------------------------------


def test_near_duplicates_are_removed(decree_set) -> None:
    item = next(i for i in decree_set.items if i.kind == "open" and i.rule == "quantity")
    copy = QAItem.from_dict({**item.to_dict(), "id": "copy", "question": item.question.replace("Theo", "Căn cứ")})
    other = next(i for i in decree_set.items if i.kind == "open" and i.rule == "article")
    kept, removed = dedupe([item, copy, other])
    assert kept == [item, other] and removed == [copy]
    mcq_twin = QAItem.from_dict({**item.to_dict(), "id": "mcq", "kind": "mcq"})
    assert dedupe([item, mcq_twin])[1] == []  # open and MCQ are compared within their kind
    for kind in ("open", "mcq"):
        picked = [i for i in decree_set.items if i.kind == kind]
        assert dedupe(picked)[1] == []  # the generated set holds no near-duplicates


# --- Review: regenerate, add by hand, edit --------------------------------------------------------------------------


def test_regenerate_one_and_manual_items(decree: Document, decree_set) -> None:
    docs = {decree.id: decree}
    items = generate(docs, [decree.id], count=20)
    old = next(i for i in items if i.kind == "open" and i.rule == "quantity")
    new = regenerate_one(docs, old, exclude=items)
    assert new is not None and new.verified and new.kind == "open" and new.id not in {i.id for i in items}
    assert not dedupe([*items, new])[1]
    mcq = next(i for i in items if i.kind == "mcq")
    assert regenerate_one(docs, mcq, exclude=items).kind == "mcq"

    typed = ("thời hạn niêm yết do cộng đồng dân cư quyết định  nhưng không ít hơn 30 (ba mươi) ngày, "
             "kể từ ngày niêm yết")  # other case and spacing than the document
    mine = manual_item(docs, decree.id, "Thời hạn niêm yết dự thảo hương ước tối thiểu là bao lâu?",
                       "Không ít hơn 30 ngày kể từ ngày niêm yết.", typed)
    assert mine.verified and mine.origin == "manual"
    assert mine.sources[0].quote == decree.text[mine.sources[0].start:mine.sources[0].end]
    assert mine.sources[0].heading.endswith("Điều 9 › khoản 1")
    wrong = manual_item(docs, decree.id, "Thời hạn?", "Không ít hơn 10 ngày.", typed)
    assert "numbers_not_in_quote" in wrong.flags

    edited = mine.edited(answer="Không ít hơn 30 (ba mươi) ngày.")
    assert not edited.checked and not edited.verified
    assert recheck(edited, docs).verified
    back = QAItem.from_dict(json.loads(json.dumps(edited.to_dict())))
    assert back == edited


# --- Exports ---------------------------------------------------------------------------------------------------------


def test_exports_open_and_load_as_test_sets(decree: Document, decree_set, tmp_path: Path) -> None:
    import docx
    import openpyxl

    items = generate([decree], [decree.id], count=24)
    opens = [i for i in items if i.kind == "open"]
    mcqs = [i for i in items if i.kind == "mcq"]
    paths = {fmt: tmp_path / f"set.{fmt}" for fmt in ("docx", "xlsx", "csv", "jsonl")}
    for fmt, path in paths.items():
        assert export(items, fmt, path, title="Ôn tập Nghị định 61").written == len(items)

    tests = load_testset(paths["jsonl"])  # a reviewed set is a test set in one step
    assert [t.id for t in tests] == [i.id for i in items]
    for t in tests:
        assert t.answerable and t.sources
        for source in t.sources:
            start, end = locate(source, decree)
            assert end > start
    for fmt in ("csv", "xlsx"):  # the sheets load as the same test set
        assert load_testset(paths[fmt]) == tests
    loaded = {t.id: t for t in tests}
    mcq = mcqs[0]
    assert loaded[mcq.id].question.splitlines()[1:] == mcq.lettered_options()
    assert loaded[mcq.id].answer == f"{mcq.correct_letter}. {mcq.correct_option}"
    assert loaded[opens[0].id].answer == opens[0].answer
    assert [i.to_dict() for i in load_items(paths["jsonl"])] == [i.to_dict() for i in items]

    handout = docx.Document(str(paths["docx"]))
    text = "\n".join(p.text for p in handout.paragraphs)
    assert handout.core_properties.title == "Ôn tập Nghị định 61"
    assert "Phần I. Câu hỏi tự luận" in text and "Câu hỏi trắc nghiệm" in text
    key = text.index("Đáp án và nguồn trích dẫn")
    for item in items:
        assert item.question in text[:key]
    for option in mcq.lettered_options():
        assert option in text[:key]
    assert f"{mcq.correct_letter}. {mcq.correct_option}" in text[key:]
    assert opens[0].sources[0].quote in text[key:]
    assert len(handout.tables) == 1 and handout.tables[0].rows[1].cells[1].text in "ABCD"

    sheet = openpyxl.load_workbook(paths["xlsx"]).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("id", "question", "answer", "answerable", "sources", "tags")
    assert len(rows) == len(items) + 1
    header = list(rows[0])
    first_mcq = next(r for r in rows[1:] if r[0] == mcq.id)
    assert [first_mcq[header.index(c)] for c in "ABCD"] == mcq.options
    assert first_mcq[header.index("Đáp án đúng")] == mcq.correct_letter
    with open(paths["csv"], encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == len(items)


def test_testset_record_of_an_article_question_covers_the_article(decree: Document, decree_set) -> None:
    article = next(i for i in decree_set.items if i.rule == "article" and i.kind == "open")
    record = as_testset_record(article)
    assert record["sources"][0]["unit"] == "article"
    from bot.evaluation.testset import Source

    start, end = locate(Source(decree.id, record["sources"][0]["quote"], "article"), decree)
    assert decree.text[start:end].startswith(article.sources[0].quote) and end - start > len(article.sources[0].quote)


def test_fit_cuts_quotes_at_clause_boundaries() -> None:
    text = ("Sau khi tiếp nhận hồ sơ đề nghị công nhận hương ước, quy ước, công chức Văn hóa - Xã hội cấp xã chủ trì, "
            "phối hợp với công chức Tư pháp - Hộ tịch tham mưu trình Ủy ban nhân dân cấp xã ban hành quyết định công "
            "nhận trong thời hạn chậm nhất là 05 (năm) ngày làm việc, kể từ ngày nhận đủ hồ sơ đề nghị; "
            "trường hợp khác.")
    at = text.index("05 (năm)")
    s, e = fit(text, 0, len(text), 200, keep=(at, at + 20))
    assert e - s <= 200 and s <= at and at + 20 <= e
    assert not text[s:e].startswith("quy ước")  # not between the items of 'hương ước, quy ước'
