"""Text for scanned PDFs: Tesseract OCR on the page images, when the admin turns it on.

Off by default (``ingest.ocr_language``): OCR is slow (seconds a page) and needs Debian's
``tesseract-ocr`` with the language data (``tesseract-ocr-vie``), which not every machine has.
Scans embed one image per page, so pypdf's page images are enough; nothing is rendered.
"""

from __future__ import annotations

import logging
import shutil

log = logging.getLogger(__name__)


class OcrUnavailable(Exception):
    """Tesseract or its language data is missing; the message names what to install."""


def check_ocr(language: str) -> None:
    """Raise OcrUnavailable unless the tesseract binary and every '+'-joined language are installed."""
    if shutil.which("tesseract") is None:
        raise OcrUnavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)")
    import pytesseract

    installed = set(pytesseract.get_languages(config=""))
    missing = [lang for lang in language.split("+") if lang not in installed]
    if missing:
        raise OcrUnavailable(f"tesseract has no language data for {', '.join(missing)} "
                             f"(apt-get install {' '.join('tesseract-ocr-' + m for m in missing)})")


def ocr_pages(reader, language: str) -> list[str]:
    """One OCR text per page of a pypdf ``PdfReader`` (pages without images give '')."""
    import pytesseract

    check_ocr(language)
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append("\n".join(pytesseract.image_to_string(image.image, lang=language) for image in page.images))
        except pytesseract.TesseractError as exc:
            raise OcrUnavailable(f"tesseract failed on page {number}: {exc}") from exc
        log.info("OCR page %d: %d characters", number, len(texts[-1]))
    return texts
