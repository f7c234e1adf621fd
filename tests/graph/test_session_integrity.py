"""Sessions that cannot be corrupted or misled: one live process per session, a resume that
reaches the models the session ran with, a dead endpoint that interrupts instead of "finishing".
Real ``adrs`` processes against a loopback OpenAI-compatible server answering as a team."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

from memory.store import open_store
from memory.vocabulary import EventKind
from tests.support.adrs_process import (
    adrs,
    evaluation_counts,
    evaluations_so_far,
    finish,
    team_server,
)
from tests.support.fault_server import FaultServer
from tests.support.research_script import ResearchScript


def wait_for(predicate, proc, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def session_row(db: Path, name: str) -> dict | None:
    try:
        with sqlite3.connect(db) as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM sessions WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:  # tables not created yet
        return None
    return dict(row) if row else None


def integrity_ok(db: Path) -> bool:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def held_team(script: ResearchScript, release: threading.Event) -> FaultServer:
    """A team whose answers wait for ``release``: the session stays live as long as a test
    needs, whatever the machine's speed."""

    def answer(body: dict) -> str:
        release.wait(300)
        return script("\n\n".join(str(m.get("content", "")) for m in body["messages"]))

    return FaultServer(default=answer)


def test_a_second_process_on_a_live_session_is_refused(tmp_path):
    """``adrs run X &`` then ``adrs resume X``: the second names the first and does nothing;
    the first finishes alone (no evaluation twice, one stop, one final test)."""
    db = tmp_path / "adrs.db"
    release = threading.Event()
    with held_team(ResearchScript(), release) as server:
        flags = ("--base-url", server.base_url, "--model", "team")
        first = adrs(
            tmp_path,
            "run",
            "spot-single",
            "--iterations",
            "3",
            "--lanes",
            "2",
            "--session",
            "busy",
            *flags,
        )
        try:
            wait_for(lambda: server.chat_requests, first)  # live, and waiting for its model
            code, _out, err = finish(adrs(tmp_path, "resume", "busy", *flags), timeout=120)
            assert code == 1, err
            assert err.strip().count("\n") == 0, err
            assert f"process {first.pid}" in err and "adrs resume busy" in err
            listed = json.loads(finish(adrs(tmp_path, "sessions", "--json"), timeout=60)[1])
            assert [s["status"] for s in listed["sessions"]] == ["running"]
        finally:
            release.set()
        code, _out, err = finish(first)
    assert code == 0, err
    rows, distinct = evaluation_counts(db)
    assert rows == distinct, "an evaluation ran twice"
    store = open_store(tmp_path)
    session = store.session_by_name("busy")
    assert len(store.events(session.id, kind="stop", limit=10)) == 1
    assert len(store.events(session.id, kind=EventKind.FINAL_TEST, limit=10)) == 1
    assert store.lease_holder(session.id) is None
    assert integrity_ok(db)


def test_after_kill_9_the_session_shows_interrupted_and_resumes_on_its_own_endpoint(tmp_path):
    """Killed mid-run: listed as interrupted (not running); ``adrs resume`` with no model flags
    and no endpoint in the environment reaches the recorded server, not the embedded model; a
    resume of the finished session then runs nothing past its budget."""
    db = tmp_path / "adrs.db"
    with team_server(ResearchScript()) as server:
        proc = adrs(
            tmp_path,
            "run",
            "spot-single",
            "--iterations",
            "2",
            "--lanes",
            "1",
            "--session",
            "k9",
            "--base-url",
            server.base_url,
            "--model",
            "team",
            "--temperature",
            "0.3",
        )
        wait_for(lambda: evaluations_so_far(db) >= 4, proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        listed = json.loads(finish(adrs(tmp_path, "sessions", "--json"), timeout=60)[1])
        assert [s["status"] for s in listed["sessions"]] == ["interrupted"]
        asked = len(server.chat_requests)
        assert not os.environ.get("ADRS_BASE_URL") and not os.environ.get("OPENAI_BASE_URL")
        code, _out, err = finish(adrs(tmp_path, "resume", "k9"))
        assert code == 0, err
        assert len(server.chat_requests) > asked, "the resume did not reach the recorded server"
        assert all(r["body"]["temperature"] == 0.3 for r in server.chat_requests[asked:])
        assert "embedded" not in err.lower()
        calls = len(server.chat_requests)
        code, _out, err = finish(adrs(tmp_path, "resume", "k9"))
        assert code == 0, err
        assert len(server.chat_requests) == calls, "a finished session ran past its budget"
    session = open_store(tmp_path).session_by_name("k9")
    assert (session.iterations, session.status) == (2, "finished")
    assert integrity_ok(db)


def test_a_dead_endpoint_interrupts_the_session_and_resume_finishes_it(tmp_path):
    """The model server dies after the first iteration: the run stops at the first call that
    cannot reach it (asked again twice), exits non-zero with the resume command, and is
    ``interrupted``, not "finished"; no iteration is spent on the dead server."""
    db = tmp_path / "adrs.db"
    script = ResearchScript()
    server = team_server(script).__enter__()
    port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
    flags = ("--base-url", server.base_url, "--model", "team")
    proc = adrs(
        tmp_path,
        "run",
        "spot-single",
        "--iterations",
        "4",
        "--lanes",
        "2",
        "--session",
        "dead",
        *flags,
    )
    wait_for(lambda: ((session_row(db, "dead") or {}).get("iterations") or 0) >= 1, proc)
    server.kill()
    code, _out, err = finish(proc)
    assert code == 3, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("adrs: the model endpoint stopped answering")
    assert "adrs resume dead" in line and "Traceback" not in err
    store = open_store(tmp_path)
    session = store.session_by_name("dead")
    assert session.status == "interrupted" and session.iterations < 4
    assert "3 model calls in a row failed to reach the endpoint" in session.status_detail
    assert not [c for c in store.llm_calls(session.id, limit=1000) if c.error], (
        "a call against the dead server was given up and its iteration spent"
    )
    with FaultServer(default=team_server(script).default, port=port):
        code, _out, err = finish(adrs(tmp_path, "resume", "dead"))
    assert code == 0, err
    session = open_store(tmp_path).session_by_name("dead")
    assert (session.iterations, session.status) == (4, "finished")
    rows, distinct = evaluation_counts(db)
    assert rows == distinct
    assert integrity_ok(db)


def test_sigterm_stops_the_session_like_ctrl_c(tmp_path):
    """``kill PID`` (SIGTERM, what service managers send) records the stop and frees the session;
    before, the process died with the row still saying ``running``."""
    db = tmp_path / "adrs.db"
    release = threading.Event()
    with held_team(ResearchScript(), release) as server:
        proc = adrs(
            tmp_path,
            "run",
            "spot-single",
            "--iterations",
            "3",
            "--lanes",
            "2",
            "--session",
            "term",
            "--base-url",
            server.base_url,
            "--model",
            "team",
        )
        try:
            wait_for(lambda: server.chat_requests, proc)
            proc.send_signal(signal.SIGTERM)
            code, _out, err = finish(proc, timeout=120)
        finally:
            release.set()
    assert code == 130, err
    assert "adrs resume term" in err and "Traceback" not in err
    store = open_store(tmp_path)
    session = store.session_by_name("term")
    assert session.status == "stopped" and store.lease_holder(session.id) is None
    assert integrity_ok(db)
