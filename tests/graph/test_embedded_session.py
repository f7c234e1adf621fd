"""A real session against the embedded llama.cpp server (SmolLM2-135M), as ``adrs run`` starts
it when no endpoint is configured. The model is tiny and its code is usually invalid: the test
asserts the path works end to end and that every call is recorded with real token counts."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from memory.store import open_store


def llama_servers() -> set[str]:
    found = subprocess.run(
        ["pgrep", "-f", "llama_cpp.server"], capture_output=True, text=True, check=False
    )
    return set(found.stdout.split())


@pytest.mark.llm
def test_real_session_on_the_embedded_model(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("ADRS_BASE_URL", "OPENAI_BASE_URL", "ADRS_MODEL", "ADRS_API_KEY", "OPENAI_API_KEY")
    }
    before = llama_servers()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "adrs.cli.main",
            "--workspace",
            str(tmp_path),
            "run",
            "spot-single",
            "--iterations",
            "1",
            "-k",
            "1",
            "--session",
            "real",
            "--no-review",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "demonstration model" in proc.stderr
    assert re.search(r"starting the embedded model server .*: done in \d", proc.stderr)
    store = open_store(tmp_path)
    session = store.session_by_name("real")
    assert session.status == "finished" and session.iterations == 1
    calls = store.llm_calls(session.id, limit=100)
    assert calls, "no model call was recorded"
    answered = [c for c in calls if c.error is None]
    assert answered, [c.error for c in calls]
    assert all(c.input_tokens > 0 and c.output_tokens > 0 for c in answered)
    assert all(c.model == "SmolLM2-135M-Instruct" for c in calls)
    # The server the run started is gone with it.
    assert llama_servers() <= before
