"""Sandbox overhead and throughput. Prints figures; asserts nothing (a speed target in a unit
test fails on a busy machine, not on slow code).

    uv run --frozen python bench/bench_sandbox.py [--repeats N] [--scenario spot-single]

1. Per-evaluation overhead on an empty policy (one tiny workload of the toy scenario):
   the feed and player joined in-process, and the sandbox (zygote fork, namespaces already
   entered, chroot, setuid, rlimits, seccomp, audit hook, lockstep socket handed over, one
   round trip per tick, JSON report), driven from this process and through an evaluation lane.
2. Candidates per minute on a real train split with 2 lanes (spot-single when present).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from simulators.evaluate import evaluate
from simulators.executors import LocalExecutor, SandboxLimits
from simulators.executors.base import run_batch
from simulators.sandbox.candidate import compile_candidate
from simulators.sandbox.client import POOL
from simulators.sandbox.toykind import write_toy_scenario
from simulators.scenario import load_scenario

EMPTY_POLICY = "class Policy:\n    def __init__(self, job):\n        pass\n\n    def decide(self, obs):\n        return 2\n"


def timed(fn, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def describe(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    print(
        f"  {label:<34} median {1000 * median:8.2f} ms   p90 "
        f"{1000 * sorted(samples)[int(0.9 * (len(samples) - 1))]:8.2f} ms"
    )
    return median


def overhead(repeats: int) -> None:
    folder = write_toy_scenario(Path(tempfile.mkdtemp(prefix="adrs-bench-")) / "toy")
    scenario = load_scenario(str(folder))
    scenario.engine.preload()
    engine = scenario.engine
    workloads = engine.workloads("train")[:1]
    limits = SandboxLimits(timeout_s=30, cpu_s=30, memory_mb=2048)
    lane = LocalExecutor(1)
    run_batch(engine, EMPTY_POLICY, workloads, limits)  # start the zygote outside the timing
    lane.run_chunks(folder, EMPTY_POLICY, [workloads], limits)  # and the lane's
    program = compile_candidate(EMPTY_POLICY)
    print(f"Per-evaluation overhead, empty policy, 1 workload of 8 ticks ({repeats} runs each):")
    inproc = describe(
        "in-process (no isolation)",
        timed(lambda: engine.run_in_process(program, workloads), repeats),
    )
    sandbox = describe(
        "sandbox (zygote fork, locked)",
        timed(lambda: run_batch(engine, EMPTY_POLICY, workloads, limits), repeats),
    )
    unlocked = describe(
        "zygote fork without walls",
        timed(lambda: run_batch(engine, EMPTY_POLICY, workloads, limits, False), repeats),
    )
    through_lane = describe(
        "sandbox through a lane process",
        timed(lambda: lane.run_chunks(folder, EMPTY_POLICY, [workloads], limits), repeats),
    )
    full = describe(
        "evaluate() incl. scoring, no checks",
        timed(
            lambda: evaluate(
                scenario, EMPTY_POLICY, "train", workloads=workloads, checks=(), executor=lane
            ),
            repeats,
        ),
    )
    lane.close()
    cpu = sandbox_cpu_ms(engine, workloads, limits, repeats)
    print(
        f"  CPU per sandboxed evaluation: parent {cpu[0]:.2f} ms + zygote {cpu[1]:.2f} ms + "
        f"child {cpu[2]:.2f} ms = {sum(cpu):.2f} ms (wall time above also waits for a core; "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"  sandbox overhead over in-process: {1000 * (sandbox - inproc):.2f} ms "
        f"(target < 15 ms; 6.4 ms before lockstep revelation); the walls themselves add "
        f"{1000 * (sandbox - unlocked):.2f} ms; the lane hop adds "
        f"{1000 * (through_lane - sandbox):.2f} ms; evaluate() adds "
        f"{1000 * (full - through_lane):.2f} ms of parent-side work"
    )


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def sandbox_cpu_ms(
    engine, workloads: list, limits: SandboxLimits, repeats: int
) -> tuple[float, float, float]:
    """CPU, not wall: what one evaluation costs each of the three processes involved."""
    zygote = POOL.acquire(engine.player_ref(), True)
    POOL.release(zygote)
    tick_s = 1 / os.sysconf("SC_CLK_TCK")
    zygote_before, parent_before, child_total = _ticks(zygote.proc.pid), time.process_time(), 0.0
    for _ in range(repeats):
        child_total += run_batch(engine, EMPTY_POLICY, workloads, limits).cpu_s
    parent = (time.process_time() - parent_before) / repeats
    zygote_cpu = (_ticks(zygote.proc.pid) - zygote_before) * tick_s / repeats
    return 1000 * parent, 1000 * zygote_cpu, 1000 * child_total / repeats


def throughput(scenario_name: str, minutes_budget: float) -> None:
    try:
        scenario = load_scenario(scenario_name)
    except Exception as err:
        print(f"Throughput skipped: {scenario_name}: {err}")
        return
    source = scenario.seed_path.read_text()
    executor = LocalExecutor(workers=2)
    evaluate(
        scenario,
        source,
        "train",
        executor=executor,
        checks=(),
        workload_ids=[scenario.engine.workloads("train")[0]["id"]],
    )  # start both zygotes' data loading
    evaluate(scenario, source, "train", executor=executor, checks=())
    runs = len(scenario.engine.workloads("train"))
    samples, deadline = [], time.monotonic() + 60 * minutes_budget
    while not samples or (time.monotonic() < deadline and len(samples) < 5):
        started = time.perf_counter()
        result = evaluate(scenario, source, "train", executor=executor, checks=())
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(
        f"Throughput, {scenario.name} seed on the train split ({runs} runs), 2 lanes, no "
        f"checks: {median:.2f} s per candidate -> {60 / median:.1f} candidates per minute "
        f"(status {result.status})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--scenario", default="spot-single")
    parser.add_argument("--minutes", type=float, default=1.0, help="time budget for throughput")
    args = parser.parse_args()
    overhead(args.repeats)
    throughput(args.scenario, args.minutes)


if __name__ == "__main__":
    main()
