"""Drive a session into a really full disk, then free it and resume (run under ``unshare -m``).

The workspace is a small tmpfs mounted in a private mount namespace, so the mount dies with
this process and never touches the machine. Once the run has stored a few evaluations, a filler
file takes every free byte; the run must stop with one line on stderr. Then the filler goes, and
``adrs resume`` must finish the session. What happened is written as JSON to ``report`` (on the
real disk, outside the tmpfs).

    unshare --mount --propagation private python -m tests.support.full_disk \\
        WORKSPACE REPORT BASE_URL
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SESSION = "full"


def adrs(workspace: Path, *args: str, base_url: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "adrs.cli.main",
        "--workspace",
        str(workspace),
        *args,
        "--base-url",
        base_url,
        "--model",
        "team",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


def evaluations(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM evaluations").fetchone()[0]
    except sqlite3.OperationalError:  # tables not there yet
        return 0


def fill(folder: Path) -> None:
    """Take every free byte of the file system holding ``folder``."""
    # Unbuffered: a buffered file would raise ENOSPC again when closed, outside the try.
    with open(folder / "filler", "wb", buffering=0) as handle:
        block = b"\0" * (1 << 16)
        try:
            while True:
                handle.write(block)
        except OSError:
            pass
    small = 1 << 12
    while small:  # the last partial blocks
        try:
            with open(folder / "filler", "ab", buffering=0) as handle:
                handle.write(b"\0" * small)
        except OSError:
            small //= 2


def main(workspace: Path, report: Path, base_url: str) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(workspace)], check=True)
    db = workspace / "adrs.db"
    env = {**os.environ, "ADRS_PROGRESS": "quiet"}
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adrs.cli.main",
            "--workspace",
            str(workspace),
            "run",
            "spot-single",
            "--iterations",
            "4",
            "--session",
            SESSION,
            "--base-url",
            base_url,
            "--model",
            "team",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600
    while evaluations(db) < 5 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    before_fill = evaluations(db)
    fill(workspace)
    out, err = run.communicate(timeout=900)
    (workspace / "filler").unlink()
    after_stop = evaluations(db)
    resumed = adrs(workspace, "resume", SESSION, base_url=base_url)
    with sqlite3.connect(db) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM evaluations").fetchone()[0]
        distinct = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT program_id, split, stage FROM evaluations)"
        ).fetchone()[0]
        status, iterations = conn.execute(
            "SELECT status, iterations FROM sessions WHERE name = ?", [SESSION]
        ).fetchone()
    report.write_text(
        json.dumps(
            {
                "run": {"code": run.returncode, "stdout": out, "stderr": err},
                "resume": {
                    "code": resumed.returncode,
                    "stdout": resumed.stdout,
                    "stderr": resumed.stderr,
                },
                "evaluations_before_fill": before_fill,
                "evaluations_after_stop": after_stop,
                "evaluations": rows,
                "distinct_evaluations": distinct,
                "integrity": integrity,
                "status": status,
                "iterations": iterations,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
