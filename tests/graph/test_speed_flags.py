"""The flags that set how much runs at once are checked before anything starts."""

from __future__ import annotations

import pytest

from adrs.cli.main import main
from adrs.launch import executor_for
from memory.store import open_store
from simulators.executors import LocalExecutor


@pytest.mark.parametrize("flag", ["--lanes", "--concurrency", "--workers"])
def test_nonsense_counts_are_one_line_errors_and_create_no_session(tmp_path, capsys, flag):
    code = main(["--workspace", str(tmp_path), "run", "spot-single", flag, "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == f"adrs: {flag} must be at least 1 (got 0)"
    assert open_store(tmp_path).list_sessions() == []


def test_workers_make_a_local_executor_of_that_size_closed_after_use():
    with executor_for(workers=1, ray=None) as executor:
        assert isinstance(executor, LocalExecutor) and executor.workers == 1
    with executor_for(workers=None, ray=None) as executor:
        assert executor is None  # the process-wide default, one lane per core
