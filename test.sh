#!/usr/bin/env bash
# Install everything (first run only) and run the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --dev
# The browser tests drive Debian's Chromium, the OCR tests Tesseract; install them when we may (CI runs as root).
if { ! command -v chromium >/dev/null || ! command -v tesseract >/dev/null; } \
    && command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
    fonts-noto-color-emoji tesseract-ocr tesseract-ocr-vie) >/dev/null \
    || echo "warning: could not install chromium/tesseract; browser and OCR tests will be skipped"
fi
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests"
  exit 0
fi
exit $status
