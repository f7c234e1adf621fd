"""``adrs --version`` and ``adrs --help`` answer at once: building the parser imports none of
the heavy packages the commands use (each import costs a noticeable part of a second, and they
add up to seconds). Checked on ``sys.modules`` in a fresh interpreter, never on time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Imported by commands when they run, never while the parser is built.
HEAVY = (
    "langgraph",
    "langchain_core",
    "langchain_openai",
    "openai",
    "numpy",
    "scipy",
    "rich",
    "httpx",
    "fastapi",
    "sqlite_utils",
    "pydantic",
)

PROBE = """
import contextlib, io, json, sys
from adrs.cli.main import build_parser, main
step = sys.argv[1]
if step == "build_parser":
    build_parser()
else:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main([step])
heavy = set(json.loads(sys.argv[2]))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


@pytest.mark.parametrize("step", ["build_parser", "--help", "--version"])
def test_the_parser_imports_no_heavy_package(step):
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, step, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == [], f"{step} imported heavy modules"
