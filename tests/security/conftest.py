"""Fixtures for the hostile-program suite: a toy scenario and a process census.

After every hostile program the census must find nothing of the candidate's still running:
no process under a sandbox uid, no child of a zygote, no new child of this test process.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulators.sandbox.client import POOL
from simulators.sandbox.toykind import write_toy_scenario
from simulators.scenario import Scenario, load_scenario


def _processes() -> list[dict[str, int]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        found.append(
            {
                "pid": int(entry.name),
                "ppid": int(fields[1]),
                "pgid": int(fields[2]),
                "uid": uid,
                "state": fields[0],
            }
        )
    return found


def leftovers() -> list[dict[str, int]]:
    """Processes a candidate of *this* test process could have left: children of our zygotes,
    anything under our zygotes' sandbox uids, or stray children of ours. (Other sessions on
    the machine run sandboxes too; their processes are not ours to judge.)"""
    zygotes = {z.proc.pid for z in POOL._all if z.alive()}
    uids = {sandbox_uid_of(pid) for pid in zygotes}
    return [
        p
        for p in _processes()
        if p["ppid"] in zygotes
        or p["uid"] in uids
        or p["ppid"] == os.getpid()
        and p["pid"] not in zygotes
    ]


def sandbox_uid_of(zygote_pid: int) -> int:
    return 200_000 + zygote_pid


@pytest.fixture(name="leftovers")
def leftovers_fixture():
    return leftovers


@pytest.fixture(scope="session")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(str(write_toy_scenario(tmp_path_factory.mktemp("sec") / "toy")))
