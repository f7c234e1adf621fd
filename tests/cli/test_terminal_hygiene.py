"""Untrusted text (model answers, program code) cannot drive the terminal through ``adrs logs``
or ``adrs chat``: control characters are shown escaped, markup is shown as written. And a role
filter no call is recorded under is a usage error, not an empty result."""

from __future__ import annotations

import io
import json

from adrs.cli.cmd_chat import _print_reply
from adrs.cli.main import main
from adrs.terminal import printable
from memory import open_store

#: Retitles the window, clears the screen, overwrites the line, reverses the text, and an
#: 8-bit CSI (U+009B) that some terminals obey.
HOSTILE = "\x1b]0;pwned\x07 \x1b[2J\rok \u202etxt.exe\x9b31m"
#: The same, as it must appear on screen.
SHOWN = "\\x1b]0;pwned\\x07 \\x1b[2J\\rok \\u202etxt.exe\\x9b31m"
MARKUP = "[bold]loud[/bold] [link=https://evil.example]click[/link] :warning:"


def run(capsys, workspace, *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(workspace), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_printable_spells_out_controls_and_keeps_layout():
    assert printable(HOSTILE) == SHOWN
    assert printable("a\tb\nc\r\nd\x00\x7f\u2066") == "a\tb\nc\nd\\x00\\x7f\\u2066"
    assert printable("plain text, ünïcødé, emoji 🙂") == "plain text, ünïcødé, emoji 🙂"


def test_logs_shows_escape_sequences_and_markup_as_text(sample, capsys):
    workspace, ids = sample
    with open_store(workspace) as store:
        store.record_llm_call(
            ids["session"],
            5,
            {
                "role": "planner",
                "model": "m\x1b[31m",
                "messages": [{"role": "user\x1b[8m", "content": f"prompt {HOSTILE}"}],
                "response": f"answer {HOSTILE} {MARKUP}",
                "reasoning": f"think {HOSTILE}",
            },
        )
    code, out, _ = run(capsys, workspace, "logs", "demo", "--iteration", "5", "--full")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\u202e" not in out and "\x9b" not in out
    assert f"answer: answer {SHOWN} {MARKUP}" in out
    assert f"reasoning: think {SHOWN}" in out and f"user\\x1b[8m: prompt {SHOWN}" in out
    assert "m\\x1b[31m" in out
    # --json is for programs, and JSON already escapes: the record comes back exact.
    code, out, _ = run(capsys, workspace, "logs", "demo", "--iteration", "5", "--json")
    assert "\x1b" not in out and json.loads(out)["response"] == f"answer {HOSTILE} {MARKUP}"


def test_chat_replies_show_program_text_escaped(sample, capsys, monkeypatch):
    workspace, ids = sample
    with open_store(workspace) as store:
        pid = store.add_program(
            ids["session"], f"class Policy:  # {HOSTILE}\n    pass\n", origin="llm"
        ).program_id
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(f"/show {pid}\n/directive {HOSTILE}\n/directives\n")
    )
    code, out, _ = run(capsys, workspace, "chat", "--session", "demo")
    assert code == 0
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert f"class Policy:  # {SHOWN}" in out
    assert f"] {SHOWN}" in out  # the directive, listed back


def test_chat_on_a_terminal_prints_markup_as_written(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line, not wrapped at 80
    _print_reply(f"{HOSTILE} {MARKUP}", interactive=True)
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert out == f"planner> {SHOWN} {MARKUP}\n"


def test_unknown_role_is_a_one_line_usage_error(sample, capsys):
    code, out, err = run(capsys, sample[0], "logs", "--role", "bogus")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "adrs: unknown role 'bogus': expected one of planner, coder, critic, verifier, chat"
    ]
    code, out, _ = run(capsys, sample[0], "logs", "--role", "chat", "--json")
    assert code == 0 and out == ""  # a valid role with no calls yet is still fine
