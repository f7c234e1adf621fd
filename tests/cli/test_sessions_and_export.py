"""``adrs sessions`` and ``adrs export`` through the real entry point."""

from __future__ import annotations

import json

from adrs.cli.main import main
from memory import open_store


def _make(workspace):
    with open_store(workspace) as store:
        sid = store.create_session("demo", "spot_single", {"iterations": 3}, seed=1)
        pid = store.add_program(sid, "def f():\n    return 1\n").program_id
        store.add_evaluation(pid, "train", "full", 9.5, True, "ok", per_workload={"w": 9.5})
        store.set_champion(sid, pid, 1, 9.5, 10.25)
        store.record_iteration(sid, 3)
        store.record_llm_call(sid, 1, {"role": "planner", "response": "hi"})
    return sid


def test_sessions_json_and_table(tmp_path, capsys):
    assert main(["--workspace", str(tmp_path), "sessions"]) == 0
    assert "no sessions" in capsys.readouterr().out
    _make(tmp_path)
    assert main(["--workspace", str(tmp_path), "sessions", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["sessions"]
    assert [
        (s["name"], s["scenario"], s["iterations"], s["best_train_score"], s["best_heldout_score"])
        for s in listed
    ] == [("demo", "spot_single", 3, 9.5, 10.25)]
    assert main(["sessions", "--workspace", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "demo" in table and "10.25" in table


def test_export_jsonl_to_file_and_stdout(tmp_path, capsys):
    _make(tmp_path)
    out = tmp_path / "demo.jsonl"
    assert (
        main(["--workspace", str(tmp_path), "export", "demo", "--format", "jsonl", "-o", str(out)])
        == 0
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    tables = {line["table"] for line in lines}
    assert {"sessions", "programs", "evaluations", "champions", "llm_calls", "events"} <= tables
    evaluation = next(line["row"] for line in lines if line["table"] == "evaluations")
    assert evaluation["per_workload"] == {"w": 9.5}
    assert main(["--workspace", str(tmp_path), "export", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(lines)


def test_export_unknown_session_is_a_usage_error(tmp_path, capsys):
    assert main(["--workspace", str(tmp_path), "export", "ghost"]) == 2
    assert "no session 'ghost'" in capsys.readouterr().err
