"""spot-multi benchmark: a full train-split evaluation of Uniform Progress with round-robin
regions, the live loop's overhead against a bare loop calling the same policy, and the time per
trace of the exact region DP (by region count) and of the relaxed lower bound.

Run: ``uv run --frozen python bench/bench_spot_multi.py``. Prints; asserts nothing.
"""

from __future__ import annotations

import runpy
import time

from simulators.evaluate import evaluate
from simulators.scenario import load_scenario
from simulators.spot_multi.interface import RegionObservation
from simulators.spot_multi.optimum import workload_optima
from simulators.spot_multi.simulate import run_policy


def main() -> None:
    scenario = load_scenario("spot-multi")
    engine = scenario.engine
    engine.preload()
    workloads = engine.workloads("train")
    path = scenario.baseline_paths()["uniform_progress_round_robin"]
    started = time.perf_counter()
    result = evaluate(scenario, path.read_text(), "train")
    print(
        f"evaluate(uniform_progress_round_robin, train): {time.perf_counter() - started:.2f} s "
        f"wall for {result.runs} runs, score ${result.score:.4f}, status {result.status}"
    )

    policy_class = runpy.run_path(str(path))["Policy"]
    inputs = []
    for w in workloads:
        avail, price = engine.matrices(w)
        inputs.append(
            (
                engine.job_of(w),
                list(map(tuple, avail.T.tolist())),
                list(map(tuple, price.T.tolist())),
            )
        )
    started = time.perf_counter()
    strings = [run_policy(policy_class(j).decide, j, a, p) for j, a, p in inputs]
    t_sim = time.perf_counter() - started
    started = time.perf_counter()
    for (j, a, _), s in zip(inputs, strings):
        decide, obs = policy_class(j).decide, RegionObservation(j)
        obs.spot_available = a[0]
        for _ in range(len(s)):
            decide(obs)
    t_bare = time.perf_counter() - started
    print(
        f"simulation {t_sim:.3f} s, bare policy loop {t_bare:.3f} s, "
        f"overhead ratio {t_sim / t_bare:.2f}"
    )

    for size in sorted({len(w["regions"]) for w in workloads}):
        sample = [w for w in workloads if len(w["regions"]) == size][:2]  # one pass: 2 deadlines
        for exact in (False, True):
            started = time.perf_counter()
            workload_optima(engine, sample, exact=exact)
            what = "exact optimum" if exact else "lower bound  "
            print(f"{size} regions: {what} {time.perf_counter() - started:.2f} s per pass")


if __name__ == "__main__":
    main()
