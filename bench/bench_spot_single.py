"""spot-single benchmark: a full train-split evaluation of Uniform Progress in the sandbox
(lockstep: the parent reveals each tick after the answers to the one before) beside the same
feed and player joined in this process, the simulator's overhead against a bare loop calling
the same policy the same number of times (target < 2), the trusted replay, and the dynamic
program's time per trace.

Before lockstep revelation (commit 4bad869, measured side by side with this code on the same
machine, 2026-12-02) the sandboxed evaluation of Uniform Progress on train took 0.38 s.

Run: ``uv run --frozen python bench/bench_spot_single.py``. Prints; asserts nothing.
"""

from __future__ import annotations

import runpy
import time

from simulators.evaluate import evaluate
from simulators.scenario import load_scenario
from simulators.spot_single.interface import Observation
from simulators.spot_single.optimum import workload_optima
from simulators.spot_single.simulate import run_policy


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    scenario = load_scenario("spot-single")
    engine = scenario.engine
    engine.preload()
    workloads = engine.workloads("train")
    source = scenario.baseline_paths()["uniform_progress"].read_text()
    policy_class = runpy.run_path(str(scenario.baseline_paths()["uniform_progress"]))["Policy"]

    evaluate(scenario, source, "train", checks=())  # lanes and zygotes up, traces loaded
    result = evaluate(scenario, source, "train", checks=())
    wall = best_of(3, lambda: evaluate(scenario, source, "train", checks=()))
    program = {"Policy": policy_class}
    inproc = best_of(3, lambda: engine.run_in_process(program, workloads))
    batches = engine.batches(workloads)
    print(
        f"evaluate(uniform_progress, train), sandboxed lockstep: {wall:.2f} s wall for "
        f"{result.runs} runs in {len(batches)} batch(es) (best of 3), score ${result.score:.4f}, "
        f"status {result.status}; the same feed and player in-process: {inproc:.2f} s; "
        f"before lockstep 0.38 s (ratio {wall / 0.38:.2f}, target <= 1.5)"
    )

    jobs = [engine.job_of(w) for w in workloads]
    avails = [engine.avail_of(w) for w in workloads]
    strings: list[str] = []

    def simulate() -> None:
        strings.clear()
        for job, avail in zip(jobs, avails):
            strings.append(run_policy(policy_class(job).decide, job, avail))

    t_sim = best_of(3, simulate)
    ticks = [len(s) for s in strings]

    def bare() -> None:  # same policy, same number of calls, no simulator around it
        for job, n in zip(jobs, ticks):
            decide = policy_class(job).decide
            obs = Observation(job)
            for _ in range(n):
                decide(obs)

    t_bare = best_of(3, bare)
    print(
        f"simulation: {t_sim:.3f} s for {sum(ticks)} ticks ({1e6 * t_sim / sum(ticks):.2f} us/tick); "
        f"bare policy loop {t_bare:.3f} s; overhead ratio {t_sim / t_bare:.2f} (target < 2)"
    )

    raw = {"actions": {w["id"]: s for w, s in zip(workloads, strings)}}
    t_score = best_of(3, lambda: engine.score(workloads, raw))
    print(f"trusted replay and scoring of the train split: {t_score:.3f} s")

    sample = workloads[::9][:60]  # spans zones, windows and overheads
    started = time.perf_counter()
    workload_optima(engine, sample)
    passes = len({(w["zone"], w["window"], w["overhead_h"]) for w in sample})
    per_pass = (time.perf_counter() - started) / passes
    print(
        f"optimum DP: {per_pass:.3f} s per (trace, overhead) pass, all deadlines at once "
        f"(train has {len(workloads) // 3} passes)"
    )
    test = engine.workloads("test")[::9][:60]
    started = time.perf_counter()
    workload_optima(engine, test)
    passes = len({(w["zone"], w["window"], w["overhead_h"]) for w in test})
    print(
        f"optimum DP on the 195 s test traces: {(time.perf_counter() - started) / passes:.3f} s per pass"
    )


if __name__ == "__main__":
    main()
