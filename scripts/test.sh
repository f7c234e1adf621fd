#!/usr/bin/env bash
# The test command: installs everything the tests need (Python packages from the lock file,
# Debian's chromium for the dashboard test), runs the static checks (lint, format, layer
# contract, types: scripts/check.sh), then the whole suite. `.ci/run` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
if ! command -v chromium >/dev/null 2>&1; then
  adrs_step "installing chromium for the browser test (Debian package)" bash -c \
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null' \
    || echo "[adrs] could not install chromium; the browser test will fail"
fi
bash scripts/check.sh
exec uv run --frozen pytest "$@"
