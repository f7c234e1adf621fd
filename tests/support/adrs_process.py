"""``adrs`` as a separate process against a loopback OpenAI-compatible server answering as a
scripted team: the harness of the command-line session tests and the session integrity tests.
The API key is a known fake, so a test can check it was never written anywhere."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.fault_server import FaultServer
from tests.support.research_script import ResearchScript

SECRET = "sk-test-0123456789abcdef0123456789abcdef"


def team_server(script: ResearchScript) -> FaultServer:
    def answer(body: dict) -> str:
        return script("\n\n".join(str(m.get("content", "")) for m in body["messages"]))

    return FaultServer(default=answer)


def adrs(workspace: Path, *args: str, env_extra: dict | None = None, **kwargs):
    env = {
        **os.environ,
        "ADRS_API_KEY": SECRET,
        "ADRS_MAX_RETRIES": "0",
        "ADRS_PROGRESS": "quiet",
        **(env_extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "adrs.cli.main", "--workspace", str(workspace), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    )


def finish(proc: subprocess.Popen, timeout: float = 900) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def evaluations_so_far(db: Path) -> int:
    """Evaluations stored while the run is going (0 until its schema exists)."""
    try:
        return evaluation_counts(db)[0] if db.exists() else 0
    except sqlite3.OperationalError:  # the run is still creating its tables
        return 0


def evaluation_counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*) FROM evaluations").fetchone()[0]
        distinct = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT program_id, split, stage FROM evaluations)"
        ).fetchone()[0]
    return rows, distinct
