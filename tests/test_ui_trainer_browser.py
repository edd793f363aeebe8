"""The "Soạn câu hỏi" tab in a real headless Chromium, against `python -m bot serve` over the tiny corpus.

The server and browser fixtures are those of test_ui_browser.py (its own server for this module). One
review session, in order: pick a document and sections, generate, edit an answer and recheck it (the
verifier flags it), delete one, regenerate one, add one by hand, approve, export XLSX and read it back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.trainer.export import TABLE_COLUMNS
from bot.ui.trainer import COL
from conftest import TINY_DECREE_61
from test_ui_browser import ARTIFACTS, browser, open_tab, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

MANUAL_QUESTION = "Hương ước, quy ước do cơ quan nào công nhận?"
UNSUPPORTED_ANSWER = "Quốc hội ban hành hương ước hằng năm."


@pytest.fixture(scope="module")
def page(browser, server):  # noqa: F811 - the imported fixtures
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.goto(server["url"])
    page.locator("#hd-question textarea").wait_for(timeout=60_000)
    open_tab(page, "Soạn câu hỏi")
    page.locator("#hd-tr-generate").wait_for(timeout=20_000)
    yield page
    context.close()


def cell(page, row: int, column: str):
    return page.locator(f'#hd-tr-table [data-testid="cell-{row}-{COL[column]}"]')


def column(page, name: str) -> list[str]:
    cells = page.locator(f'#hd-tr-table [role="gridcell"][data-col="{COL[name]}"]')
    return [cells.nth(i).inner_text().strip() for i in range(cells.count())]


def wait_status(page, text: str, timeout: float = 30_000) -> str:
    status = page.locator("#hd-tr-status", has_text=text)
    status.wait_for(timeout=timeout)
    return status.inner_text()


def edit(page, row: int, name: str, value: str) -> None:
    target = cell(page, row, name)
    target.dblclick()
    box = target.locator("textarea")
    box.fill(value)
    box.press("Enter")


def tick(page, row: int, name: str) -> None:
    box = cell(page, row, name).locator("input[type=checkbox]")
    box.click()
    assert box.is_checked()


def pick(page, dropdown: str, option: str) -> None:
    """Choose an option of a (multiselect) dropdown by typing to filter it."""
    field = page.locator(f"#{dropdown} input")
    field.click()
    field.fill(option)
    page.get_by_role("option", name=option).first.click()
    field.press("Escape")
    field.blur()


def test_generate_review_and_export(page, server, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    import openpyxl

    pick(page, "hd-tr-docs", TINY_DECREE_61)
    pick(page, "hd-tr-scope", "Điều 2. Hương ước, quy ước")
    pick(page, "hd-tr-scope", "Điều 3. Mục đích")
    page.locator("#hd-tr-count input").fill("4")
    page.locator("#hd-tr-generate").click()
    text = wait_status(page, "Đã chọn 4 câu hỏi", timeout=60_000)
    assert "bộ kiểm chứng trích dẫn" in text
    ids = column(page, "Mã")
    assert len(ids) == 4 and any(i.startswith("tn-") for i in ids) and any(i.startswith("tl-") for i in ids)
    for source in column(page, "Nguồn"):
        assert source.startswith(f"{TINY_DECREE_61} — Nghị định 61/2023/NĐ-CP › Điều ")
    assert all(column(page, "Trích dẫn")) and all(s.startswith("✅ Đạt") for s in column(page, "Kiểm chứng"))
    page.screenshot(path=str(ARTIFACTS / "trainer.png"), full_page=True)

    # An edited answer is checked again: one the quote does not support is flagged, with the reason.
    edit(page, 0, "Đáp án", UNSUPPORTED_ANSWER)
    page.locator("#hd-tr-recheck").click()
    wait_status(page, "Đã kiểm tra lại 1 câu: 0 câu đạt, 1 câu chưa đạt")
    assert cell(page, 0, "Đáp án").inner_text().strip() == UNSUPPORTED_ANSWER
    assert cell(page, 0, "Kiểm chứng").inner_text().startswith("⚠️ Đáp án không được trích dẫn hỗ trợ")
    flagged_id = ids[0]

    # Delete one, regenerate another.
    tick(page, 2, "Chọn")
    page.locator("#hd-tr-delete").click()
    wait_status(page, "Đã xóa 1 câu hỏi; còn 3 câu.")
    assert column(page, "Mã") == [ids[0], ids[1], ids[3]]
    tick(page, 1, "Chọn")
    page.locator("#hd-tr-regenerate").click()
    wait_status(page, "Đã tạo lại 1 câu hỏi.")
    now = column(page, "Mã")
    assert len(now) == 3 and now[1] not in ids and now[0] == ids[0]
    assert cell(page, 1, "Kiểm chứng").inner_text().startswith("✅ Đạt")

    # A question by hand: the typed quote (other spacing) is found in the document and checked.
    page.locator("#hd-tr-manual button.label-wrap").click()
    page.locator("#hd-tr-m-question textarea").wait_for(timeout=10_000)
    assert TINY_DECREE_61 in page.locator("#hd-tr-m-doc input").input_value()  # the chosen document
    page.locator("#hd-tr-m-question textarea").fill(MANUAL_QUESTION)
    page.locator("#hd-tr-m-answer textarea").fill("Ủy ban nhân dân cấp xã công nhận.")
    page.locator("#hd-tr-m-quote textarea").fill("được Ủy ban nhân dân cấp xã  công nhận")
    page.locator("#hd-tr-add").click()
    wait_status(page, "Đã thêm câu hỏi; câu hỏi đạt kiểm chứng.")
    assert column(page, "Câu hỏi")[-1] == MANUAL_QUESTION and len(column(page, "Mã")) == 4
    assert page.locator("#hd-tr-m-question textarea").input_value() == ""
    assert "Nghị định 61/2023/NĐ-CP › Điều 2" in column(page, "Nguồn")[-1]

    # Approve: every verified one, and by hand the flagged one too, which the export still leaves out.
    page.locator("#hd-tr-approve-all").click()
    wait_status(page, "Đã duyệt 3 câu đạt kiểm chứng.")
    tick(page, 0, "Duyệt")
    page.locator("#hd-tr-format").get_by_text("XLSX").click()
    page.locator("#hd-tr-export").click()
    text = wait_status(page, "Đã ghi 3 câu hỏi")
    assert "Bỏ qua 1 câu chưa đạt kiểm chứng." in text and ".xlsx" in text
    with page.expect_download() as download:
        page.locator("#hd-tr-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / "bo-cau-hoi.xlsx"
    download.value.save_as(path)
    page.screenshot(path=str(ARTIFACTS / "trainer-export.png"), full_page=True)

    sheet = openpyxl.load_workbook(path).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == TABLE_COLUMNS and len(rows) == 4
    records = [dict(zip(TABLE_COLUMNS, r)) for r in rows[1:]]
    assert {r["id"] for r in records} == set(column(page, "Mã")) - {flagged_id}
    assert all(r["Kiểm chứng"] == "đạt" and r["Đã duyệt"] == "có" for r in records)
    assert MANUAL_QUESTION in [r["question"] for r in records]
    text = (server["corpus"] / TINY_DECREE_61).read_text(encoding="utf-8")
    for record in records:
        assert record["Trích dẫn"] and record["Trích dẫn"] in text
        assert UNSUPPORTED_ANSWER not in (record["answer"] or "")
