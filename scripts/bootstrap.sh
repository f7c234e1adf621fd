#!/usr/bin/env bash
# Installs what ADRS needs into ./.venv from the lock file. Sourced by demo.sh and test.sh.
# Idempotent: a second run only checks. llama-cpp-python builds from source the first time
# (4 to 13 minutes on 2 cores), so every long step prints a line when it starts, one every
# 30 seconds while it runs (elapsed time, and what is being compiled), and one when it ends:
# a few lines per minute, readable in a terminal and in a CI log alike.
set -euo pipefail

# adrs_step LABEL COMMAND...: run COMMAND, reporting progress as described above.
adrs_step() {
  local label=$1 started=$SECONDS last=$SECONDS status=0 pid building
  shift
  echo "[adrs] ${label}"
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - last >= 30 )); then
      last=$SECONDS
      building=""
      if pgrep -f 'cmake|ninja|cc1plus' >/dev/null 2>&1; then
        building=": compiling llama.cpp (C++)"
      fi
      echo "[adrs]   still ${label%% (*} after $(( SECONDS - started ))s${building}"
    fi
  done
  wait "$pid" || status=$?
  if (( status != 0 )); then
    echo "[adrs] failed after $(( SECONDS - started ))s (exit ${status}): ${label}" >&2
    return "$status"
  fi
  echo "[adrs]   done in $(( SECONDS - started ))s"
}

if ! command -v uv >/dev/null 2>&1; then
  adrs_step "installing uv (package manager)" python3 -m pip install --quiet "uv==0.13.8"
fi
adrs_step "installing dependencies from uv.lock (the first run builds llama.cpp: 4-13 min)" \
  uv sync --frozen --all-extras --quiet
