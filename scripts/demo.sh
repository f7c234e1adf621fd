#!/usr/bin/env bash
# The main job: install everything, then run a short autonomous research session on the
# bundled spot-single scenario with the embedded local model.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec uv run --frozen adrs eval spot-single scenarios/spot_single/seed.py "$@"
