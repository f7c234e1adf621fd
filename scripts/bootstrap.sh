#!/usr/bin/env bash
# Installs what ADRS needs into ./.venv from the lock file. Sourced by demo.sh and test.sh.
# Idempotent: a second run only checks. llama-cpp-python builds from source the first time
# (about 4 minutes on 2 cores).
set -euo pipefail
if ! command -v uv >/dev/null 2>&1; then
  echo "[adrs] installing uv (package manager)"
  python3 -m pip install --quiet "uv==0.13.8"
fi
echo "[adrs] installing dependencies from uv.lock (first run builds llama.cpp: ~4 min)"
uv sync --frozen --all-extras --quiet
