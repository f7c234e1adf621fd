"""``adrs run`` / ``adrs resume`` as a user runs them: a real process against a loopback
OpenAI-compatible server answering as a scripted team (and misbehaving on request)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memory.store import open_store
from tests.support.adrs_process import (
    SECRET,
    adrs,
    evaluation_counts,
    evaluations_so_far,
    finish,
    team_server,
)
from tests.support.research_script import ResearchScript


def test_run_writes_best_and_keeps_the_key_out(tmp_path):
    with team_server(ResearchScript()) as server:
        code, out, err = finish(
            adrs(
                tmp_path,
                "run",
                "spot-single",
                "--iterations",
                "1",
                "--session",
                "cli",
                "--base-url",
                server.base_url,
                "--model",
                "team",
            )
        )
    assert code == 0, err
    assert (tmp_path / "sessions" / "cli" / "best.py").is_file()
    assert "champion" in out and "uniform_progress" in out
    assert_test_split_scored_once_after_the_search(tmp_path, "cli", out)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in out + err


def assert_test_split_scored_once_after_the_search(workspace: Path, name: str, out: str) -> None:
    """Only the final champion meets the test split, once, after the stop, and it is reported."""
    store = open_store(workspace)
    session = store.session_by_name(name)
    rows = store.db.execute(
        "SELECT program_id, score FROM evaluations WHERE split = 'test'"
    ).fetchall()
    assert [r[0] for r in rows] == [session.champion_program_id]
    stop = store.events(session.id, kind="stop", limit=10)[-1]
    final = store.events(session.id, kind="final_test", limit=10)
    assert len(final) == 1 and final[0].id > stop.id
    assert final[0].payload["score"] == pytest.approx(rows[0][1])
    header = next(line for line in out.splitlines() if "held-out" in line)
    assert "test" in header
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "adrs.cli.main",
            "--workspace",
            str(workspace),
            "sessions",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    (entry,) = json.loads(listed.stdout)["sessions"]
    assert entry["test_score"] == pytest.approx(rows[0][1])


def test_unreachable_endpoint_is_one_line(tmp_path):
    code, _out, err = finish(
        adrs(tmp_path, "run", "spot-single", "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    )
    assert code == 1
    assert err.strip().count("\n") == 0 and "cannot reach the model endpoint" in err
    assert open_store(tmp_path).list_sessions() == [], "a failed start left a session behind"


def test_kill_9_then_resume_loses_and_repeats_nothing(tmp_path):
    db = tmp_path / "adrs.db"
    with team_server(ResearchScript()) as server:
        proc = adrs(
            tmp_path,
            "run",
            "spot-single",
            "--iterations",
            "3",
            "--session",
            "k9",
            "--base-url",
            server.base_url,
            "--model",
            "team",
        )
        deadline = time.monotonic() + 600
        # Kill once the first candidates have been evaluated (seed has 3 evaluations).
        while time.monotonic() < deadline:
            if evaluations_so_far(db) >= 5:
                break
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        before, _ = evaluation_counts(db)
        store = open_store(tmp_path)
        assert store.session_by_name("k9").iterations < 3
        code, _out, err = finish(
            adrs(tmp_path, "resume", "k9", "--base-url", server.base_url, "--model", "team")
        )
    assert code == 0, err
    rows, distinct = evaluation_counts(db)
    assert rows == distinct, "an evaluation was stored twice"
    assert rows > before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = open_store(tmp_path)
    assert store.session_by_name("k9").iterations == 3
    assert store.session_by_name("k9").status == "finished"


def test_kill_9_with_lanes_in_flight_then_resume(tmp_path):
    """Three lanes, killed with candidates of several in flight: the resumed run finishes every
    claimed iteration once, evaluates nothing twice and judges every candidate once."""
    db = tmp_path / "adrs.db"
    flags = ("--base-url", "", "--model", "team", "--concurrency", "4")
    with team_server(ResearchScript()) as server:
        flags = (flags[0], server.base_url, *flags[2:])
        proc = adrs(
            tmp_path,
            "run",
            "spot-single",
            "--iterations",
            "6",
            "--session",
            "lanes9",
            "--lanes",
            "3",
            *flags,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and evaluations_so_far(db) < 8:
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(db) as conn:
            in_flight = conn.execute(
                "SELECT count(*) FROM rounds WHERE done_at IS NULL"
            ).fetchone()[0]
        assert in_flight >= 1
        code, _out, err = finish(adrs(tmp_path, "resume", "lanes9", *flags))
    assert code == 0, err
    rows, distinct = evaluation_counts(db)
    assert rows == distinct, "an evaluation was stored twice"
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT count(*), count(done_at), count(DISTINCT lane) FROM rounds"
        ).fetchone() == (6, 6, 3)
        judged = conn.execute(
            "SELECT program_id, count(*) FROM verdicts GROUP BY program_id"
        ).fetchall()
        pending = conn.execute(
            "SELECT count(*) FROM programs WHERE status IN ('pending', 'evaluated')"
        ).fetchone()[0]
    assert judged and all(n == 1 for _, n in judged), "a candidate was judged twice"
    assert pending == 0, "a candidate was left unjudged"
    session = open_store(tmp_path).session_by_name("lanes9")
    assert (session.iterations, session.status) == (6, "finished")


@pytest.mark.parametrize(
    "faults", [("429", "500", "hang", "truncated_json", "empty", "garbage_code", "truncated_body")]
)
def test_session_survives_a_misbehaving_server(tmp_path, faults):
    with team_server(ResearchScript()) as server:
        server.hang_s = 4.0
        server.script(*faults)
        code, _out, err = finish(
            adrs(
                tmp_path,
                "run",
                "spot-single",
                "--iterations",
                "2",
                "--session",
                "faulty",
                "--base-url",
                server.base_url,
                "--model",
                "team",
                "--timeout",
                "2",
            )
        )
    assert code == 0, err
    store = open_store(tmp_path)
    session = store.session_by_name("faulty")
    assert session.iterations == 2
    errors = [c.error for c in store.llm_calls(session.id, limit=1000) if c.error]
    assert len(errors) >= 3, errors  # 500, empty answer, truncated JSON at least
    # A rate limit slows the session down; it fails no call.
    assert not any("429" in e or "RateLimit" in e for e in errors)
    assert store.events(session.id, kind="rate_limited", limit=10)
    assert any("500" in e or "InternalServer" in e for e in errors)
    # A request that timed out, or whose answer was cut off, is asked again (agents.health):
    # a blip costs no call.
    assert not any("Timeout" in e or "timed out" in e for e in errors)


def test_full_disk_stops_in_one_line_and_resume_finishes(tmp_path):
    """A real full disk: a 24 MB tmpfs workspace (private mount namespace) filled mid-session."""
    report = tmp_path / "report.json"
    with team_server(ResearchScript()) as server:
        subprocess.run(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                sys.executable,
                "-m",
                "tests.support.full_disk",
                str(tmp_path / "ws"),
                str(report),
                server.base_url,
            ],
            cwd=Path(__file__).resolve().parents[2],
            check=True,
            timeout=1500,
        )
    facts = json.loads(report.read_text())
    run, resume = facts["run"], facts["resume"]
    assert run["code"] == 1, run["stderr"][-3000:]
    line = run["stderr"].strip().splitlines()[-1]
    assert line.startswith("adrs: the disk holding") and "is full" in line
    assert "adrs resume full" in line and "Traceback" not in run["stderr"]
    assert resume["code"] == 0, resume["stderr"][-3000:]
    assert facts["evaluations_after_stop"] >= facts["evaluations_before_fill"]  # nothing lost
    assert facts["evaluations"] == facts["distinct_evaluations"]  # none repeated
    assert facts["integrity"] == "ok"
    assert (facts["status"], facts["iterations"]) == ("finished", 4)


def test_disk_full_is_recognised_through_chained_errors():
    import errno

    from adrs.errors import is_disk_full

    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(sqlite3.OperationalError("database or disk is full"))
    try:
        try:
            raise OSError(errno.EDQUOT, "Disk quota exceeded")
        except OSError as inner:
            raise RuntimeError("checkpoint write failed") from inner
    except RuntimeError as outer:
        assert is_disk_full(outer)
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))
