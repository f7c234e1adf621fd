#!/usr/bin/env bash
# The static checks, fastest first: lint, format, the layer contract, types. `scripts/test.sh`
# runs them before the tests (so `.ci/run` does too); run this alone for a quick verdict.
# Expects the environment `scripts/bootstrap.sh` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "[adrs] check: $*"; uv run --frozen "$@"; }
run ruff check .
run ruff format --check .
run lint-imports
run mypy
