#!/usr/bin/env bash
# Install everything (first run only) and start the app on corpus/ at http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python app.py "$@"
