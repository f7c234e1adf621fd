"""``adrs logs``: filters, full-text search, --json lines, --follow on a running session."""

from __future__ import annotations

import json
import threading
import time

from adrs.cli.main import main
from memory import open_store
from tests.chat.conftest import load_sample


def logs(capsys, workspace, *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(workspace), "logs", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_has_every_field_one_object_per_line(sample, capsys):
    code, out, _ = logs(capsys, sample[0], "demo", "--json")
    rows = json_lines(out)
    assert code == 0 and len(rows) == 9
    assert set(rows[0]) >= {
        "id",
        "iteration",
        "role",
        "model",
        "messages",
        "response",
        "reasoning",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "latency_s",
        "error",
    }
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_role_and_iteration_filters(sample, capsys):
    _, out, _ = logs(capsys, sample[0], "--role", "coder", "--json")
    assert {r["role"] for r in json_lines(out)} == {"coder"} and len(json_lines(out)) == 3
    _, out, _ = logs(capsys, sample[0], "--role", "planner", "--iteration", "3", "--json")
    rows = json_lines(out)
    assert len(rows) == 1 and rows[0]["response"].startswith("HYPOTHESIS: Tighter safety net")


def test_full_text_search_finds_prompt_answer_and_reasoning(sample, capsys):
    _, out, _ = logs(capsys, sample[0], "--search", "price data", "--json")
    assert [r["role"] for r in json_lines(out)] == ["planner"]
    _, out, _ = logs(capsys, sample[0], "--search", "thinking about critic", "--json")
    assert len(json_lines(out)) == 3
    code, out, err = logs(capsys, sample[0], "--search", "zebra")
    assert code == 0 and out == "" and err.strip() == "no model calls match"


def test_readable_output_shows_tokens_cost_latency_reasoning(sample, capsys):
    _, out, _ = logs(capsys, sample[0], "--role", "planner", "--iteration", "1")
    assert "it1 planner gpt-4o-mini" in out
    assert "901 in / 300 out tokens  $0.0003  1.50 s" in out
    assert "reasoning: thinking about planner step 1" in out
    assert "answer: HYPOTHESIS: Hysteresis on slack" in out
    assert "user: iteration 1: improve" in out


def test_limit_and_bad_session(sample, capsys):
    _, out, _ = logs(capsys, sample[0], "--limit", "2", "--json")
    assert len(json_lines(out)) == 2
    code, _, err = logs(capsys, sample[0], "nope")
    assert code == 2 and "no session 'nope'" in err


def test_follow_prints_new_calls_until_the_session_ends(tmp_path, capsys):
    ids = load_sample().fill(tmp_path, status="running")
    sid = ids["session"]

    def session_goes_on():
        with open_store(tmp_path) as store:
            time.sleep(0.5)
            store.record_llm_call(sid, 4, {"role": "planner", "response": "late plan"})
            time.sleep(0.3)
            store.record_llm_call(sid, 4, {"role": "coder", "response": "late code"})
            store.set_session_status(sid, "finished")

    writer = threading.Thread(target=session_goes_on)
    writer.start()
    code, out, _ = logs(capsys, tmp_path, "--follow", "--json", "--interval", "0.05")
    writer.join()
    rows = json_lines(out)
    assert code == 0
    assert [r["response"] for r in rows[-2:]] == ["late plan", "late code"]
    assert len(rows) == 11 and len({r["id"] for r in rows}) == 11
