"""The web app's parts without a browser: safe upload names, the library over a real index, feedback,
password hashes, HTML escaping of document text, exports, and the HTTP API (login required)."""

from __future__ import annotations

import base64
import io
import json
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from bot.documents.model import Document
from bot.evaluation.testset import parse_item
from bot.feedback import FeedbackStore
from bot.indexing import library
from bot.indexing.index import open_index
from bot.indexing.ingest import ingest
from bot.settings import Settings, UISettings
from bot.ui import auth
from bot.ui.chat import answer_events, history_of, text_steps
from bot.ui.export import conversation_docx, conversation_markdown
from bot.ui.render import answer_html, citation_label, document_html, passage_html, short_heading
from conftest import TINY_DECREE_61, make_pdf

EXTENSIONS = Settings().ingest.extensions
RESERVED = Settings().ingest.ignored_names
NEW_DOC = ("Quy chế tổ dân phố số 9 quy định mỗi hộ gia đình đóng góp quỹ khuyến học hai mươi nghìn đồng mỗi tháng.")
NEW_QUESTION = "Theo quy chế tổ dân phố số 9, mỗi hộ gia đình đóng góp quỹ khuyến học bao nhiêu?"


# --- Upload names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/tmp/abs/Báo cáo quý 1.PDF", "Báo_cáo_quý_1.pdf"),
    ("C:\\Users\\cb\\tai lieu.docx", "tai_lieu.docx"),
    ("evil\u202egnp.txt", "evilgnp.txt"),  # a right-to-left override that would disguise the name
    ("a\x00b\x1fc.md", "abc.md"),
    ("zero\u200bwidth.html", "zerowidth.html"),
    (".hidden.txt", "hidden.txt"),
    ("..pdf", "tai-lieu.pdf"),
    ("README.md", "tai-lieu-README.md"),  # folder notes are never indexed
    ("trang <thu> & 'x'.htm", "trang_thu_x.htm"),
    ("Quye\u0302\u0301t đi\u0323nh.txt", "Quyết_định.txt"),  # NFD in, NFC out
])
def test_safe_filename(name: str, expected: str) -> None:
    result = library.safe_filename(name, EXTENSIONS, RESERVED)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)
    assert "/" not in result and "\\" not in result and not result.startswith(".")


def test_safe_filename_rejects_other_types_and_caps_length() -> None:
    for bad in ("virus.exe", "no-extension", "archive.tar.gz", "../"):
        with pytest.raises(library.LibraryError) as caught:
            library.safe_filename(bad, EXTENSIONS, RESERVED)
        assert "không thuộc loại được hỗ trợ" in caught.value.message_vi
    long = library.safe_filename("dài " * 200 + ".pdf", EXTENSIONS, RESERVED)
    assert len(long) <= library.MAX_NAME_CHARS and long.endswith(".pdf")


def test_document_path_stays_inside_the_corpus(tmp_path: Path) -> None:
    assert library.document_path(tmp_path, "a/b.txt") == (tmp_path / "a" / "b.txt").resolve()
    for bad in ("../x.txt", "/etc/passwd", "", "a/../../x.txt"):
        with pytest.raises(library.LibraryError):
            library.document_path(tmp_path, bad)


# --- The library over a real index ---------------------------------------------------------------


@pytest.fixture
def library_index(tmp_path: Path, tiny_corpus: Path, seeded_index_dir: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    settings = Settings().with_paths(corpus_dir=corpus, index_dir=seeded_index_dir)
    settings = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"max_file_mb": 0.02})})
    index = open_index(settings)
    ingest(index, corpus)
    return index


def _cites(index, question: str) -> set[str]:
    from bot.answering.pipeline import answer

    result = answer(question, None, settings=index.settings, index=index)
    return {c.doc for c in result.citations}


def test_upload_delete_reindex(library_index, tmp_path: Path) -> None:
    index = library_index
    corpus = Path(index.settings.corpus_dir)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    good = make_pdf(uploads / "good.pdf", [NEW_DOC], title="Quy chế tổ dân phố số 9")
    (uploads / "broken.pdf").write_bytes(b"%PDF-1.4\nnot a pdf at all")
    (uploads / "big.txt").write_text("dân vận " * 3000, encoding="utf-8")  # 30 KB > 0.02 MB
    (uploads / "empty.md").write_bytes(b"")
    (uploads / "tool.exe").write_bytes(b"MZ")
    steps: list[float] = []
    report = library.add_files(index, [
        ("../../Quy chế số 9.pdf", good), ("hỏng.pdf", uploads / "broken.pdf"), ("big.txt", uploads / "big.txt"),
        ("empty.md", uploads / "empty.md"), ("tool.exe", uploads / "tool.exe")],
        progress=lambda fraction, what: steps.append(fraction))

    by_name = {f.name: f for f in report.files}
    assert by_name["../../Quy chế số 9.pdf"].status == "added" and by_name["../../Quy chế số 9.pdf"].chunks >= 1
    assert by_name["../../Quy chế số 9.pdf"].doc_id == "Quy_chế_số_9.pdf"
    assert by_name["hỏng.pdf"].status == "failed" and "Không đọc được tệp" in by_name["hỏng.pdf"].message
    assert by_name["big.txt"].status == "rejected" and "quá lớn" in by_name["big.txt"].message
    assert by_name["empty.md"].status == "rejected" and "rỗng" in by_name["empty.md"].message
    assert by_name["tool.exe"].status == "rejected"
    assert (corpus / "Quy_chế_số_9.pdf").exists() and (corpus / "hỏng.pdf").exists()
    assert not (corpus / "big.txt").exists() and not (tmp_path / "Quy chế số 9.pdf").exists()
    assert not list(corpus.glob(".*uploading"))
    assert steps == sorted(steps) and steps[-1] == 1.0

    rows = {row.id: row for row in library.list_documents(index)}
    assert rows["Quy_chế_số_9.pdf"].status == "indexed" and rows["Quy_chế_số_9.pdf"].pages == 1
    assert rows["hỏng.pdf"].status == "failed" and "Không đọc được tệp" in rows["hỏng.pdf"].message
    assert "Quy_chế_số_9.pdf" in _cites(index, NEW_QUESTION)

    # The same file again is unchanged; a new version replaces it.
    again = library.add_files(index, [("Quy chế số 9.pdf", good)])
    assert again.files[0].status == "unchanged"
    newer = make_pdf(uploads / "newer.pdf", [NEW_DOC.replace("hai mươi", "ba mươi")], title="Quy chế tổ dân phố số 9")
    assert library.add_files(index, [("Quy chế số 9.pdf", newer)]).files[0].status == "updated"

    # Re-indexing a document rebuilds its chunks from the file.
    before = set(index.catalog.chunk_ids("Quy_chế_số_9.pdf"))
    reindexed = library.reindex_documents(index, ["Quy_chế_số_9.pdf"])
    assert reindexed.added == ["Quy_chế_số_9.pdf"] and set(index.catalog.chunk_ids("Quy_chế_số_9.pdf")) == before

    # Deleting removes the file, its chunks and its vectors; failed files can be deleted too.
    results = library.delete_documents(index, ["Quy_chế_số_9.pdf", "hỏng.pdf", "không-có.txt", "../x.txt"])
    assert results["Quy_chế_số_9.pdf"] == "" and results["hỏng.pdf"] == ""
    assert results["không-có.txt"] and results["../x.txt"]
    assert not (corpus / "Quy_chế_số_9.pdf").exists() and not (corpus / "hỏng.pdf").exists()
    assert not index.catalog.chunk_ids("Quy_chế_số_9.pdf") and not before & index.dense.all_ids()
    assert {row.id for row in library.list_documents(index)} == {p.name for p in corpus.iterdir()}
    assert "Quy_chế_số_9.pdf" not in _cites(index, NEW_QUESTION)


# --- Feedback ------------------------------------------------------------------------------------


def test_feedback_store_csv_and_testset_line(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "index" / "feedback.sqlite")
    sources = [{"n": 1, "doc": "nd61.txt", "title": "Nghị định 61", "heading": "Nghị định 61/2023/NĐ-CP › Điều 2",
                "page": None, "quote": "Hương ước…", "start": 0, "end": 9}]
    first = store.record(answer_id="a1", rating=1, question="Hương ước là gì?", answer="Hương ước là … [1]",
                         refused=False, sources=sources, backend="extractive")
    assert store.record(answer_id="a1", rating=-1, question="Hương ước là gì?", answer="Hương ước là … [1]",
                        refused=False, sources=sources, backend="extractive") == first  # changed mind: one row
    second = store.record(answer_id="a2", rating=-1, question="Phở bò nấu thế nào?", refused=True,
                          answer="Tài liệu hiện có không đề cập đến nội dung này.", sources=[], backend="llamacpp",
                          history=[{"role": "user", "content": "Chào"}, {"role": "assistant", "content": "Chào bạn"}])
    store.set_comment(second, "Tài liệu có nói về việc này ở Điều 5")
    assert [r["rating"] for r in store.rows()] == [-1, -1]
    assert store.get(second)["comment"] == "Tài liệu có nói về việc này ở Điều 5"

    text = store.export_csv(tmp_path / "gop-y.csv")
    assert text.startswith("\ufeff") and "Nghị định 61/2023/NĐ-CP › Điều 2" in text and "👎" in text
    assert (tmp_path / "gop-y.csv").read_bytes().decode("utf-8") == text

    record = store.testset_record(first)
    assert record == {"id": f"feedback-{first}", "question": "Hương ước là gì?", "answer": "", "answerable": False,
                      "sources": [], "tags": ["feedback"]}
    parse_item(record, "feedback")  # a valid test-set line as it is
    refused = store.testset_record(second)
    assert refused["answerable"] is True and refused["history"][0]["content"] == "Chào"  # reviewers add sources

    path = tmp_path / "feedback_testset.jsonl"
    store.add_to_testset(first, path)
    store.add_to_testset(first, path)
    store.add_to_testset(second, path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [f"feedback-{first}", f"feedback-{second}"]
    assert store.get(first)["in_testset"]
    with sqlite3.connect(tmp_path / "index" / "feedback.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 2


# --- Accounts ------------------------------------------------------------------------------------


def test_password_hashes_and_accounts() -> None:
    hashed = auth.hash_password("mật khẩu dài 123")
    assert hashed.startswith("scrypt$") and auth.verify_password("mật khẩu dài 123", hashed)
    assert not auth.verify_password("mật khẩu dài 124", hashed)
    assert hashed != auth.hash_password("mật khẩu dài 123")  # salted
    pbkdf2 = auth.hash_password_pbkdf2("abcdefgh", iterations=1000)
    assert auth.verify_password("abcdefgh", pbkdf2) and not auth.verify_password("abcdefgX", pbkdf2)
    for broken in ("", "plain", "scrypt$x$y", "pbkdf2_sha256$1$!!$??", "md5$abc"):
        assert not auth.verify_password("abcdefgh", broken)

    ui = UISettings(admins={"admin": hashed}, users={"canbo": pbkdf2})
    assert auth.authenticate(ui, " admin ", "mật khẩu dài 123") == auth.Account("admin", True)
    assert auth.authenticate(ui, "canbo", "abcdefgh") == auth.Account("canbo", False)
    assert auth.authenticate(ui, "canbo", "mật khẩu dài 123") is None
    assert auth.authenticate(ui, "ai-đó", "abcdefgh") is None
    assert auth.can_chat(UISettings(), None) and not auth.can_chat(UISettings(require_login_for_chat=True), None)
    assert auth.can_chat(UISettings(require_login_for_chat=True), {"user": "canbo", "admin": False})
    assert auth.is_admin({"user": "admin", "admin": True}) and not auth.is_admin({"user": "canbo", "admin": False})


def test_hash_command(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("một mật khẩu đủ dài\n"))
    assert auth.main(["hash", "--password-stdin", "--user", "quantri"]) == 0
    out, err = capsys.readouterr()
    assert auth.verify_password("một mật khẩu đủ dài", out.strip())
    assert "BOT_UI__ADMINS" in err and "quantri" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("ngắn\n"))
    assert auth.main(["hash", "--password-stdin"]) == 1


def test_admins_from_the_environment(monkeypatch) -> None:
    hashed = auth.hash_password("mat-khau-moi-truong")
    monkeypatch.setenv("BOT_UI__ADMINS", json.dumps({"admin": hashed}))
    monkeypatch.setenv("BOT_UI__REQUIRE_LOGIN_FOR_CHAT", "true")
    ui = Settings().ui
    assert ui.require_login_for_chat and auth.authenticate(ui, "admin", "mat-khau-moi-truong").admin


# --- HTML: escaping, chips, passage viewer --------------------------------------------------------


HOSTILE = Document(
    id="trang.html", title="Trang <b>thử</b>", type="html", sha256="x",
    text="Mở đầu.\n<script>alert('x')</script> Điều 2. Hương ước là <i>văn bản</i> của cộng đồng.\nKết thúc & hết.",
    meta={"number": "61/2023/NĐ-CP", "issued": "16/08/2023", "issuer": "Chính phủ"})


def _citation(doc: Document, quote: str, n: int = 1, **extra) -> dict:
    start = doc.text.index(quote)
    return {"n": n, "doc": doc.id, "title": doc.title, "page": None, "heading": "", "quote": quote, "start": start,
            "end": start + len(quote), **extra}


def test_passage_and_document_are_escaped_and_highlighted() -> None:
    citation = _citation(HOSTILE, "Hương ước là <i>văn bản</i> của cộng đồng.",
                         heading="Nghị định 61/2023/NĐ-CP › Chương I › Điều 2")
    html = passage_html(HOSTILE, citation, context_chars=60)
    assert "<script>" not in html and "<i>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "Trang &lt;b&gt;thử&lt;/b&gt;" in html
    assert '<mark class="hd-mark" id="hd-mark">Hương ước là &lt;i&gt;văn bản&lt;/i&gt; của cộng đồng.</mark>' in html
    assert "Số hiệu: 61/2023/NĐ-CP" in html and "Ngày ban hành: 16/08/2023" in html and "Chính phủ" in html
    full = document_html(HOSTILE, citation)
    assert "Kết thúc &amp; hết." in full and "Mở đầu." in full and full.count("<mark") == 1
    moved = dict(citation, start=0, end=5)  # the document changed after the answer: found again by the quote
    assert "<mark class=\"hd-mark\" id=\"hd-mark\">Hương ước là" in passage_html(HOSTILE, moved)
    gone = passage_html(None, citation)
    assert "không còn trong thư viện" in gone and "&lt;i&gt;" in gone


def test_answer_message_has_numbered_chips_backend_and_fallback() -> None:
    citation = _citation(HOSTILE, "Hương ước là <i>văn bản</i> của cộng đồng.",
                         heading="Nghị định 61/2023/NĐ-CP › Chương I › Mục 2 › Điều 2 › khoản 1")
    pdf = dict(_citation(HOSTILE, "Kết thúc & hết.", n=2), page=3, title="Quy chế <họp>")
    record = {"id": "a0123456789ab", "question": "q", "rating": -1, "answer": {
        "answer": "Hương ước là <i>văn bản</i>. [1] Xem thêm [2] và [7].", "refused": False,
        "citations": [citation, pdf], "backend": "extractive",
        "fallback_reason": "Không có tệp mô hình <models/x.gguf>."}}
    html = answer_html(record)
    assert "\n" not in html and "<i>" not in html and "&lt;i&gt;" in html
    assert html.count('class="hd-chip"') == 2 and 'href="#hd-cite-a0123456789ab-1"' in html
    assert "Nghị định 61/2023/NĐ-CP › Điều 2 › khoản 1" in html  # Chương/Mục left out of the chip
    assert "Quy chế &lt;họp&gt;, trang 3" in html and "[7]" in html and "#hd-cite-a0123456789ab-7" not in html
    assert "Trả lời bởi: trích nguyên văn" in html and "Chế độ dự phòng" in html and "&lt;models/x.gguf&gt;" in html
    assert 'hd-dislike hd-on' in html and "Nguồn trích dẫn" in html
    assert "hd-caution" not in html
    cautioned = answer_html({**record, "answer": {**record["answer"], "caution": "Có thể <không> trả lời trực tiếp."}})
    assert '<div class="hd-caution">⚠️ Có thể &lt;không&gt; trả lời trực tiếp.</div>' in cautioned
    assert cautioned.index("hd-caution") < cautioned.index("hd-text")  # read before the answer
    assert short_heading("Luật 10/2022/QH15 › Chương II") == "Luật 10/2022/QH15 › Chương II"
    assert citation_label({"n": 1, "doc": "x.txt", "title": "Bài báo", "heading": "", "page": None}) == "Bài báo"


def test_stream_steps_and_history() -> None:
    text = "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội. [1]"
    steps = text_steps(text, 10)
    assert steps[-1] == text and len(steps) > 3 and all(b.startswith(a) for a, b in zip(steps, steps[1:]))
    records = [{"question": "A?", "answer": {"answer": "Trả lời A."}}]
    assert history_of(records) == [{"role": "user", "content": "A?"}, {"role": "assistant", "content": "Trả lời A."}]


def test_answer_events_stream_model_drafts_or_the_finished_text(monkeypatch) -> None:
    from bot.answering import pipeline
    from bot.answering.types import Answer, Citation

    final = Answer("Hương ước là văn bản của cộng đồng dân cư. [1]", refused=False, backend="llamacpp", citations=[
        Citation(1, "nd61.txt", "Nghị định 61", None, "Nghị định 61/2023/NĐ-CP › Điều 2", "Hương ước là …", 0, 12)])
    seen: list = []

    def fake_stream(question, history, settings=None, index=None):
        seen.append((question, history))
        yield "Hương ước <là> "
        yield "văn bản [1]"
        yield final

    monkeypatch.setattr(pipeline, "answer_stream", fake_stream)
    turns = [{"id": "a0", "question": "Trước?", "answer": {"answer": "Trả lời trước."}, "rating": None}]
    events = list(answer_events("Hương ước là gì?", turns, Settings(), None, min_interval_s=0, step_pause_s=0))
    assert seen == [("Hương ước là gì?", history_of(turns))]
    drafts = [html for kind, html in events if kind == "draft"]
    assert len(drafts) == 2 and "đang kiểm chứng" in drafts[-1] and "&lt;là&gt;" in drafts[-1]
    kind, record = events[-1]
    assert kind == "done" and record["answer"]["backend"] == "llamacpp" and record["answer"]["citations"][0]["n"] == 1
    assert record["question"] == "Hương ước là gì?" and record["id"].startswith("a") and len(record["id"]) == 13

    # Without answer_stream (or for an answer that comes whole) the finished text is shown in steps.
    monkeypatch.delattr(pipeline, "answer_stream")
    monkeypatch.setattr(pipeline, "answer", lambda question, history, settings=None, index=None: final)
    events = list(answer_events("Hương ước là gì?", [], Settings(), None, min_interval_s=0, step_pause_s=0))
    drafts = [html for kind, html in events if kind == "draft"]
    assert len(drafts) >= 2 and "Đang soạn" in drafts[0] and events[-1][0] == "done"


# --- Exports -------------------------------------------------------------------------------------


def test_conversation_exports(tmp_path: Path) -> None:
    import docx

    citation = _citation(HOSTILE, "Hương ước là <i>văn bản</i> của cộng đồng.", heading="Nghị định 61/2023/NĐ-CP › Điều 2")
    records = [{"id": "a1", "question": "Hương ước là gì?", "rating": None, "answer": {
        "answer": "Hương ước là văn bản của cộng đồng. [1]", "refused": False, "citations": [citation],
        "backend": "extractive", "fallback_reason": ""}},
        {"id": "a3", "question": "Thủ tục ly hôn?", "rating": None, "answer": {
            "answer": "Hương ước là văn bản của cộng đồng. [1]", "refused": False, "citations": [citation],
            "backend": "extractive", "fallback_reason": "", "caution": "Tài liệu có thể không trả lời trực tiếp."}},
        {"id": "a2", "question": "Phở bò?", "rating": None, "answer": {
            "answer": "Tài liệu hiện có không đề cập đến nội dung này.", "refused": True, "citations": [],
            "backend": "extractive", "fallback_reason": ""}}]
    md = conversation_markdown(records)
    assert "## 1. Hương ước là gì?" in md and "## 3. Phở bò?" in md
    assert md.count("*Tài liệu có thể không trả lời trực tiếp.*") == 1
    assert "[1] Trang <b>thử</b> — Nghị định 61/2023/NĐ-CP › Điều 2 (tệp: trang.html)" in md
    assert "> Hương ước là <i>văn bản</i> của cộng đồng." in md
    path = conversation_docx(records, tmp_path / "hoi-dap.docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Hương ước là gì?" in text and "Hương ước là <i>văn bản</i> của cộng đồng." in text
    assert "Nguồn trích dẫn" in text and "Tài liệu hiện có không đề cập" in text
    assert text.count("Tài liệu có thể không trả lời trực tiếp.") == 1


# --- HTTP API with login required ----------------------------------------------------------------


def test_api_requires_login_when_chat_does(tiny_index, tiny_settings) -> None:
    from fastapi.testclient import TestClient

    from bot.ui.app import build_app

    ui = UISettings(require_login_for_chat=True, users={"canbo": auth.hash_password_pbkdf2("mat-khau-1", iterations=1000)})
    settings = tiny_settings.model_copy(update={"ui": ui})
    with TestClient(build_app(settings, tiny_index)) as client:
        health = client.get("/api/health").json()
        assert health["status"] == "ok" and health["documents"] == 3 and health["require_login_for_chat"]
        question = {"question": "Hương ước, quy ước là gì?"}
        denied = client.post("/api/ask", json=question)
        assert denied.status_code == 401 and "Cần đăng nhập" in denied.json()["detail"]
        assert client.post("/api/ask", json=question, auth=("canbo", "sai")).status_code == 401
        ok = client.post("/api/ask", json=question, auth=("canbo", "mat-khau-1"))
        assert ok.status_code == 200 and ok.json()["citations"][0]["doc"] == TINY_DECREE_61
        bad = client.post("/api/ask", json={**question, "backend": "gpt-9"}, auth=("canbo", "mat-khau-1"))
        assert bad.status_code == 400 and "Chế độ trả lời không hợp lệ" in bad.json()["detail"]
        missing = client.post("/api/ask", json={"history": []}, auth=("canbo", "mat-khau-1"))
        assert missing.status_code == 422 and "question" in missing.json()["detail"]
        page = client.get("/")
        assert page.status_code == 200 and "Hỏi đáp Dân vận" in page.text
        assert "/ask" not in client.get("/gradio_api/info").json().get("named_endpoints", {})
        credentials = base64.b64encode(b"canbo:mat-khau-1").decode()
        assert client.get("/api/health", headers={"Authorization": f"Basic {credentials}"}).status_code == 200


def test_api_rate_limit_and_long_questions(tiny_index, tiny_settings) -> None:
    from fastapi.testclient import TestClient

    from bot.ui.app import build_app

    settings = tiny_settings.model_copy(update={"ui": UISettings(rate_limit="3/minute")})
    with TestClient(build_app(settings, tiny_index)) as client:
        long = client.post("/api/ask", json={"question": "Hương ước là gì? " * 600})
        assert long.status_code == 200 and long.json()["refused"] and "vượt giới hạn" in long.json()["answer"]
        for _ in range(2):
            assert client.post("/api/ask", json={"question": "Hương ước, quy ước là gì?"}).status_code == 200
        limited = client.post("/api/ask", json={"question": "Hương ước, quy ước là gì?"})
        assert limited.status_code == 429 and "quá nhiều câu hỏi" in limited.json()["detail"]
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert client.get("/api/health").status_code == 200  # only questions count


@pytest.mark.parametrize(("rule", "allowed"), [("2/minute", 2), ("5/hour", 5), (None, 50)])
def test_rate_limiter_counts_per_client(rule: str | None, allowed: int) -> None:
    from bot.ui.ratelimit import RateLimiter

    limiter = RateLimiter(rule)
    waits = [limiter.wait_seconds("10.0.0.1") for _ in range(allowed)]
    assert waits == [0] * allowed
    if rule:
        assert limiter.wait_seconds("10.0.0.1") > 0
        assert "giây" in limiter.message(limiter.wait_seconds("10.0.0.1"))
    assert limiter.wait_seconds("10.0.0.2") == 0  # another client has its own budget
