"""Fixtures for the hostile-program suite: a toy scenario and a process census.

After every hostile program the census must find nothing of the candidate's still running:
no process under a sandbox uid, nothing below our lanes and zygotes but lanes and zygotes.
"""

from __future__ import annotations

import os

import pytest

from simulators.sandbox.toykind import write_toy_scenario
from simulators.scenario import Scenario, load_scenario
from tests.support.processes import descendants, is_lane, is_zygote, processes


def leftovers() -> list[dict[str, int]]:
    """Processes a candidate of *this* test process could have left: anything below our
    evaluation lanes and zygotes that is not itself a lane or a zygote, anything under a
    zygote's sandbox uid, or stray children of ours. (Other sessions on the machine run
    sandboxes too; their processes are not ours to judge.)"""
    table = processes()
    ours = descendants(os.getpid(), table)
    zygotes = {p.pid for p in ours if is_zygote(p)}
    uids = {sandbox_uid_of(pid) for pid in zygotes}
    return [
        {"pid": p.pid, "ppid": p.ppid, "uid": p.uid, "cmdline": p.cmdline[:80]}
        for p in ours
        if not is_lane(p) and not is_zygote(p) and "pytest" not in p.cmdline
    ] + [
        {"pid": p.pid, "ppid": p.ppid, "uid": p.uid, "cmdline": p.cmdline[:80]}
        for p in table
        if p.uid in uids and p.state != "Z"
    ]


def sandbox_uid_of(zygote_pid: int) -> int:
    return 200_000 + zygote_pid


@pytest.fixture(name="leftovers")
def leftovers_fixture():
    return leftovers


@pytest.fixture(scope="session")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(str(write_toy_scenario(tmp_path_factory.mktemp("sec") / "toy")))
