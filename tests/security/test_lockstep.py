"""Lockstep revelation: a candidate never holds data it may not see yet, nor any of our secrets.

The programs of ``future_readers`` search frames, modules (the trace loader's cache included)
and everything reachable from ``obs`` and ``job`` for a trace that continues what they have
seen. On the code before lockstep revelation two of them found it and beat Uniform Progress
with status ``ok``; now each must search and find nothing, on every scenario family.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulators.evaluate import evaluate
from simulators.executors.local import LocalExecutor
from simulators.sandbox.outcome import classify
from simulators.sandbox.runner import ChildExit
from simulators.scenario import load_scenario
from tests.security.future_readers import ALL

ROOT = Path(__file__).resolve().parents[2]
CANARIES = {
    "AWS_SECRET_ACCESS_KEY": "canary-aws-4f1c9e2b7d",
    "ADRS_API_KEY": "canary-adrs-8a3d6f0e12",
    "SOME_SERVICE_TOKEN": "canary-token-77e5c1a9",
}
# Reaches ``os.environ`` and ``posix.environ`` through modules the sandbox preloads, in a way
# the static scan does not see (so sessions run it too): only the environment can protect us.
LEAK_ENVIRONMENT = textwrap.dedent(
    """
    import collections
    import random

    _os = getattr(random, "_o" + "s")
    _modules = getattr(getattr(collections, "_s" + "ys"), "modu" + "les")


    class Policy:
        def __init__(self, job):
            seen = dict(getattr(_os, "envi" + "ron"))
            raw = getattr(_modules["po" + "six"], "envi" + "ron")
            seen.update({k.decode(): v.decode() for k, v in raw.items()})
            print(repr(seen))
            raise RuntimeError(repr(seen))

        def decide(self, obs):
            return "NONE"
    """
)


@pytest.fixture(scope="module")
def spot():
    return load_scenario("spot-single")


def spread_ids(scenario, split: str, count: int) -> list[str]:
    workloads = scenario.engine.workloads(split)
    return [w["id"] for w in workloads[:: max(1, len(workloads) // count)]]


@pytest.mark.parametrize("place", sorted(ALL))
def test_a_future_reader_finds_nothing(spot, place):
    """Static scan off: the sandbox's contents alone must defeat the search."""
    result = evaluate(
        spot, ALL[place], "train", workload_ids=spread_ids(spot, "train", 40), static_gate=False
    )
    assert result.status == "error", (result.status, result.score, result.error)
    # Frames are refused outright now; the other places are searched and hold nothing.
    expected = "frames are not available" if place == "frames" else "no future in reach"
    assert expected in result.error, result.error


def test_the_child_imports_no_data_code(spot):
    """What the candidate's process has loaded: the zygote's preloads and the player, no kind,
    no trace loader, no scenario loader. The child is a fork of the zygote, so the zygote's
    modules are the child's (the candidate itself cannot list them: see the next test)."""
    script = (
        "import importlib, sys\n"
        "from simulators.sandbox import zygote\n"
        "for name in zygote.PRELOADED_MODULES: importlib.import_module(name)\n"
        f"zygote.load_player({spot.engine.player_ref()!r})\n"
        "print(' '.join(sorted(m for m in sys.modules "
        "if m.startswith(('simulators', 'adrs', 'memory')))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    loaded = done.stdout.split()
    assert "simulators.spot_single.player" in loaded
    forbidden = [
        m
        for m in loaded
        if m.rsplit(".", 1)[-1]
        in ("kind", "traces", "scenario", "splits", "optimum", "replay", "workload")
    ]
    assert forbidden == [] and not any(m.startswith(("adrs", "memory")) for m in loaded)


def test_the_candidate_finds_no_harness_module(spot):
    """While candidate code runs, the harness's modules are out of ``sys.modules``: the
    registry through which a probe reached (and disabled) the timing harness."""
    probe = textwrap.dedent(
        """
        import sys
        LOADED = sorted(m for m in sys.modules if m.startswith(("simulators", "adrs", "memory")))
        print("LOADED " + " ".join(LOADED) + " END")
        raise RuntimeError("listed")
        class Policy:
            pass
        """
    )
    result = evaluate(
        spot,
        probe,
        "train",
        workload_ids=spread_ids(spot, "train", 2),
        static_gate=False,
        checks=(),
    )
    assert "LOADED  END" in result.stdout, result.stdout[:500]
    assert "listed" in (result.error or ""), result.error


EPLB_READER = textwrap.dedent(
    """
    import sys

    def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
        # The old hole: the runner's workload (with its seed) in a frame above, and the
        # generator in sys.modules: draw the next window and plan on it.
        frame = getattr(sys, "_get" + "frame")(0)
        spec = None
        while frame is not None and spec is None:
            for value in frame.f_locals.values():
                if isinstance(value, dict) and "seed" in value and "num_windows" in value:
                    spec = value
            frame = frame.f_back
        generator = sys.modules.get("simulators.eplb.workload")
        if spec is None or generator is None:
            raise LookupError("no future in reach: eplb")
        raise RuntimeError("found the seed")
    """
)


def test_an_eplb_planner_cannot_draw_the_next_window():
    eplb = load_scenario("eplb")
    result = evaluate(
        eplb,
        EPLB_READER,
        "train",
        workload_ids=spread_ids(eplb, "train", 2),
        static_gate=False,
        checks=(),
    )
    # The reader starts from a frame: refused outright (before, it found no future there).
    assert result.status == "error" and "frames are not available" in result.error, result.error


def test_no_secret_reaches_the_child_or_leaves_it(spot, monkeypatch):
    """The zygote starts from an allow-list: a program that dumps ``posix.environ`` into its
    output and its error sees none of our variables (fresh lanes, started after the canaries
    were set, so they do inherit them)."""
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    executor = LocalExecutor(1)
    try:
        result = evaluate(
            spot,
            LEAK_ENVIRONMENT,
            "train",
            workload_ids=spread_ids(spot, "train", 1),
            static_gate=False,
            checks=(),
            executor=executor,
        )
    finally:
        executor.close()
    assert result.status == "error" and "OMP_NUM_THREADS" in result.error  # it did dump
    text = " ".join(filter(None, [result.error, result.traceback, result.stdout]))
    for name, value in CANARIES.items():
        assert value not in text and name not in text


def test_adrs_eval_prints_no_secret(tmp_path):
    program = tmp_path / "leak.py"
    program.write_text(LEAK_ENVIRONMENT)
    env = {**os.environ, **CANARIES, "ADRS_WORKSPACE": str(tmp_path / "ws")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "adrs.cli.main",
            "eval",
            "spot-single",
            str(program),
            "--split",
            "train",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    both = done.stdout + done.stderr
    assert "OMP_NUM_THREADS" in both, both[-500:]  # the program ran and dumped what it saw
    for value in CANARIES.values():
        assert value not in both


def test_candidate_text_is_redacted_of_our_secret_values(monkeypatch):
    """The second wall: whatever a candidate prints, our secret values never pass classify."""
    monkeypatch.setenv("ADRS_API_KEY", "sk-canary-0123456789")
    monkeypatch.setenv("SHORT_TOKEN", "abc")  # too short to redact without mangling words
    child = ChildExit(
        report=b"",
        output="key sk-canary-0123456789 abc",
        returncode=1,
        timed_out=False,
        report_overflow=False,
        wall_s=0.1,
    )
    out = classify(child, 10)
    assert "sk-canary-0123456789" not in out.output and "[REDACTED]" in out.output
    assert out.output.endswith("abc")


def test_a_session_stores_and_sends_no_secret(tmp_path):
    """A real ``adrs run`` (fresh lanes, canaries in its environment) whose coder submits the
    environment dump: the dump reaches the store, no canary reaches the store or any prompt."""
    from tests.support.fault_server import FaultServer
    from tests.support.research_script import ResearchScript

    class LeakingCoder(ResearchScript):
        def coder(self, prompt: str) -> str:
            return "```python\n" + LEAK_ENVIRONMENT + "```\n"

    script = LeakingCoder()

    def answer(body: dict) -> str:
        return script("\n\n".join(str(m.get("content", "")) for m in body["messages"]))

    env = {**os.environ, **CANARIES, "ADRS_PROGRESS": "quiet", "ADRS_MAX_RETRIES": "0"}
    with FaultServer(default=answer) as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "adrs.cli.main",
                "--workspace",
                str(tmp_path),
                "run",
                "spot-single",
                "--iterations",
                "2",
                "-k",
                "1",
                "--session",
                "leak",
                "--base-url",
                server.base_url,
                "--model",
                "team",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=900,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    prompts = "\n".join(p for role in script.prompts.values() for p in role)
    assert b"OMP_NUM_THREADS" in stored  # the dump was recorded: the check below has teeth
    for value in CANARIES.values():
        assert value.encode() not in stored
        assert value not in prompts and value not in done.stdout + done.stderr
