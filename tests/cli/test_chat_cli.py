"""``adrs chat`` piped (no terminal): one reply per line, directives stored, free text answered
by a real OpenAI-compatible HTTP server, no model started for commands alone."""

from __future__ import annotations

import os
import subprocess
import sys

from memory import open_store
from tests.support.fault_server import FaultServer


def adrs(workspace, *args: str, stdin: str = "", env: dict | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("ADRS_", "OPENAI_"))} | (
        env or {}
    )
    return subprocess.run(
        [sys.executable, "-m", "adrs.cli.main", "--workspace", str(workspace), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        check=False,
    )


def test_piped_commands_answer_line_by_line_without_a_model(sample):
    workspace, ids = sample
    done = adrs(
        workspace,
        "chat",
        "--session",
        "demo",
        stdin="/status\n\n/directive never idle more than 2 h\n/directives\n/quit\n/help\n",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "session demo (#1) on spot-single: finished"
    assert "d2 [active] never idle more than 2 h" in out
    assert "Commands (answered" not in done.stdout  # /quit stopped reading
    assert "embedded" not in done.stderr  # no server was started
    with open_store(workspace) as store:
        texts = [d.text for d in store.active_directives(ids["session"])]
    assert texts == ["never use price data", "never idle more than 2 h"]


def test_free_text_goes_to_the_configured_endpoint(sample):
    workspace, ids = sample
    with FaultServer(default="It read the trace's future.") as server:
        done = adrs(
            workspace,
            "chat",
            "--base-url",
            server.base_url,
            "--model",
            "m",
            stdin="why was #5 rejected?\n",
        )
        sent = server.chat_requests[0]["body"]["messages"]
    assert done.returncode == 0, done.stderr
    assert done.stdout == "It read the trace's future.\n"
    assert "causality" in sent[1]["content"]
    with open_store(workspace) as store:
        call = store.llm_calls(ids["session"], role="chat")[0]
    assert call.response == "It read the trace's future." and call.model == "m"


def test_unknown_session_is_a_one_line_usage_error(sample):
    done = adrs(sample[0], "chat", "--session", "nope", stdin="/status\n")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "adrs: no session 'nope' in this workspace: see `adrs sessions`"
    ]
