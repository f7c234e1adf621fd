"""Progress helpers: quiet lines when not on a terminal, a rich bar when forced."""

from __future__ import annotations

import io

import pytest

from adrs.progress import progress, track


def test_quiet_lines_at_start_quarters_and_end(monkeypatch):
    monkeypatch.delenv("ADRS_PROGRESS", raising=False)
    stream = io.StringIO()
    assert list(track(range(8), "scoring held-out", stream=stream)) == list(range(8))
    lines = stream.getvalue().splitlines()
    assert lines[:4] == [
        "adrs: scoring held-out: 0/8",
        "adrs: scoring held-out: 2/8",
        "adrs: scoring held-out: 4/8",
        "adrs: scoring held-out: 6/8",
    ]
    assert lines[4].startswith("adrs: scoring held-out: 8/8 done in ")
    assert len(lines) == 5


def test_unknown_total_and_failure_are_reported(monkeypatch):
    monkeypatch.delenv("ADRS_PROGRESS", raising=False)
    stream = io.StringIO()
    with pytest.raises(RuntimeError), progress("starting server", stream=stream) as step:
        step.set_note("port 8000")
        raise RuntimeError("boom")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "adrs: starting server..."
    assert lines[1].startswith("adrs: starting server: failed after ")


def test_forced_rich_bar_draws_on_the_stream(monkeypatch):
    monkeypatch.setenv("ADRS_PROGRESS", "rich")
    stream = io.StringIO()
    with progress("computing optima", total=3, stream=stream) as step:
        for _ in range(3):
            step.advance()
    assert "computing optima" in stream.getvalue() and "3/3" in stream.getvalue()
