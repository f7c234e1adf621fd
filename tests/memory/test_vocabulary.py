"""The stored words (statuses, outcomes, event kinds) are ``StrEnum`` members that SQLite and
JSON hold as their plain text, and every word the code writes belongs to its vocabulary."""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import pytest

from memory.base import DB_FILENAME
from memory.records import SUCCESS_OUTCOMES
from memory.store import Store
from memory.vocabulary import (
    DirectiveStatus,
    EventKind,
    HypothesisOutcome,
    ProgramStatus,
    SessionStatus,
    Vocabulary,
)

ROOT = Path(__file__).resolve().parents[2]


def raw(store: Store, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows as another process reads the file: a plain connection, no record types."""
    conn = sqlite3.connect(store.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_members_are_their_text():
    assert SessionStatus.RUNNING == "running"
    assert f"{ProgramStatus.STAGE1_REJECTED}" == "stage1_rejected"
    assert {"champion": "good"}[ProgramStatus.CHAMPION] == "good"
    assert json.dumps({"kind": EventKind.PLAN_PENDING}) == '{"kind": "plan_pending"}'
    assert {"accepted", "improved", "champion"} == SUCCESS_OUTCOMES


def test_words_round_trip_through_sqlite_as_plain_text(store: Store, session_id: int):
    store.set_session_status(session_id, SessionStatus.AWAITING_APPROVAL, "a plan waits")
    pid = store.add_program(session_id, "x = 1").program_id
    store.set_program_status(pid, ProgramStatus.STAGE1_REJECTED)
    hid = store.add_hypothesis(session_id, 1, "try x")
    store.set_hypothesis_outcome(hid, HypothesisOutcome.CODER_FAILED, "no code")
    did = store.add_directive(session_id, "be brief")
    store.consume_directive(did, 1)

    assert raw(store, "SELECT status FROM sessions WHERE id = ?", (session_id,)) == [
        ("awaiting_approval",)
    ]
    assert raw(store, "SELECT status FROM programs WHERE id = ?", (pid,)) == [("stage1_rejected",)]
    assert raw(store, "SELECT outcome FROM hypotheses WHERE id = ?", (hid,)) == [("coder_failed",)]
    assert raw(store, "SELECT status FROM directives WHERE id = ?", (did,)) == [("consumed",)]
    kinds = raw(store, "SELECT kind, typeof(kind), payload FROM events ORDER BY id")
    assert [k for k, _, _ in kinds] == ["session_created", "status", "directive"]
    assert {t for _, t, _ in kinds} == {"text"}
    assert json.loads(kinds[1][2]) == {"status": "awaiting_approval", "detail": "a plan waits"}

    # Read back, they are members again.
    assert store.get_session(session_id).status is SessionStatus.AWAITING_APPROVAL
    assert store.get_program(pid).status is ProgramStatus.STAGE1_REJECTED
    assert store.get_hypothesis(hid).outcome is HypothesisOutcome.CODER_FAILED
    assert store.directives(session_id)[0].status is DirectiveStatus.CONSUMED
    assert [e.kind for e in store.events(session_id)] == [
        EventKind.SESSION_CREATED,
        EventKind.STATUS,
        EventKind.DIRECTIVE,
    ]


def test_enum_and_text_write_the_same_file(tmp_path):
    """A session written with members and one written with plain strings hold identical
    rows (timestamps aside)."""
    from memory import open_store

    def write(folder: Path, words: bool) -> list[tuple]:
        with open_store(folder) as store:
            status = SessionStatus.RUNNING if words else "running"
            outcome = HypothesisOutcome.REJECTED if words else "rejected"
            sid = store.create_session("s", "spot_single")
            store.set_session_status(sid, status)  # type: ignore[arg-type]
            hid = store.add_hypothesis(sid, 1, "idea")
            store.set_hypothesis_outcome(hid, outcome)  # type: ignore[arg-type]
            store.add_event(sid, EventKind.PAUSE_REQUESTED if words else "pause_requested")  # type: ignore[arg-type]
        conn = sqlite3.connect(folder / DB_FILENAME)
        try:
            return conn.execute(
                "SELECT s.status, h.outcome, e.kind, e.payload FROM sessions s "
                "JOIN hypotheses h ON h.session_id = s.id JOIN events e ON e.session_id = s.id "
                "ORDER BY e.id"
            ).fetchall()
        finally:
            conn.close()

    assert write(tmp_path / "enum", True) == write(tmp_path / "text", False)


def test_a_word_outside_the_vocabulary_stays_readable(store: Store, session_id: int):
    """A workspace filled through the public API (or by another version) may hold words this
    loop never writes, like the sample session's ``baseline`` programs: they read back as
    their text, an instance of the vocabulary that is no member."""
    pid = store.add_program(session_id, "y = 2", status="baseline").program_id  # type: ignore[arg-type]
    store.add_event(session_id, "note", {"text": "hello"})  # type: ignore[arg-type]

    status = store.get_program(pid).status
    assert status == "baseline" and f"{status}" == "baseline"
    assert isinstance(status, ProgramStatus) and status not in ProgramStatus
    assert store.events(session_id)[-1].kind == "note"
    with pytest.raises(ValueError):
        ProgramStatus("baseline")
    assert ProgramStatus.read("champion") is ProgramStatus.CHAMPION


# -- every word the code writes is a member ------------------------------------------------

#: Store and runtime calls that write a vocabulary word: call name -> (argument position or
#: keyword, vocabulary).
WRITERS: dict[str, tuple[int | str, type[Vocabulary]]] = {
    "set_session_status": (1, SessionStatus),
    "set_program_status": (1, ProgramStatus),
    "set_hypothesis_outcome": (1, HypothesisOutcome),
    "_close_directive": (1, DirectiveStatus),
    "add_event": (1, EventKind),
    "_event": (1, EventKind),
    "latest_event": (1, EventKind),
    "notify": (0, EventKind),
    "on_event": (0, EventKind),
}
KEYWORDS: dict[tuple[str, str], type[Vocabulary]] = {
    ("create_session", "status"): SessionStatus,
    ("add_program", "status"): ProgramStatus,
    ("programs", "status"): ProgramStatus,
    ("events", "kind"): EventKind,
}


def written_words() -> list[tuple[str, int, type[Vocabulary], str]]:
    """(file, line, vocabulary, text) of every string literal the product's code hands to a
    writer of a vocabulary word."""
    found = []
    for folder in ("adrs", "graph", "memory", "agents"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                values: list[tuple[ast.expr, type[Vocabulary]]] = []
                if name in WRITERS:
                    where, vocabulary = WRITERS[name]
                    if isinstance(where, int) and len(node.args) > where:
                        values.append((node.args[where], vocabulary))
                for keyword in node.keywords:
                    if (name, keyword.arg) in KEYWORDS:
                        values.append((keyword.value, KEYWORDS[(name, keyword.arg)]))
                for value, vocabulary in values:
                    items = value.elts if isinstance(value, ast.Tuple) else [value]
                    for item in items:
                        if isinstance(item, ast.Constant) and isinstance(item.value, str):
                            rel = str(path.relative_to(ROOT))
                            found.append((rel, item.lineno, vocabulary, item.value))
    return found


def test_every_literal_the_code_writes_is_a_member():
    strangers = [
        f"{file}:{line}: {text!r} is no {vocabulary.__name__}"
        for file, line, vocabulary, text in written_words()
        if text not in vocabulary.__members__.values()
    ]
    assert not strangers, "\n".join(strangers)


@pytest.mark.slow
def test_a_scripted_session_writes_only_members(tmp_path):
    """A real session (scripted models, approval mode: one plan edited, one rejected) leaves
    only vocabulary words in its rows and events."""
    from graph import control
    from graph.budget import Budget
    from graph.runtime import Models, SessionConfig
    from graph.session import checkpointer, create_session, drive, make_runtime
    from memory import open_store
    from simulators.scenario import load_scenario
    from tests.support.research_script import ResearchScript, scripted_models

    scenario = load_scenario("spot-single")
    store = open_store(tmp_path)
    config = SessionConfig(
        hypotheses_per_iteration=2, budget=Budget(iterations=2), approve=True, review=False
    )
    sid = create_session(store, scenario, "words", config)
    store.add_directive(sid, "keep it simple")
    control.request_pause(store, sid)
    control.request_resume(store, sid)
    decisions = iter(
        [
            lambda ids: {"approved": True, "edits": {str(ids[0]): "Wait for spot longer"}},
            lambda ids: {"approved": False, "reason": "not this one"},
        ]
    )

    def decide(store, session_id, event_id, ids):
        return next(decisions, lambda ids: {"approved": True, "edits": {}})(ids)

    rt = make_runtime(store, scenario, sid, Models(fixed=scripted_models(ResearchScript())))
    drive(rt, checkpointer(tmp_path), decide)

    def members(vocabulary: type[Vocabulary], sql: str) -> set[str]:
        words = {row[0] for row in raw(store, sql, (sid,)) if row[0] is not None}
        assert words, sql
        strangers = words - set(vocabulary.__members__.values())
        assert not strangers, f"{sorted(strangers)} are no {vocabulary.__name__}"
        return words

    assert members(SessionStatus, "SELECT status FROM sessions WHERE id = ?") == {"finished"}
    statuses = members(ProgramStatus, "SELECT status FROM programs WHERE session_id = ?")
    assert ProgramStatus.CHAMPION in statuses
    outcomes = members(HypothesisOutcome, "SELECT outcome FROM hypotheses WHERE session_id = ?")
    assert {HypothesisOutcome.EDITED_BY_USER, HypothesisOutcome.REJECTED_BY_USER} <= outcomes
    members(DirectiveStatus, "SELECT status FROM directives WHERE session_id = ?")
    kinds = members(EventKind, "SELECT kind FROM events WHERE session_id = ?")
    assert {EventKind.PLAN_PENDING, EventKind.AWAITING_APPROVAL, EventKind.VERDICT} <= kinds
    status_events = {e.payload["status"] for e in store.events(sid, kind=EventKind.STATUS)}
    assert status_events <= set(SessionStatus.__members__.values())
    evaluated = {e.payload["status"] for e in store.events(sid, kind=EventKind.EVALUATED)}
    assert evaluated <= set(ProgramStatus.__members__.values())
    store.close()
