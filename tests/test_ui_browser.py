"""The chat page in a real headless Chromium (Debian's), against `python -m bot serve` on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path):
    index_dir = tmp_path_factory.mktemp("ui") / "index"
    index_dir.mkdir()
    shutil.copy(embedding_cache, index_dir / "embedding_cache.sqlite")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update({"ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False"})
    log = open(index_dir.parent / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--corpus", str(tiny_corpus),
                                "--index", str(index_dir)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {(index_dir.parent / 'server.log').read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        process.kill()
        pytest.fail("server did not start in 180 s")
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def page(server: str):
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (test.sh installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(server)
        yield page
        browser.close()


def test_chat_answers_with_a_citation(page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    box = page.locator("textarea").last
    box.fill("Hương ước, quy ước là gì?")
    box.press("Enter")
    page.get_by_text("Nguồn trích dẫn").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    body = page.inner_text("body")
    assert "[1]" in body
    assert "Nghị định 61/2023/NĐ-CP › Điều 2" in body


def test_chat_refuses_off_topic(page) -> None:
    box = page.locator("textarea").last
    box.fill("Cho mình xin công thức nấu phở bò ngon với.")
    box.press("Enter")
    try:
        page.get_by_text("Tài liệu hiện có không đề cập đến nội dung này.").first.wait_for(timeout=60_000)
    finally:
        page.screenshot(path=str(ARTIFACTS / "refusal.png"), full_page=True)
