"""The evaluation tab in a real headless Chromium: admin only, a bad upload named by line and field, a run
with its metrics, charts, failing questions and ZIP report. Server and browser come from test_ui_browser."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from conftest import TINY_DECREE_61, TINY_LAW
from test_ui_browser import ADMIN_PASSWORD, ARTIFACTS, browser, open_tab, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

QUESTIONS = [  # quotes verbatim from the tiny corpus
    {"id": "e1", "question": "Hương ước, quy ước là gì?",
     "answer": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội.", "answerable": True,
     "sources": [{"doc": TINY_DECREE_61, "quote": "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội"}],
     "tags": ["definition"]},
    {"id": "e2", "question": "Cho mình xin công thức nấu phở bò ngon với.", "answer": "", "answerable": False,
     "sources": [], "tags": ["unanswerable"]},
    # Answerable on paper, but asked off-topic: the bot refuses, so the table has a failing question.
    {"id": "e3", "question": "Giá vé xem bóng đá tối nay bao nhiêu tiền?", "answer": "Luật quy định về phạm vi.",
     "answerable": True, "sources": [{"doc": TINY_LAW, "quote": "Luật này quy định về nội dung, cách thức thực hiện dân chủ ở cơ sở"}],
     "tags": []},
]


@pytest.fixture(scope="module")
def page(browser, server):  # noqa: F811
    """The page, watched for script errors from its first load."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(server["url"])
    page.locator("#hd-question textarea").wait_for(timeout=60_000)
    yield page
    context.close()


def upload(page, path: Path) -> None:
    """Put a file into the test-set upload box (clearing the one there) and wait until it is shown."""
    box = page.locator("#hd-eval-upload")
    if box.locator(".file-preview").count():
        box.locator("button.icon-button").last.click()  # the box's clear button
        box.locator(".file-preview").wait_for(state="detached", timeout=10_000)
    box.locator("input[type=file]").set_input_files(str(path))
    box.locator(f'.file-preview [aria-label="{path.name}"]').wait_for(timeout=20_000)


def test_eval_tab_needs_an_admin(page) -> None:
    open_tab(page, "Đánh giá")
    page.locator("#hd-eval-gate").get_by_text("Khu vực quản trị").wait_for(timeout=10_000)
    assert not page.locator("#hd-eval-run").is_visible()
    page.locator("#hd-login button.label-wrap").click()
    page.locator("#login-user textarea").fill("admin")
    page.locator("#login-password input").fill(ADMIN_PASSWORD)
    page.locator("#login-button").click()
    page.get_by_text("Đã đăng nhập:").wait_for(timeout=20_000)
    page.locator("#hd-eval-run").wait_for(timeout=20_000)
    page.locator("#hd-eval-testset input").click()
    page.get_by_role("option", name="testsets/seed.jsonl").wait_for(timeout=10_000)  # sets found under evals/
    page.keyboard.press("Escape")


def test_invalid_upload_names_line_and_field(page, tmp_path: Path) -> None:
    bad = tmp_path / "bo-cau-hoi-loi.jsonl"
    broken = {key: value for key, value in QUESTIONS[0].items() if key != "answer"}
    bad.write_text(json.dumps(QUESTIONS[1], ensure_ascii=False) + "\n" + json.dumps(broken, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    upload(page, bad)
    page.locator("#hd-eval-run").click()
    error = page.locator("#hd-eval-error")
    error.wait_for(timeout=30_000)
    assert "bo-cau-hoi-loi.jsonl, dòng 2: trường 'answer': bị thiếu" in error.inner_text()
    assert "Traceback" not in page.content()


def test_run_shows_metrics_charts_failures_and_report(page, server, tmp_path: Path) -> None:  # noqa: F811
    testset = tmp_path / "ba-cau.jsonl"
    testset.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    upload(page, testset)
    page.locator("#hd-eval-run").click()
    page.locator("#hd-eval-done").wait_for(timeout=120_000)
    page.locator("#hd-eval-charts img").nth(2).wait_for(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "evaluation.png"), full_page=True)
    assert "Đã đánh giá 3 câu của ba-cau.jsonl" in page.locator("#hd-eval-done").inner_text()
    metrics = page.locator("#hd-eval-metrics-table").inner_text()
    assert "Truy hồi" in metrics and "hit@5" in metrics and "Từ chối" in metrics and "ROUGE-L" in metrics
    failures = page.locator("#hd-eval-failures-table").inner_text()
    assert "e3" in failures and "Từ chối câu hỏi mà tài liệu có câu trả lời" in failures and TINY_LAW in failures
    assert "e1" not in failures.split() and "e2" not in failures.split()
    assert page.locator("#hd-eval-charts img").count() == 3

    with page.expect_download() as download:
        page.locator("#hd-eval-download").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = set(archive.namelist())
        report = json.loads(archive.read("report.json"))
    assert {"report.json", "report.md", "questions.csv", "metrics.png", "hit_at_k.png", "latency.png"} <= names
    assert report["n"] == 3 and report["refusal"]["false_refusals"] == 1
    runs = list((server["index"] / "eval-runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "report.json").is_file()
    assert page.errors == []
