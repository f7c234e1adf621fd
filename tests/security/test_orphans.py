"""When ``adrs`` dies (kill -9) while a runaway candidate runs, nothing is left.

The process tree is lane -> zygote -> candidate. A lane watches its parent, a zygote watches
its lane's socket (also while a child runs), a child dies with its zygote; so kill -9 of the
``adrs`` process alone (not its process group) must take every one of them within 2 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from simulators.sandbox.client import SCRATCH_PREFIX, sweep_scratch
from tests.support.fault_server import FaultServer
from tests.support.processes import descendants, is_zygote, processes
from tests.support.research_script import ResearchScript

ROOT = Path(__file__).resolve().parents[2]
#: A spot-single policy that never answers, and one that waits for its parent to die first.
RUNAWAY = (
    "class Policy:\n    def __init__(self, job): pass\n    def decide(self, obs):\n"
    "        while True:\n            pass\n"
)
PATIENT = textwrap.dedent(
    """
    import random
    import time

    _os = getattr(random, "_o" + "s")  # past the static scan: the runtime walls must hold


    class Policy:
        def __init__(self, job):
            parent = _os.getppid()
            while _os.getppid() == parent:  # outlive the harness, then do as it likes
                time.sleep(0.05)
            while True:
                pass

        def decide(self, obs):
            return "NONE"
    """
)


def candidate_running(root: int) -> list:
    """Our descendants once a zygote has a child (a candidate) running; [] before."""
    tree = descendants(root)
    zygotes = {p.pid for p in tree if is_zygote(p)}
    return tree if any(p.ppid in zygotes for p in tree) else []


def kill_and_count(proc: subprocess.Popen, tree: list, wait_s: float = 2.0) -> list:
    """kill -9 the adrs process only; what of ``tree`` still runs after ``wait_s``."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    pids = {p.pid for p in tree}
    deadline = time.monotonic() + wait_s
    while True:
        alive = [p for p in processes() if p.pid in pids and p.state != "Z"]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def wait_for_candidate(proc: subprocess.Popen, timeout: float = 300) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        tree = candidate_running(proc.pid)
        if tree:
            return tree
        time.sleep(0.1)
    raise AssertionError("no candidate started")


def adrs(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "ADRS_PROGRESS": "quiet", "ADRS_MAX_RETRIES": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "adrs.cli.main", "--workspace", str(tmp_path / "ws"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_kill_9_of_adrs_eval_leaves_no_process(tmp_path):
    for name, source in (("runaway", RUNAWAY), ("patient", PATIENT)):
        program = tmp_path / f"{name}.py"
        program.write_text(source)
        proc = adrs(tmp_path, "eval", "spot-single", str(program), "--split", "train")
        tree = wait_for_candidate(proc)
        time.sleep(0.5)  # let it settle into its loop
        assert kill_and_count(proc, tree) == [], name


class RunawayCoder(ResearchScript):
    """A team whose coder rewrites the policy into one that never answers."""

    def coder(self, prompt: str) -> str:
        body = (
            "class Policy:\n    def __init__(self, job):\n        pass\n\n"
            "    def decide(self, obs):\n        while True:\n            pass\n"
        )
        return f"```python\n{body}```\n"


def test_kill_9_of_adrs_run_leaves_no_process(tmp_path):
    script = RunawayCoder()

    def answer(body: dict) -> str:
        return script("\n\n".join(str(m.get("content", "")) for m in body["messages"]))

    with FaultServer(default=answer) as server:
        proc = adrs(
            tmp_path,
            "run",
            "spot-single",
            "--iterations",
            "2",
            "--session",
            "orphans",
            "--base-url",
            server.base_url,
            "--model",
            "team",
        )
        deadline = time.monotonic() + 600
        tree: list = []
        while time.monotonic() < deadline and not tree:
            assert proc.poll() is None
            # Wait for the runaway (the seed's evaluations finish; the runaway's never does).
            if script.prompts["coder"]:
                tree = candidate_running(proc.pid)
            time.sleep(0.1)
        assert tree, "the runaway candidate never started"
        time.sleep(1.0)  # past the seed: make sure it is the runaway that runs
        tree = candidate_running(proc.pid) or tree
        assert kill_and_count(proc, tree) == []


def test_scratch_folders_of_dead_owners_are_swept(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = tmp_path / f"{SCRATCH_PREFIX}{dead.stdout.strip()}-abc"
    mine = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def"
    for folder in (gone, mine):
        (folder / "eval-1").mkdir(parents=True)
    assert sweep_scratch(tmp_path) == [gone]
    assert not gone.exists() and mine.exists()
