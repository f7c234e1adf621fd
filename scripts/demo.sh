#!/usr/bin/env bash
# The main job: install everything, then run a short autonomous research session on the bundled
# spot-single scenario with the embedded local model (SmolLM2-135M on a loopback llama.cpp
# server). Extra arguments go to `adrs run` (e.g. --iterations 10, --base-url URL --model NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec uv run --frozen adrs run spot-single --iterations 3 --hypotheses 2 "$@"
